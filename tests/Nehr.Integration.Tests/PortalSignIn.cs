using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;

namespace Nehr.Integration.Tests;

/// <summary>Signs in through the real sign-in forms (password, then the authenticator code for staff), as a browser would.</summary>
public static partial class PortalSignIn
{
    /// <summary>A client that keeps cookies and does not follow redirects.</summary>
    public static HttpClient NewClient(this PortalFactory portal) =>
        portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = PortalFactory.BaseAddress });

    public static async Task<HttpResponseMessage> PostPasswordAsync(HttpClient client, string email, string password)
    {
        var token = await AntiforgeryTokenAsync(client, "/Account/Login");
        return await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    public static async Task<HttpResponseMessage> PostAuthenticatorCodeAsync(HttpClient client, string code)
    {
        var token = await AntiforgeryTokenAsync(client, "/Account/LoginWith2fa");
        return await client.PostAsync("/Account/LoginWith2fa", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login-with-2fa",
            ["__RequestVerificationToken"] = token,
            ["Input.TwoFactorCode"] = code,
        }));
    }

    /// <summary>
    /// Signs a demo account in completely. For staff the portal's clock first moves to the next 30-second step, so
    /// the code is one the account has not used yet (each code works once).
    /// </summary>
    public static async Task<HttpClient> SignedInClientAsync(this PortalFactory portal, string email)
    {
        var client = portal.NewClient();
        var password = await PostPasswordAsync(client, email, DemoAccounts.Password);
        if (password.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"{email}: the password was not accepted ({password.StatusCode}).");
        }

        if (password.Headers.Location!.OriginalString.Contains("/Account/LoginWith2fa", StringComparison.Ordinal))
        {
            var code = portal.NextAuthenticatorCode();
            var second = await PostAuthenticatorCodeAsync(client, code);
            if (second.StatusCode != HttpStatusCode.Redirect)
            {
                throw new InvalidOperationException($"{email}: the authenticator code was not accepted ({second.StatusCode}).");
            }
        }

        return client;
    }

    /// <summary>Moves the portal's clock to the next step and returns the demo key's code for it.</summary>
    public static string NextAuthenticatorCode(this PortalFactory portal)
    {
        portal.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        return Totp.Code(DemoAccounts.AuthenticatorKey, portal.Clock.GetUtcNow());
    }

    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path)
    {
        var page = await client.GetStringAsync(path);
        return AntiforgeryToken().Match(page) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"{path} has no form with an antiforgery token.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
