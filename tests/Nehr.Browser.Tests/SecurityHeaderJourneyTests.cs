using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

[Collection(PortalCollection.Name)]
public sealed class SecurityHeaderJourneyTests(PortalFixture fixture) : PortalTest(fixture)
{
    [Theory]
    [InlineData(DemoAccounts.HospitalDoctor, "/clinician")]
    [InlineData(DemoAccounts.Patient, "/patient/record")]
    [InlineData(DemoAccounts.Patient, "/patient/access")]
    [InlineData(DemoAccounts.Auditor, "/admin/moh")]
    [InlineData(DemoAccounts.Auditor, "/admin/moh/audit")]
    [InlineData(DemoAccounts.HospitalAdmin, "/admin/provider/personnel")]
    public async Task Pages_work_under_the_content_security_policy_without_violations(string email, string path)
    {
        var page = await Fixture.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        page.PageError += (_, error) => violations.Add(error);
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == email));

        var response = await page.GotoAsync(path);

        var csp = await response!.HeaderValueAsync("content-security-policy");
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("no-store", await response.HeaderValueAsync("cache-control"), StringComparison.Ordinal);
        Assert.Equal("nosniff", await response.HeaderValueAsync("x-content-type-options"));
        Assert.Equal("no-referrer", await response.HeaderValueAsync("referrer-policy"));
        await Expect(new AppShell(page).Heading).Not.ToHaveTextAsync("Access denied");

        // The page is interactive (the circuit runs under the policy): the navigation toggles.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.Empty(violations);
    }

    [Fact]
    public async Task Kestrel_names_no_server_and_the_token_endpoint_carries_the_security_headers()
    {
        using var client = new HttpClient { BaseAddress = Fixture.Portal.BaseAddress };

        using var page = await client.GetAsync("/Account/Login");
        using var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "nobody", ["client_secret"] = "nothing",
        }));

        Assert.False(page.Headers.Contains("Server"), "Server: " + string.Join(",", page.Headers.TryGetValues("Server", out var v) ? v : []));
        Assert.False(token.Headers.Contains("Server"));
        Assert.True(token.Headers.Contains("Content-Security-Policy"));
        Assert.Equal("nosniff", token.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
