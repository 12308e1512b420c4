using System.Net;
using Nehr.Core.Audit;
using Nehr.Core.Data.Demo;
using Nehr.Core.Oversight;
using Nehr.Portal.Components.Account;

namespace Nehr.Integration.Tests;

/// <summary>
/// Requests an outside probe sent that got HTTP 500 (issue 17, finding 6): a hostile return address after a correct
/// sign-in, a reset link whose code is not Base64url, a search to the last day there is. Each is now answered, never
/// a failure, and a redirect goes only to a path of the portal.
/// </summary>
public sealed class HostileRequestTests(FeedPortal shared) : IClassFixture<FeedPortal>
{
    private readonly PortalFactory _portal = shared.Portal;
    private readonly DemoWorld _world = shared.World;

    public static TheoryData<string> HostileReturnUrls =>
    [
        "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "http:evil.example",
        "javascript:alert(1)", "https://evil.example/?x=/", " //evil.example", "/%5Cevil.example", "%2F%2Fevil.example",
        "data:text/html,hi",
    ];

    [Theory]
    [MemberData(nameof(HostileReturnUrls))]
    public async Task A_hostile_return_address_after_a_correct_sign_in_goes_home_not_away_and_is_no_500(string returnUrl)
    {
        using var client = _portal.NewClient();
        var path = $"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        var token = await PortalSignIn.AntiforgeryTokenAsync(client, path);

        using var password = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = DemoAccounts.Auditor,
            ["Input.Password"] = DemoAccounts.Password,
        }));
        AssertLocal(client, password);

        // The second step carries the return address on; where the completed sign-in sends the person is checked too.
        var secondStep = password.Headers.Location!.OriginalString;
        var codeToken = await PortalSignIn.AntiforgeryTokenAsync(client, secondStep);
        using var signedIn = await client.PostAsync(secondStep, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login-with-2fa",
            ["__RequestVerificationToken"] = codeToken,
            ["Input.TwoFactorCode"] = _portal.NextAuthenticatorCode(),
        }));
        AssertLocal(client, signedIn);
    }

    [Theory]
    [MemberData(nameof(HostileReturnUrls))]
    public async Task A_hostile_return_address_through_the_national_identity_sign_in_goes_home_not_away(string returnUrl)
    {
        using var client = _portal.NewClient();

        using var signedIn = await PortalSignIn.NationalIdentitySignInAsync(client, await _portal.NricOfAsync(DemoAccounts.Patient), returnUrl);

        AssertLocal(client, signedIn);
    }

    private static void AssertLocal(HttpClient client, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        var target = new Uri(client.BaseAddress!, location);
        Assert.Equal(client.BaseAddress!.Host, target.Host);
        Assert.False(location.StartsWith("//", StringComparison.Ordinal) || location.Contains('\\', StringComparison.Ordinal), location);
    }

    [Theory]
    [InlineData("/patient", "/patient")]
    [InlineData("patient/access", "patient/access")]
    [InlineData("http://localhost/patient/access?from=2026-01-01", "/patient/access?from=2026-01-01")]
    [InlineData("/search?q=a:b", "/search?q=a:b")]
    [InlineData("https://evil.example/patient", "")]
    [InlineData("/\\evil.example", "")]
    [InlineData("", "")]
    public void Only_paths_of_the_portal_are_redirect_targets(string given, string expected) =>
        Assert.Equal(expected, IdentityRedirectManager.LocalOrHome(given, "http://localhost/"));

    [Theory]
    [InlineData("!!!")]
    [InlineData("a")]
    [InlineData("%%%")]
    public async Task A_reset_link_whose_code_is_not_base64url_says_the_link_is_invalid(string code)
    {
        using var client = _portal.NewClient();

        using var response = await client.GetAsync($"/Account/ResetPassword?code={Uri.EscapeDataString(code)}");

        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.OK, $"{response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            Assert.Contains("InvalidPasswordReset", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_access_history_export_and_the_audit_search_to_the_last_day_there_is_answer()
    {
        using var patient = await _portal.SignedInClientAsync(DemoAccounts.Patient);
        using var csv = await patient.GetAsync("/patient/access-history.csv?from=0001-01-01&to=9999-12-31");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.StartsWith("When (Singapore time)", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var page = await _portal.WithAsync<AuditSearch, AuditPage>(s =>
            s.SearchAsync(DemoWorld.As(_world.AuditorUserId), new AuditQuery(From: DateOnly.MinValue, To: DateOnly.MaxValue), 1));
        Assert.True(page.Total > 0);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("%Lee")]
    [InlineData("L_e")]
    public async Task Per_cent_and_underscore_in_a_person_search_are_taken_literally(string person)
    {
        using (await _portal.SignedInClientAsync(DemoAccounts.HospitalDoctor))
        {
        }

        var literal = await _portal.WithAsync<AuditSearch, AuditPage>(s => s.SearchAsync(DemoWorld.As(_world.AuditorUserId), new AuditQuery(Person: person), 1));
        var lee = await _portal.WithAsync<AuditSearch, AuditPage>(s => s.SearchAsync(DemoWorld.As(_world.AuditorUserId), new AuditQuery(Person: "Lee"), 1));

        Assert.Equal(0, literal.Total);
        Assert.True(lee.Total > 0);
    }

    [Fact]
    public async Task The_token_endpoint_answers_with_the_security_headers()
    {
        using var client = _portal.CreateClient();
        using var answer = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = DemoAccounts.SystemClientId,
            ["client_secret"] = "not the secret",
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("frame-ancestors 'none'", answer.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-store", answer.Headers.CacheControl?.ToString());
    }
}
