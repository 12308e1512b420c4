using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
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
        if (DemoAccounts.All.SingleOrDefault(a => a.Email == email) is { IsStaff: false })
        {
            // Patients sign in with the national digital identity (the portal's development provider).
            var done = await NationalIdentitySignInAsync(client, await portal.NricOfAsync(email));
            return done.Headers.Location?.OriginalString is "/" ? client
                : throw new InvalidOperationException($"{email}: the national identity sign-in did not complete ({done.StatusCode} {done.Headers.Location}).");
        }

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

    /// <summary>A client signed in as the person with <paramref name="nric"/> through the development provider.</summary>
    public static async Task<HttpClient> SignedInPersonAsync(this PortalFactory portal, string nric)
    {
        var client = portal.NewClient();
        var done = await NationalIdentitySignInAsync(client, nric);
        return done.Headers.Location?.OriginalString is "/" ? client
            : throw new InvalidOperationException($"{nric}: the national identity sign-in did not complete ({done.StatusCode} {done.Headers.Location}).");
    }

    /// <summary>
    /// A person of the register without an account (the <paramref name="skip"/>-th newest, not the demo world's open
    /// patient) signs in, which makes their patient account; their account, register id and NRIC.
    /// </summary>
    public static async Task<(string UserId, int PersonId, Nehr.Core.Records.Nric Nric)> NewPatientAccountAsync(this PortalFactory portal, DemoWorld world, int skip = 0)
    {
        await using var db = portal.CreateDbContext();
        var person = await db.Patients.Where(p => !db.Users.Any(u => u.PatientId == p.Id) && !p.IsDeceased && p.Id != world.OpenPatientId)
            .OrderByDescending(p => p.Id).Skip(skip).FirstAsync();
        using (await portal.SignedInPersonAsync(person.Nric.Value))
        {
        }

        var userId = await db.Users.Where(u => u.PatientId == person.Id).Select(u => u.Id).SingleAsync();
        return (userId, person.Id, person.Nric);
    }

    /// <summary>The NRIC of a patient account's person.</summary>
    public static async Task<string> NricOfAsync(this PortalFactory portal, string email)
    {
        await using var db = portal.CreateDbContext();
        var patientId = await db.Users.Where(u => u.Email == email).Select(u => u.PatientId).SingleAsync();
        return (await db.Patients.SingleAsync(p => p.Id == patientId)).Nric.Value;
    }

    /// <summary>
    /// The whole OpenID Connect dance against the development provider, as a browser makes it: the portal pushes the
    /// request (PAR) and redirects to the provider; the person is chosen there; the provider redirects back with a code;
    /// the portal redeems it (private_key_jwt) and validates the ID token; the completion links the account. Returns
    /// the completion's answer (a redirect to <paramref name="returnUrl"/>, or to the no-record page).
    /// </summary>
    public static async Task<HttpResponseMessage> NationalIdentitySignInAsync(HttpClient client, string nric, string returnUrl = "/")
    {
        using var start = await client.GetAsync($"/Account/NationalIdentity/SignIn?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var authorize = Expect(start, "/dev-idp/authorize");
        using var page = await client.GetAsync(authorize);
        if (page.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"The provider's sign-in page answered {page.StatusCode}.");
        }

        var requestUri = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorize.Query)["request_uri"].ToString();
        using var chosen = await client.PostAsync("/dev-idp/authorize", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request_uri"] = requestUri,
            ["nric"] = nric,
        }));
        var callback = Expect(chosen, "/signin-nationalid");
        using var redeemed = await client.GetAsync(callback);
        var complete = Expect(redeemed, "/Account/NationalIdentity/Complete");
        return await client.GetAsync(complete);
    }

    private static Uri Expect(HttpResponseMessage response, string path)
    {
        var location = response.StatusCode == HttpStatusCode.Redirect ? response.Headers.Location : null;
        if (location is null || !(location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0]).Equals(path, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Expected a redirect to {path}, got {response.StatusCode} {location}.");
        }

        return location;
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
