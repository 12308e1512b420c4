using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;

namespace Nehr.Integration.Tests;

[Collection(TimingSensitive.Name)]
public sealed partial class SignInTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    [Fact]
    [Trait("Database", "ProviderIndependent")]
    public async Task An_anonymous_request_to_an_area_is_sent_to_sign_in()
    {
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = PortalFactory.BaseAddress });

        foreach (var area in new[] { "/patient", "/clinician", "/admin/provider", "/admin/moh" })
        {
            using var response = await client.GetAsync(area);

            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Five_wrong_passwords_warn_before_the_last_then_lock_the_account_even_against_the_right_one()
    {
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = PortalFactory.BaseAddress });

        for (var i = 0; i < 3; i++)
        {
            var failed = await PostLoginAsync(client, DemoAccounts.HospitalDoctor, "wrong-password-" + i);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
            Assert.Contains(RefusedHtml, await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The fourth: a warning, from the configured lockout (5 attempts, 15 minutes).
        var fourth = await PostLoginAsync(client, DemoAccounts.HospitalDoctor, "wrong-password-3");
        Assert.Equal(HttpStatusCode.OK, fourth.StatusCode);
        Assert.Contains(WarningHtml, await fourth.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The fifth locks: the lockout page, with when the lock ends.
        var fifth = await PostLoginAsync(client, DemoAccounts.HospitalDoctor, "wrong-password-4");
        var now = _portal.Clock.GetUtcNow().UtcDateTime;
        var until = LockedUntil(fifth);
        Assert.InRange(until, now.AddMinutes(15).AddSeconds(-5), now.AddMinutes(15).AddSeconds(5));

        // The right password is refused while the lock lasts, with the same page (no sign-in cookie).
        var locked = await PostLoginAsync(client, DemoAccounts.HospitalDoctor, DemoAccounts.Password);
        Assert.Equal(until, LockedUntil(locked));
        Assert.DoesNotContain(locked.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("__Host-nehr.auth=", StringComparison.Ordinal)));
        await using var scope = _portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.True(await users.IsLockedOutAsync((await users.FindByEmailAsync(DemoAccounts.HospitalDoctor))!));

        // The lockout page says until when (Singapore time) and what to do.
        var page = await client.GetStringAsync(locked.Headers.Location);
        Assert.Contains($"<strong>{Nehr.Core.LocalTime.Moment(until)} (Singapore time)</strong>", page, StringComparison.Ordinal);
        Assert.Contains("Account/ForgotPassword", page, StringComparison.Ordinal);
        Assert.Contains("contact your provider", page, StringComparison.Ordinal);

        // Its owner learns of the lock by e-mail, once.
        await using var db = _portal.CreateDbContext();
        var mail = Assert.Single(await db.OutboxMessages.Where(m => m.To == DemoAccounts.HospitalDoctor && m.Subject == Nehr.Core.Identity.NehrUserManager.LockedSubject).ToListAsync());
        Assert.Contains("after 5 failed sign-in attempts", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_account_gets_the_same_answers_as_a_known_one_attempt_by_attempt_locked_or_not()
    {
        _portal.Settings["Nehr:Security:SignInsPerMinute"] = "1000";
        using var unknownClient = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = PortalFactory.BaseAddress });
        using var knownClient = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = PortalFactory.BaseAddress });

        // Seven attempts each: wrong, wrong, wrong, wrong (the warning), wrong (locked), then the right password for
        // the real account (locked: refused), and a password for the unknown one.
        for (var i = 0; i < 7; i++)
        {
            using var unknown = await PostLoginAsync(unknownClient, "nobody@nehr.demo", "Some-Passw0rd!");
            using var known = await PostLoginAsync(knownClient, DemoAccounts.Auditor, i == 6 ? DemoAccounts.Password : "Some-Passw0rd!");

            Assert.Equal(unknown.StatusCode, known.StatusCode);
            if (unknown.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(Normalised(await unknown.Content.ReadAsStringAsync()), Normalised(await known.Content.ReadAsStringAsync()));
            }
            else
            {
                Assert.Equal(i >= 4, unknown.StatusCode == HttpStatusCode.Redirect);
                Assert.Equal(PathOf(unknown.Headers.Location!), PathOf(known.Headers.Location!));
                Assert.InRange(LockedUntil(known) - LockedUntil(unknown), TimeSpan.FromSeconds(-5), TimeSpan.FromSeconds(5));
            }
        }
    }

    [Fact]
    [Trait("Database", "ProviderIndependent")]
    public async Task An_unknown_account_costs_the_same_time_as_a_known_one_locked_or_not()
    {
        // ASVS 6.3: the time of the answer must not tell which accounts exist. Known accounts are checked against
        // their password hash; unknown ones, and locked ones, were answered without one, about 17 times faster.
        // Twenty of each, taken in turn, and their medians compared (the measure: within 25 %).
        // Each attempt from a browser of its own: the browser's own count of failures (the warning before the last
        // attempt, the lockout page after it) is the same for every address, and is not what is measured here.
        _portal.Settings["Nehr:Security:SignInsPerMinute"] = "1000";
        using (var client = NewBrowser())
        {
            (await PostLoginAsync(client, "warm-up@nehr.demo", "Some-Passw0rd!")).Dispose();
        }

        var known = new List<double>();
        var locked = new List<double>();
        var unknown = new List<double>();

        for (var i = 0; i < 20; i++)
        {
            await SetLockoutAsync(DemoAccounts.PolyclinicNurse, null);
            known.Add(await TimedLoginAsync(DemoAccounts.PolyclinicNurse));
            await SetLockoutAsync(DemoAccounts.PolyclinicNurse, DateTimeOffset.UtcNow.AddMinutes(15));
            locked.Add(await TimedLoginAsync(DemoAccounts.PolyclinicNurse));
            unknown.Add(await TimedLoginAsync($"nobody-{i}@nehr.demo"));
        }

        var summary = $"median unknown {Median(unknown):F1} ms, known {Median(known):F1} ms, locked {Median(locked):F1} ms";
        Assert.True(Median(unknown) / Median(known) is > 0.75 and < 1.25, summary);
        Assert.True(Median(locked) / Median(known) is > 0.75 and < 1.25, summary);
    }

    private async Task SetLockoutAsync(string email, DateTimeOffset? until)
    {
        await using var db = _portal.CreateDbContext();
        await db.Users.Where(u => u.Email == email)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, until).SetProperty(u => u.AccessFailedCount, 0));
    }

    private HttpClient NewBrowser() =>
        _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = PortalFactory.BaseAddress });

    private async Task<double> TimedLoginAsync(string email)
    {
        using var client = NewBrowser();
        var page = await client.GetStringAsync("/Account/Login");
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = AntiforgeryToken().Match(page).Groups[1].Value,
            ["Input.Email"] = email,
            ["Input.Password"] = "Some-Passw0rd!",
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var answer = await client.PostAsync("/Account/Login", form);
        await answer.Content.ReadAsStringAsync();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The page without what changes with every request: antiforgery token, nonce, component markers, protected state.</summary>
    private static string Normalised(string html) => Volatile().Replace(html, string.Empty);

    [Fact]
    [Trait("Database", "ProviderIndependent")]
    public async Task There_is_no_self_registration_page()
    {
        using var client = _portal.CreateClient();

        var response = await client.GetAsync("/Account/Register");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    [Trait("Database", "ProviderIndependent")]
    public async Task A_completed_sign_in_sets_a_secure_http_only_host_only_cookie()
    {
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = PortalFactory.BaseAddress });

        // A patient's sign-in with the national identity ends with the portal's own cookie, as a staff sign-in does.
        using var response = await PortalSignIn.NationalIdentitySignInAsync(client, await _portal.NricOfAsync(DemoAccounts.Patient));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // __Host-: a browser keeps it only if Secure, for this host alone, path /. Secure although the portal itself
        // may be reached over plain HTTP behind the load balancer: every cookie is Secure outside development.
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-nehr.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
        using var plain = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://localhost") });
        using var overHttp = await plain.GetAsync("/Account/Login");
        Assert.All(overHttp.Headers.GetValues("Set-Cookie"), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    [Trait("Database", "ProviderIndependent")]
    public async Task Passwords_need_length_not_composition()
    {
        await using var scope = _portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var doctor = (await users.FindByEmailAsync(DemoAccounts.HospitalDoctor))!;

        var tooShort = await users.ChangePasswordAsync(doctor, DemoAccounts.Password, "Sh0rt!pass");
        var passphrase = await users.ChangePasswordAsync(doctor, DemoAccounts.Password, "correct horse battery staple");

        Assert.Contains(tooShort.Errors, e => e.Code == "PasswordTooShort");
        Assert.True(passphrase.Succeeded, string.Join("; ", passphrase.Errors.Select(e => e.Description)));
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/Account/Login");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        return await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("(value|nonce)=\"[^\"]*\"|<!--Blazor:[^>]*-->|[A-Za-z0-9+/=_-]{40,}")]
    private static partial Regex Volatile();

    private const string RefusedHtml = "The email or password is incorrect, or the account is locked for 15 minutes after 5 failed attempts.";

    private const string WarningHtml = "The email or password is incorrect. 1 attempt left before the account is locked for 15 minutes.";

    /// <summary>A redirect's address made absolute (its Location may be relative).</summary>
    private static Uri Absolute(Uri location) => location.IsAbsoluteUri ? location : new Uri(PortalFactory.BaseAddress, location);

    private static string PathOf(Uri location) => Absolute(location).AbsolutePath;

    /// <summary>The end of the lock a response sends the browser to the lockout page with.</summary>
    private static DateTime LockedUntil(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal("/Account/Lockout", PathOf(location));
        var until = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Absolute(location).Query)["until"].ToString();
        return DateTime.Parse(until, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
    }

    public void Dispose() => _portal.Dispose();
}
