using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Data;
using Nehr.Core.Audit;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;

namespace Nehr.Integration.Tests;

/// <summary>
/// Staff sign in with a second factor; an authenticator code works once. One portal for the class: every test takes
/// its codes from a later step of the shared clock, and the failures it causes stay under the lockout threshold.
/// </summary>
public sealed class SecondFactorTests : IClassFixture<PortalFactory>
{
    private readonly PortalFactory _portal;

    public SecondFactorTests(PortalFactory portal)
    {
        // The class's sign-ins together exceed the per-address limit of a minute; that limit has its own tests.
        portal.Settings["Nehr:Security:SignInsPerMinute"] = "1000";
        _portal = portal;
    }

    [Fact]
    public async Task A_staff_password_alone_does_not_sign_in_it_asks_for_the_authenticator_code()
    {
        using var client = _portal.NewClient();

        var password = await PortalSignIn.PostPasswordAsync(client, DemoAccounts.HospitalDoctor, DemoAccounts.Password);
        var area = await client.GetAsync("/clinician");

        Assert.Equal("/Account/LoginWith2fa", PathOf(password));
        Assert.Equal(HttpStatusCode.Redirect, area.StatusCode);
        Assert.StartsWith("/Account/Login", area.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_code_signs_in_once_and_the_session_keeps_its_second_factor_across_requests()
    {
        using var client = _portal.NewClient();
        await PortalSignIn.PostPasswordAsync(client, DemoAccounts.HospitalDoctor, DemoAccounts.Password);

        var signedIn = await PortalSignIn.PostAuthenticatorCodeAsync(client, _portal.NextAuthenticatorCode());
        var first = await client.GetAsync("/clinician");
        var second = await client.GetAsync("/clinician");

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // Every request rebuilds the principal from current data; how the session signed in must survive that.
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await using var db = _portal.CreateDbContext();
        var userId = await db.Users.Where(u => u.Email == DemoAccounts.HospitalDoctor).Select(u => u.Id).SingleAsync();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.SignIn && e.ActorUserId == userId && e.Details == "method=password+authenticator"));
    }

    [Fact]
    public async Task A_code_already_used_is_refused_even_while_it_is_still_valid_and_the_refusal_is_audited()
    {
        using var first = _portal.NewClient();
        using var replay = _portal.NewClient();
        var code = _portal.NextAuthenticatorCode();
        await PortalSignIn.PostPasswordAsync(first, DemoAccounts.Auditor, DemoAccounts.Password);
        Assert.Equal(HttpStatusCode.Redirect, (await PortalSignIn.PostAuthenticatorCodeAsync(first, code)).StatusCode);

        await PortalSignIn.PostPasswordAsync(replay, DemoAccounts.Auditor, DemoAccounts.Password);
        var refused = await PortalSignIn.PostAuthenticatorCodeAsync(replay, code);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("has already been used", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await replay.GetAsync("/admin/moh")).StatusCode);
        await using var db = _portal.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.SignInFailed && e.Details!.Contains("authenticator code")));

        // The next step's code still works: a used code blocks only itself and the codes before it.
        var next = await PortalSignIn.PostAuthenticatorCodeAsync(replay, _portal.NextAuthenticatorCode());
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await replay.GetAsync("/admin/moh")).StatusCode);
    }

    [Fact]
    public async Task A_code_is_refused_once_its_step_and_the_next_are_over_and_never_accepted_before_its_time()
    {
        using var client = _portal.NewClient();
        await PortalSignIn.PostPasswordAsync(client, DemoAccounts.HospitalDoctor, DemoAccounts.Password);
        var now = _portal.Clock.GetUtcNow();
        var stale = Totp.Code(DemoAccounts.AuthenticatorKey, now.AddSeconds(-2 * Totp.StepSeconds));
        var early = Totp.Code(DemoAccounts.AuthenticatorKey, now.AddSeconds(Totp.StepSeconds));

        var staleAnswer = await PortalSignIn.PostAuthenticatorCodeAsync(client, stale);
        var earlyAnswer = await PortalSignIn.PostAuthenticatorCodeAsync(client, early);

        Assert.Equal(HttpStatusCode.OK, staleAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, earlyAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/clinician")).StatusCode);
    }

    [Fact]
    public async Task An_earlier_code_is_refused_once_a_later_one_was_used()
    {
        using var client = _portal.NewClient();
        _portal.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        var now = _portal.Clock.GetUtcNow();
        var earlier = Totp.Code(DemoAccounts.AuthenticatorKey, now.AddSeconds(-Totp.StepSeconds));
        var current = Totp.Code(DemoAccounts.AuthenticatorKey, now);
        await PortalSignIn.PostPasswordAsync(client, DemoAccounts.MohAdmin, DemoAccounts.Password);
        Assert.Equal(HttpStatusCode.Redirect, (await PortalSignIn.PostAuthenticatorCodeAsync(client, current)).StatusCode);

        using var other = _portal.NewClient();
        await PortalSignIn.PostPasswordAsync(other, DemoAccounts.MohAdmin, DemoAccounts.Password);
        var refused = await PortalSignIn.PostAuthenticatorCodeAsync(other, earlier);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("has already been used", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_refused_in_a_race_cannot_put_the_used_code_back_for_a_third_one()
    {
        // The refused sign-in loaded the account before the winner claimed the code; it then counts its failure, as
        // Identity's sign-in manager does. Saving that stale account used to put the used step back.
        var code = _portal.NextAuthenticatorCode();
        using var loser = _portal.Services.CreateScope();
        var loserUsers = loser.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var staleAccount = await loserUsers.FindByEmailAsync(DemoAccounts.OutsideDentist);
        using (var winner = _portal.Services.CreateScope())
        {
            var users = winner.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True(await users.VerifyTwoFactorTokenAsync((await users.FindByEmailAsync(DemoAccounts.OutsideDentist))!, TokenOptions.DefaultAuthenticatorProvider, code));
        }

        Assert.False(await loserUsers.VerifyTwoFactorTokenAsync(staleAccount!, TokenOptions.DefaultAuthenticatorProvider, code));
        Assert.True((await loserUsers.AccessFailedAsync(staleAccount!)).Succeeded);

        using var third = _portal.Services.CreateScope();
        var thirdUsers = third.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.False(await thirdUsers.VerifyTwoFactorTokenAsync((await thirdUsers.FindByEmailAsync(DemoAccounts.OutsideDentist))!, TokenOptions.DefaultAuthenticatorProvider, code));
    }

    [Fact]
    public async Task Two_sign_ins_posting_one_code_at_once_sign_in_once_and_a_third_is_refused()
    {
        var code = _portal.NextAuthenticatorCode();
        var clients = new[] { _portal.NewClient(), _portal.NewClient(), _portal.NewClient() };
        foreach (var client in clients)
        {
            await PortalSignIn.PostPasswordAsync(client, DemoAccounts.OutsideDentist, DemoAccounts.Password);
        }

        var racing = await Task.WhenAll(clients[..2].Select(c => PortalSignIn.PostAuthenticatorCodeAsync(c, code)));
        var third = await PortalSignIn.PostAuthenticatorCodeAsync(clients[2], code);

        Assert.Equal(1, racing.Count(r => r.StatusCode == HttpStatusCode.Redirect));
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Failures_counted_from_stale_copies_of_an_account_all_count()
    {
        using var first = _portal.Services.CreateScope();
        using var second = _portal.Services.CreateScope();
        var firstUsers = first.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var secondUsers = second.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var a = (await firstUsers.FindByEmailAsync(DemoAccounts.RestrictedPatient))!;
        var b = (await secondUsers.FindByEmailAsync(DemoAccounts.RestrictedPatient))!;
        var before = a.AccessFailedCount;

        await firstUsers.AccessFailedAsync(a);
        await secondUsers.AccessFailedAsync(b);

        await using var db = _portal.CreateDbContext();
        Assert.Equal(before + 2, await db.Users.Where(u => u.Email == DemoAccounts.RestrictedPatient).Select(u => u.AccessFailedCount).SingleAsync());
        await firstUsers.ResetAccessFailedCountAsync(a);
        Assert.Equal(0, await db.Users.Where(u => u.Email == DemoAccounts.RestrictedPatient).Select(u => u.AccessFailedCount).SingleAsync());
    }

    [Theory]
    [InlineData("000000")]
    [InlineData("12345")]
    [InlineData("abcdef")]
    public async Task A_wrong_or_malformed_code_is_refused_with_a_clear_message(string code)
    {
        using var client = _portal.NewClient();
        await PortalSignIn.PostPasswordAsync(client, DemoAccounts.HospitalAdmin, DemoAccounts.Password);

        var refused = await PortalSignIn.PostAuthenticatorCodeAsync(client, code == "000000" ? WrongCode() : code);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.True(html.Contains("has already been used", StringComparison.Ordinal) || html.Contains("The code is six digits.", StringComparison.Ordinal), html);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin/provider")).StatusCode);
    }

    [Fact]
    public async Task Staff_without_a_second_factor_are_sent_to_set_one_up_and_their_area_stays_closed_until_then()
    {
        await using (var db = _portal.CreateDbContext())
        {
            await db.Users.Where(u => u.Email == DemoAccounts.PolyclinicNurse).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEnabled, false));
        }

        using var client = _portal.NewClient();
        var password = await PortalSignIn.PostPasswordAsync(client, DemoAccounts.PolyclinicNurse, DemoAccounts.Password);
        var closed = await client.GetAsync("/clinician");

        Assert.Equal("/Account/Manage/EnableAuthenticator", PathOf(password));
        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", closed.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.True(await db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.ActionRefused && e.Details!.Contains("/clinician") && e.Details.Contains("second factor")));
        }

        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/Account/Manage/EnableAuthenticator?required=true");
        var enrolled = await client.PostAsync("/Account/Manage/EnableAuthenticator", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "send-code",
            ["__RequestVerificationToken"] = token,
            ["Input.Code"] = _portal.NextAuthenticatorCode(),
        }));

        Assert.Contains("Recovery codes", await enrolled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/clinician")).StatusCode);
    }

    [Fact]
    public async Task Patients_sign_in_with_the_national_identity_alone_and_never_with_a_password()
    {
        using var client = _portal.NewClient();

        var password = await PortalSignIn.PostPasswordAsync(client, DemoAccounts.Patient, DemoAccounts.Password);
        Assert.Equal(HttpStatusCode.OK, password.StatusCode); // the sign-in page again, with its error
        using var singpass = await PortalSignIn.NationalIdentitySignInAsync(client, await _portal.NricOfAsync(DemoAccounts.Patient));

        Assert.Equal("/", singpass.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/patient")).StatusCode);
    }

    [Fact]
    public async Task Staff_cannot_switch_their_second_factor_off()
    {
        using var client = await _portal.SignedInClientAsync(DemoAccounts.HospitalDoctor);
        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/Account/Manage/Disable2fa");

        await client.PostAsync("/Account/Manage/Disable2fa", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "disable-2fa",
            ["__RequestVerificationToken"] = token,
        }));

        await using var db = _portal.CreateDbContext();
        Assert.True(await db.Users.Where(u => u.Email == DemoAccounts.HospitalDoctor).Select(u => u.TwoFactorEnabled).SingleAsync());
    }

    private static string PathOf(HttpResponseMessage redirect) => new Uri(new Uri("http://localhost"), redirect.Headers.Location!).AbsolutePath;

    private string WrongCode()
    {
        var now = _portal.Clock.GetUtcNow();
        var valid = new[] { -1, 0 }.Select(d => Totp.Code(DemoAccounts.AuthenticatorKey, now.AddSeconds(d * Totp.StepSeconds))).ToHashSet();
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }

}
