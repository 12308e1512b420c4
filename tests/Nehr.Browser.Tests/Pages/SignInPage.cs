using System.Collections.Concurrent;
using Microsoft.Playwright;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;

namespace Nehr.Browser.Tests.Pages;

/// <summary>The sign-in pages (password, then the authenticator code for staff), located by label and role.</summary>
public sealed class SignInPage(IPage page)
{
    /// <summary>The step of the last code each account used: a code works once, so the next sign-in needs a later one.</summary>
    private static readonly ConcurrentDictionary<string, long> LastStep = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Session cookies of earlier sign-ins, reused while the portal still accepts them (saves waiting for a new code).</summary>
    private static readonly ConcurrentDictionary<string, IReadOnlyList<BrowserContextCookiesResult>> Sessions = new(StringComparer.OrdinalIgnoreCase);

    public ILocator Email => page.GetByLabel("Email");

    public ILocator Password => page.GetByLabel("Password");

    public ILocator SubmitButton => page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true });

    public ILocator Error => page.GetByRole(AriaRole.Alert);

    public ILocator AuthenticatorCode => page.GetByLabel("Authenticator code");

    public Task GotoAsync() => page.GotoAsync("/Account/Login");

    /// <summary>Fills and submits the password form only.</summary>
    public async Task SignInAsync(string email, string password)
    {
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await SubmitButton.ClickAsync();
    }

    /// <summary>
    /// From the sign-in form: the password, then for staff (the demo key's) next unused authenticator code; waits
    /// until the portal has let the account in.
    /// </summary>
    public async Task SignInWithFormAsync(string email, string password = DemoAccounts.Password)
    {
        if (DemoAccounts.All.SingleOrDefault(a => a.Email == email) is { IsStaff: false } patient)
        {
            // Patients have no password: they sign in with Singpass (here the portal's development provider).
            await SignInWithSingpassAsync(personName: patient.DisplayName);
            Sessions[email] = [.. (await page.Context.CookiesAsync()).Where(c => c.Name == "__Host-nehr.auth")];
            return;
        }

        await SignInAsync(email, password);
        await page.WaitForURLAsync(url => url.Contains("/Account/LoginWith2fa", StringComparison.Ordinal) || !url.Contains("/Account/Login", StringComparison.Ordinal));
        if (page.Url.Contains("/Account/LoginWith2fa", StringComparison.Ordinal))
        {
            await EnterCodeAsync(email, DemoAccounts.AuthenticatorKey);
            await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));
        }

        Sessions[email] = [.. (await page.Context.CookiesAsync()).Where(c => c.Name == "__Host-nehr.auth")];
    }

    public ILocator SingpassButton => page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Singpass" });

    /// <summary>
    /// From the sign-in page, through the development identity provider: the person picked by name from its list, or
    /// any NRIC/FIN typed; waits until the portal has let the person in (or sent them to the no-record page).
    /// </summary>
    public async Task SignInWithSingpassAsync(string? personName = null, string? nric = null)
    {
        await SingpassButton.ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/dev-idp/authorize", StringComparison.Ordinal));
        if (nric is not null)
        {
            await page.GetByLabel("Or type any NRIC/FIN").FillAsync(nric);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with this NRIC/FIN" }).ClickAsync();
        }
        else
        {
            // The person's button reads "Name (NRIC, born …)": the name and the bracket, as a substring.
            await page.GetByRole(AriaRole.Button, new() { Name = personName + " (" }).ClickAsync();
        }

        await page.WaitForURLAsync(url => !url.Contains("/dev-idp/", StringComparison.Ordinal) && !url.Contains("/signin-nationalid", StringComparison.Ordinal)
            && !url.Contains("/Account/NationalIdentity/", StringComparison.Ordinal));
    }

    /// <summary>Enters the next code of the key this account has not used yet, waiting for the next step if need be.</summary>
    public async Task EnterCodeAsync(string email, string base32Key)
    {
        await AuthenticatorCode.FillAsync(await NextCodeAsync(email, base32Key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
    }

    /// <summary>
    /// Signs in as a demo account and waits until the landing page has loaded. An earlier session of the account is
    /// reused while it is valid (sign-out or deactivation ends it); <paramref name="fresh"/> always goes through the forms.
    /// </summary>
    public async Task SignInAsAsync(DemoAccount account, bool fresh = false)
    {
        if (!fresh && Sessions.TryGetValue(account.Email, out var cookies))
        {
            await page.Context.AddCookiesAsync(cookies.Select(c => new Cookie
            {
                Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
            }));
            var probe = await page.Context.APIRequest.GetAsync("/Account/Manage", new() { MaxRedirects = 0 });
            if (probe.Status == 200)
            {
                await page.GotoAsync("/");
                return;
            }

            await page.Context.ClearCookiesAsync();
        }

        await GotoAsync();
        await SignInWithFormAsync(account.Email);
    }

    /// <summary>The code of the current step, once it is later than the account's last one (waiting for the next step if need be).</summary>
    public static async Task<string> NextCodeAsync(string email, string base32Key)
    {
        var key = Totp.FromBase32(base32Key);
        while (true)
        {
            var now = Totp.StepAt(DateTimeOffset.UtcNow);
            var step = Math.Max(now, LastStep.GetValueOrDefault(email) + 1);
            if (step <= now)
            {
                LastStep[email] = step;
                return Totp.Code(key, step);
            }

            var nextBoundary = DateTimeOffset.FromUnixTimeSeconds((now + 1) * Totp.StepSeconds);
            await Task.Delay(nextBoundary - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200));
        }
    }
}
