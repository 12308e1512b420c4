using System.Net;

namespace Nehr.Integration.Tests;

[Trait("Database", "ProviderIndependent")]
public sealed class SignInRateLimitTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();

    public Task InitializeAsync()
    {
        _portal.Settings["Nehr:Security:SignInsPerMinute"] = "3";
        return DemoWorld.LoadAsync(_portal);
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Sign_in_attempts_from_one_address_beyond_the_limit_get_429_with_retry_after()
    {
        using var client = _portal.CreateClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last?.Dispose();
            last = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = "dr.lee@nehr.demo",
                ["Input.Password"] = "wrong-password-" + i,
            }));
            statuses.Add(last.StatusCode);
        }

        // The first three reach the page (refused there without the antiforgery token); the fourth is not even read.
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(3));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[3]);
        Assert.True(last!.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        last.Dispose();
        using var page = await client.GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode); // reading the page is not limited
    }

    [Fact]
    public async Task Once_the_limit_is_reached_every_spelling_of_the_sign_in_addresses_is_refused()
    {
        using var client = _portal.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var _ = await PostAsync(client, "/Account/Login");
        }

        string[] spellings = ["/Account/Login", "/Account/Login/", "/account/login", "/ACCOUNT/LOGIN/", "/Account/Login?ReturnUrl=%2F",
            "/Account/LoginWith2fa/", "/Account/LoginWithRecoveryCode/", "/Account/ForgotPassword/", "/Account/ResetPassword/"];
        foreach (var path in spellings)
        {
            using var answer = await PostAsync(client, path);
            Assert.True(answer.StatusCode == HttpStatusCode.TooManyRequests, $"{path}: {answer.StatusCode}");
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path) =>
        client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "dr.lee@nehr.demo",
            ["Input.Password"] = "wrong-password",
        }));
}
