using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;
using Nehr.Core.Records;
using Nehr.Portal.Hosting.NationalIdentity;

namespace Nehr.Integration.Tests;

/// <summary>
/// Patients sign in with the national digital identity, through the portal's development provider (the same handler
/// code as with the real one): the first sign-in links the person to a new patient account, an unknown NRIC/FIN gets
/// no account, and patients have no password.
/// </summary>
public sealed class NationalIdentitySignInTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    public void Dispose() => _portal.Dispose();

    private async Task<(int Id, string Nric)> PersonWithoutAccountAsync()
    {
        await using var db = _portal.CreateDbContext();
        var person = await db.Patients.Where(p => !db.Users.Any(u => u.PatientId == p.Id) && !p.IsDeceased).OrderBy(p => p.Id).FirstAsync();
        return (person.Id, person.Nric.Value);
    }

    [Fact]
    public async Task A_first_sign_in_links_the_person_to_a_new_patient_account_with_no_password_and_audits_the_enrolment()
    {
        var (personId, nric) = await PersonWithoutAccountAsync();
        using var client = _portal.NewClient();

        using var done = await PortalSignIn.NationalIdentitySignInAsync(client, nric, "/patient/record");

        Assert.Equal("/patient/record", done.Headers.Location?.OriginalString);
        using var record = await client.GetAsync("/patient/record");
        Assert.Equal(HttpStatusCode.OK, record.StatusCode);
        await using var db = _portal.CreateDbContext();
        var account = await db.Users.SingleAsync(u => u.PatientId == personId);
        Assert.Null(account.PasswordHash);
        Assert.Null(account.Email);
        var roles = await db.UserRoles.Where(r => r.UserId == account.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name).ToListAsync();
        Assert.Equal([Roles.Patient], roles);
        var enrolled = await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.PatientEnrolled && e.PatientId == personId);
        Assert.Equal(account.Id, enrolled.ActorUserId);
        Assert.Contains($"identity={DevelopmentIdentityProvider.UuidOf(Nric.Parse(nric)):D}", enrolled.Details, StringComparison.Ordinal);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.SignIn && e.ActorUserId == account.Id && e.Details!.Contains("first sign-in")));

        // The next sign-in finds the account: no second account, no second enrolment.
        using var again = _portal.NewClient();
        using var second = await PortalSignIn.NationalIdentitySignInAsync(again, nric);
        Assert.Equal("/", second.Headers.Location?.OriginalString);
        Assert.Equal(1, await db.Users.CountAsync(u => u.PatientId == personId));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.PatientEnrolled && e.PatientId == personId));
    }

    [Fact]
    public async Task An_nric_the_register_does_not_know_gets_the_no_record_page_no_account_and_an_audited_refusal()
    {
        var unknown = Nric.FromDigits('S', 9_876_543).Value;
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.Patients.AnyAsync(p => p.Nric == Nric.Parse(unknown)));
        var accounts = await db.Users.CountAsync();
        using var client = _portal.NewClient();

        using var done = await PortalSignIn.NationalIdentitySignInAsync(client, unknown);

        Assert.Equal(NationalIdentityExtensions.NoRecordPath, done.Headers.Location?.OriginalString);
        var page = await client.GetStringAsync(NationalIdentityExtensions.NoRecordPath);
        Assert.Contains("There is no NEHR record for you yet", page, StringComparison.Ordinal);
        Assert.Equal(accounts, await db.Users.CountAsync());
        var refused = await db.AuditEvents.OrderBy(e => e.Sequence).LastAsync(e => e.EventType == AuditEventTypes.SignInFailed);
        Assert.Contains("no NEHR record", refused.Details, StringComparison.Ordinal);
        Assert.Contains(Nric.Parse(unknown).Masked, refused.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(unknown, refused.Details, StringComparison.Ordinal);
        using var area = await client.GetAsync("/patient");
        Assert.StartsWith("/Account/Login", area.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_person_the_register_records_as_deceased_cannot_sign_in_and_gets_no_account()
    {
        var (personId, nric) = await PersonWithoutAccountAsync();
        await using (var db = _portal.CreateDbContext())
        {
            await db.Patients.Where(p => p.Id == personId).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsDeceased, true));
        }

        using var client = _portal.NewClient();
        using var done = await PortalSignIn.NationalIdentitySignInAsync(client, nric);

        Assert.Equal($"{NationalIdentityExtensions.NoRecordPath}?reason=deceased", done.Headers.Location?.OriginalString);
        await using var check = _portal.CreateDbContext();
        Assert.False(await check.Users.AnyAsync(u => u.PatientId == personId));
        Assert.True(await check.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.SignInFailed && e.Details!.Contains("deceased")));
    }

    [Fact]
    public async Task A_patient_account_cannot_sign_in_with_a_password_even_one_set_behind_the_portals_back()
    {
        await using (var scope = _portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var patient = (await users.FindByEmailAsync(DemoAccounts.Patient))!;
            Assert.Null(patient.PasswordHash); // the demo patients have none
            Assert.True((await users.AddPasswordAsync(patient, DemoAccounts.Password)).Succeeded);
        }

        using var client = _portal.NewClient();
        using var answer = await PortalSignIn.PostPasswordAsync(client, DemoAccounts.Patient, DemoAccounts.Password);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("Patients sign in with Singpass", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var area = await client.GetAsync("/patient");
        Assert.StartsWith("/Account/Login", area.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_reset_for_a_patient_sends_no_link_and_a_patients_reset_is_refused()
    {
        await using var scope = _portal.Services.CreateAsyncScope();
        var resets = scope.ServiceProvider.GetRequiredService<PasswordResets>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var patient = (await users.FindByEmailAsync(DemoAccounts.Patient))!;
        var who = new AuditContext(null, "127.0.0.1", Guid.NewGuid().ToString("N"));

        await resets.RequestAsync(DemoAccounts.Patient, new Uri("https://localhost/Account/ResetPassword"), who);
        var code = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(patient)));
        var reset = await resets.ResetAsync(DemoAccounts.Patient, code, "a long and perfectly good passphrase", who);

        Assert.True(reset.IsInvalidLink);
        await using var db = _portal.CreateDbContext();
        Assert.Null((await db.Users.SingleAsync(u => u.Id == patient.Id)).PasswordHash);
        var mail = await db.OutboxMessages.Where(m => m.To == DemoAccounts.Patient).ToListAsync();
        Assert.All(mail, m => Assert.DoesNotContain("ResetPassword", m.Body, StringComparison.Ordinal));
        Assert.Contains(mail, m => m.Body.Contains("sign in with Singpass", StringComparison.Ordinal));
    }
}
