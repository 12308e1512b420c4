using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Integration.Tests;

public sealed class ProviderAdministrationTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private Task<T> AdminAsync<T>(Func<ProviderAdministration, Task<T>> use) => _portal.WithAsync(use);

    private async Task AdminAsync(Func<ProviderAdministration, Task> use) => await _portal.WithAsync<ProviderAdministration, bool>(async a =>
    {
        await use(a);
        return true;
    });

    private Task<RecordView> OpenAsync(string userId, int patientId) =>
        _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(userId), patientId, PurposeOfUse.Treatment)));

    /// <summary>Everything a failed action must leave as it was.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var db = _portal.CreateDbContext();
        var people = await db.Personnel.AsNoTracking().OrderBy(p => p.Id).Select(p => $"{p.Id}:{p.Role}:{p.InvolvedInCare}:{p.IsActive}").ToListAsync();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Id).Select(u => $"{u.Id}:{u.SecurityStamp}:{u.LockoutEnd}").ToListAsync();
        var registrations = await db.CareRegistrations.AsNoTracking().OrderBy(r => r.Id).Select(r => $"{r.Id}:{r.EndedAtUtc}").ToListAsync();
        return string.Join('|', people.Concat(users).Concat(registrations));
    }

    private async Task<AuditEvent> LastEventAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.LastEventAsync();
    }

    [Fact]
    public async Task An_administrator_creates_an_account_at_their_own_provider_with_a_temporary_password_shown_once()
    {
        var created = await AdminAsync(a => a.CreateAccountAsync(DemoWorld.As(_world.AdminUserId),
            new NewStaffMember("Dr Sim Hui Ling", "sim.hl@cgh.example.sg", ProfessionalRole.Doctor, true, Roles.Clinician)));

        await using var db = _portal.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == "sim.hl@cgh.example.sg");
        var person = await db.Personnel.SingleAsync(p => p.Id == user.PersonnelId);
        Assert.Equal(_world.HospitalId, person.ProviderId);
        Assert.True(user.MustChangePassword);
        Assert.NotEqual(created.TemporaryPassword, user.PasswordHash);
        var hasher = _portal.Services.GetRequiredService<IPasswordHasher<ApplicationUser>>();
        Assert.NotEqual(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(user, user.PasswordHash!, created.TemporaryPassword));
        var roles = await db.UserRoles.Where(r => r.UserId == user.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).ToListAsync();
        Assert.Equal([Roles.Clinician], roles);
        var e = await db.LastEventAsync();
        Assert.Equal(AuditEventTypes.AccountCreated, e.EventType);
        Assert.Equal(_world.AdminUserId, e.ActorUserId);

        // The new clinician can use the NEHR straight away, within the rules.
        Assert.Equal(AccessLevel.Full, (await OpenAsync(user.Id, _world.OpenPatientId)).Decision.Level);
    }

    [Theory]
    [InlineData("o'brien.k@cgh.example.sg")]
    [InlineData("ang+nehr@cgh.example.sg")]
    [InlineData("josé.tan@cgh.example.sg")]
    public async Task A_real_work_address_becomes_the_account_through_identitys_user_manager(string email)
    {
        var created = await AdminAsync(a => a.CreateAccountAsync(DemoWorld.As(_world.AdminUserId),
            new NewStaffMember("Staff With A Real Address", email, ProfessionalRole.Nurse, true, Roles.Clinician)));

        Assert.Equal(email, created.Email);
        await using var db = _portal.CreateDbContext();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
        var users = _portal.Services.CreateScope().ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Equal((users.NormalizeEmail(email), users.NormalizeName(email)), (user.NormalizedEmail, user.NormalizedUserName));
        Assert.False(string.IsNullOrEmpty(user.SecurityStamp)); // set by the user manager
        Assert.True(user.LockoutEnabled);
    }

    [Theory]
    [InlineData("", "a@b.sg", ProfessionalRole.Nurse, true, "Clinician", "name")]
    [InlineData("Nurse Lim", "not-an-email", ProfessionalRole.Nurse, true, "Clinician", "e-mail")]
    [InlineData("Nurse Lim", "dr.lee@nehr.demo", ProfessionalRole.Nurse, true, "Clinician", "already exists")]
    [InlineData("Clerk Tan", "clerk@cgh.example.sg", ProfessionalRole.FrontDeskStaff, true, "Clinician", "not a role directly involved")]
    [InlineData("Nurse Lim", "lim@cgh.example.sg", ProfessionalRole.Nurse, true, "MohAdmin", "clinician area or provider administration")]
    public async Task Bad_input_for_a_new_account_is_refused_with_a_clear_message_and_changes_nothing(
        string name, string email, ProfessionalRole role, bool inCare, string portalRole, string expected)
    {
        var before = await SnapshotAsync();

        var error = await Assert.ThrowsAsync<DomainException>(() => AdminAsync(a => a.CreateAccountAsync(
            DemoWorld.As(_world.AdminUserId), new NewStaffMember(name, email, role, inCare, portalRole))));

        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Deactivating_a_leaver_refuses_their_next_read_and_ends_their_sessions()
    {
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
        await using (var db = _portal.CreateDbContext())
        {
            var stamp = (await db.Users.SingleAsync(u => u.Id == _world.DoctorUserId)).SecurityStamp;
            await AdminAsync(a => a.DeactivateAsync(DemoWorld.As(_world.AdminUserId), _world.DoctorPersonnelId));
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == _world.DoctorUserId);
            Assert.NotEqual(stamp, user.SecurityStamp);
            Assert.Equal(DateTimeOffset.MaxValue, user.LockoutEnd);
            Assert.Equal(AuditEventTypes.StaffDeactivated, (await db.LastEventAsync()).EventType);
        }

        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        Assert.Equal(AccessLevel.Denied, view.Decision.Level);
        Assert.Equal(DecisionReason.AccountDisabled, view.Decision.Reason);
    }

    [Fact]
    public async Task A_role_changed_to_one_not_in_care_refuses_the_next_read()
    {
        await AdminAsync(a => a.ChangeRoleAsync(DemoWorld.As(_world.AdminUserId), _world.DoctorPersonnelId, ProfessionalRole.Researcher, false));

        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        Assert.Equal(DecisionReason.RoleNotInCare, view.Decision.Reason);
        Assert.Equal(AuditEventTypes.RecordRead, (await LastEventAsync()).EventType);

        await AdminAsync(a => a.ChangeRoleAsync(DemoWorld.As(_world.AdminUserId), _world.DoctorPersonnelId, ProfessionalRole.Doctor, true));
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
    }

    [Fact]
    public async Task An_administrator_cannot_touch_another_providers_staff_and_the_attempt_is_audited()
    {
        await using var db = _portal.CreateDbContext();
        var nurse = await db.Users.Where(u => u.Id == _world.NurseUserId).Select(u => u.PersonnelId!.Value).SingleAsync();
        var before = await SnapshotAsync();

        await Assert.ThrowsAsync<AccessRefusedException>(() => AdminAsync(a => a.DeactivateAsync(DemoWorld.As(_world.AdminUserId), nurse)));
        var refused = await LastEventAsync();
        await Assert.ThrowsAsync<AccessRefusedException>(() =>
            AdminAsync(a => a.ChangeRoleAsync(DemoWorld.As(_world.AdminUserId), nurse, ProfessionalRole.Researcher, false)));

        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(AuditEventTypes.ActionRefused, refused.EventType);
        Assert.Equal(AuditOutcome.Denied, refused.Outcome);
        Assert.Contains("personnel.deactivate", refused.Details, StringComparison.Ordinal);
        Assert.DoesNotContain((await AdminAsync(a => a.PersonnelAsync(DemoWorld.As(_world.AdminUserId)))), p => p.PersonnelId == nurse);
    }

    private async Task<int> AdminPersonnelIdAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.Users.Where(u => u.Id == _world.AdminUserId).Select(u => u.PersonnelId!.Value).SingleAsync();
    }

    [Fact]
    public async Task An_administrator_cannot_change_their_own_role_and_the_refusal_is_audited_with_nothing_changed()
    {
        var own = await AdminPersonnelIdAsync();
        var before = await SnapshotAsync();

        var refused = await Assert.ThrowsAsync<AccessRefusedException>(() =>
            AdminAsync(a => a.ChangeRoleAsync(DemoWorld.As(_world.AdminUserId), own, ProfessionalRole.Nurse, true)));

        Assert.Equal(ProviderAdministration.OwnRoleRefusal, refused.Message);
        Assert.Equal(before, await SnapshotAsync()); // the role, and the administrator's own session (security stamp), as they were
        var e = await LastEventAsync();
        Assert.Equal((AuditEventTypes.ActionRefused, AuditOutcome.Denied, _world.AdminUserId), (e.EventType, e.Outcome, e.ActorUserId));
        Assert.Contains("personnel.change-role", e.Details, StringComparison.Ordinal);
        Assert.Contains($"personnel={own} is the administrator's own", e.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_administrator_cannot_deactivate_themselves_and_the_refusal_is_audited_with_nothing_changed()
    {
        var own = await AdminPersonnelIdAsync();
        var before = await SnapshotAsync();

        var refused = await Assert.ThrowsAsync<AccessRefusedException>(() => AdminAsync(a => a.DeactivateAsync(DemoWorld.As(_world.AdminUserId), own)));

        Assert.Equal(ProviderAdministration.OwnDeactivationRefusal, refused.Message);
        Assert.Equal(before, await SnapshotAsync());
        var e = await LastEventAsync();
        Assert.Equal((AuditEventTypes.ActionRefused, AuditOutcome.Denied), (e.EventType, e.Outcome));
        Assert.Contains("personnel.deactivate", e.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saving_the_role_already_recorded_is_refused_as_no_change_and_ends_no_session()
    {
        var before = await SnapshotAsync();
        var lastEvent = await LastEventAsync();

        var error = await Assert.ThrowsAsync<DomainException>(() =>
            AdminAsync(a => a.ChangeRoleAsync(DemoWorld.As(_world.AdminUserId), _world.DoctorPersonnelId, ProfessionalRole.Doctor, true)));

        Assert.Contains("nothing to change", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync()); // the doctor's security stamp too: they stay signed in
        Assert.Equal(lastEvent.Sequence, (await LastEventAsync()).Sequence);
    }

    [Fact]
    public async Task A_role_change_is_audited_with_what_it_was_and_what_it_became()
    {
        await AdminAsync(a => a.ChangeRoleAsync(DemoWorld.As(_world.AdminUserId), _world.DoctorPersonnelId, ProfessionalRole.Researcher, false));

        var e = await LastEventAsync();
        Assert.Equal(AuditEventTypes.StaffRoleChanged, e.EventType);
        Assert.Equal($"personnel={_world.DoctorPersonnelId}; from=Doctor/in care; to=Researcher/not in care", e.Details);
    }

    [Fact]
    public async Task The_personnel_list_marks_the_administrators_own_row_only()
    {
        var own = await AdminPersonnelIdAsync();

        var people = await AdminAsync(a => a.PersonnelAsync(DemoWorld.As(_world.AdminUserId)));

        Assert.Equal([own], people.Where(p => p.IsYou).Select(p => p.PersonnelId));
        Assert.True(people.Count > 1);
    }

    [Fact]
    public async Task Only_provider_administrators_may_administer_and_every_refusal_is_audited()
    {
        foreach (var outsider in new[] { _world.DoctorUserId, _world.AuditorUserId, _world.MohAdminUserId, _world.PatientUserId, "no-such-user" })
        {
            var before = await LastEventAsync();
            await Assert.ThrowsAsync<AccessRefusedException>(() => AdminAsync(a => a.PersonnelAsync(DemoWorld.As(outsider))));
            await Assert.ThrowsAsync<AccessRefusedException>(() => AdminAsync(a => a.RegisterPatientAsync(DemoWorld.As(outsider), "S0000001I", DemoWorld.RegistrationEnd(_portal))));
            var after = await LastEventAsync();
            Assert.Equal(before.Sequence + 2, after.Sequence);
            Assert.Equal(AuditEventTypes.ActionRefused, after.EventType);
        }
    }

    [Fact]
    public async Task Ending_a_registration_refuses_the_care_team_and_registering_again_restores_access()
    {
        var who = DemoWorld.As(_world.AdminUserId);
        await using var db = _portal.CreateDbContext();
        var nric = await db.Patients.Where(p => p.Id == _world.OpenPatientId).Select(p => p.Nric.Value).SingleAsync();
        var registration = (await AdminAsync(a => a.RegistrationsAsync(who, nric, 1))).Rows.Single();

        await AdminAsync(a => a.EndRegistrationAsync(who, registration.Id));
        Assert.Equal(DecisionReason.PatientNotRegistered, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Reason);
        Assert.Equal(0, (await AdminAsync(a => a.RegistrationsAsync(who, nric, 1))).Total);

        var again = await AdminAsync(a => a.RegisterPatientAsync(who, nric.ToLowerInvariant(), DemoWorld.RegistrationEnd(_portal)));
        Assert.Equal(_world.OpenPatientId, again.PatientId);
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
        var events = await db.AuditEvents.Where(e => e.PatientId == _world.OpenPatientId && e.EventType.StartsWith("registration.")).OrderBy(e => e.Sequence)
            .Select(e => e.EventType).ToListAsync();
        Assert.Equal([AuditEventTypes.CareRegistrationEnded, AuditEventTypes.CareRegistered], events);
    }

    [Theory]
    [InlineData(null, "Choose the last day of the registration")]
    [InlineData(366, "at most a year")]
    [InlineData(1900, "at most a year")]
    [InlineData(0, "must end after today")]
    public async Task A_registration_without_a_last_day_or_lasting_more_than_a_year_is_refused_and_changes_nothing(int? daysAhead, string expected)
    {
        await using var db = _portal.CreateDbContext();
        var nric = await db.Patients.Where(p => p.Id == _world.OpenPatientId).Select(p => p.Nric.Value).SingleAsync();
        var registration = (await AdminAsync(a => a.RegistrationsAsync(DemoWorld.As(_world.AdminUserId), nric, 1))).Rows.Single();
        await AdminAsync(a => a.EndRegistrationAsync(DemoWorld.As(_world.AdminUserId), registration.Id));
        var today = NehrCalendar.Today(_portal.Clock.GetUtcNow().UtcDateTime);
        var before = await SnapshotAsync();

        var error = await Assert.ThrowsAsync<DomainException>(() => AdminAsync(a => a.RegisterPatientAsync(
            DemoWorld.As(_world.AdminUserId), nric, daysAhead is { } days ? today.AddDays(days) : null)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
        // A year from today is the last day allowed.
        var row = await AdminAsync(a => a.RegisterPatientAsync(DemoWorld.As(_world.AdminUserId), nric, today.AddYears(1)));
        Assert.Equal(NehrCalendar.EndOfDayUtc(today.AddYears(1)), row.ExpiresAtUtc);
    }

    [Fact]
    public async Task Registering_a_patient_again_tells_them_again()
    {
        var who = DemoWorld.As(_world.AdminUserId);
        await using var db = _portal.CreateDbContext();
        var nric = await db.Patients.Where(p => p.Id == _world.OpenPatientId).Select(p => p.Nric.Value).SingleAsync();
        var registration = (await AdminAsync(a => a.RegistrationsAsync(who, nric, 1))).Rows.Single();
        await AdminAsync(a => a.EndRegistrationAsync(who, registration.Id));
        var before = await db.PatientNotices.CountAsync(n => n.PatientId == _world.OpenPatientId && n.Kind == Nehr.Core.Notifications.NoticeKind.RegisteredByProvider);

        await AdminAsync(a => a.RegisterPatientAsync(who, nric, DemoWorld.RegistrationEnd(_portal)));

        var notices = await db.PatientNotices.Where(n => n.PatientId == _world.OpenPatientId && n.Kind == Nehr.Core.Notifications.NoticeKind.RegisteredByProvider)
            .OrderBy(n => n.Id).ToListAsync();
        Assert.Equal(before + 1, notices.Count);
        Assert.Contains("registered you for care until", notices[^1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("S1234567A", "check letter")]
    [InlineData("S0000000Z", "")]
    [InlineData("", "")]
    public async Task Registering_a_wrong_or_unknown_nric_is_refused_and_changes_nothing(string nric, string expected)
    {
        var before = await SnapshotAsync();

        var error = await Assert.ThrowsAsync<DomainException>(() => AdminAsync(a => a.RegisterPatientAsync(DemoWorld.As(_world.AdminUserId), nric, DemoWorld.RegistrationEnd(_portal))));

        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_patient_already_registered_is_not_registered_twice_and_another_providers_registration_cannot_be_ended()
    {
        await using var db = _portal.CreateDbContext();
        var nric = await db.Patients.Where(p => p.Id == _world.OpenPatientId).Select(p => p.Nric.Value).SingleAsync();
        var polyclinicRegistration = await db.CareRegistrations.Where(r => r.ProviderId != _world.HospitalId && r.EndedAtUtc == null).Select(r => r.Id).FirstAsync();
        var before = await SnapshotAsync();

        var twice = await Assert.ThrowsAsync<DomainException>(() => AdminAsync(a => a.RegisterPatientAsync(DemoWorld.As(_world.AdminUserId), nric, DemoWorld.RegistrationEnd(_portal))));
        await Assert.ThrowsAsync<AccessRefusedException>(() => AdminAsync(a => a.EndRegistrationAsync(DemoWorld.As(_world.AdminUserId), polyclinicRegistration)));

        Assert.Contains("already registered", twice.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public void Temporary_passwords_meet_the_password_policy_and_differ()
    {
        var passwords = Enumerable.Range(0, 200).Select(_ => ProviderAdministration.TemporaryPassword()).ToList();

        Assert.Equal(200, passwords.Distinct().Count());
        Assert.All(passwords, p =>
        {
            Assert.Equal(16, p.Length);
            Assert.Contains(p, char.IsUpper);
            Assert.Contains(p, char.IsLower);
            Assert.Contains(p, char.IsDigit);
            Assert.Contains(p, c => !char.IsLetterOrDigit(c));
        });
    }
}
