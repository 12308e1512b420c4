using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;
using Nehr.Core.Oversight;

namespace Nehr.Integration.Tests;

/// <summary>
/// Role recertification: every provider administrator re-attests their personnel's roles and care involvement every
/// 90 days (Nehr:Recertification:IntervalDays); an overdue provider is on MOH's compliance view, and 14 days after
/// (GraceDays) its staff's reads are refused until it attests, which restores them at once.
/// </summary>
public sealed class RecertificationTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private DateTime Now => _portal.Clock.GetUtcNow().UtcDateTime;

    private Task<RecordView> OpenAsync(string userId, int patientId) =>
        _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(userId), patientId, PurposeOfUse.Treatment)));

    private async Task AdminAsync(Func<ProviderAdministration, Task> use) => await _portal.WithAsync<ProviderAdministration, bool>(async a =>
    {
        await use(a);
        return true;
    });

    /// <summary>The hospital's cycle started <paramref name="days"/> days ago (onboarded then, never attested since).</summary>
    private async Task OnboardedDaysAgoAsync(int providerId, double days)
    {
        await using var db = _portal.CreateDbContext();
        var since = Now.AddDays(-days);
        await db.Providers.Where(p => p.Id == providerId).ExecuteUpdateAsync(p => p.SetProperty(x => x.OnboardedAtUtc, since));
    }

    /// <summary>The provider's active staff as they are recorded: what an administrator confirming every row attests.</summary>
    private async Task<List<PersonnelAttestation>> ListAsIsAsync(int providerId)
    {
        await using var db = _portal.CreateDbContext();
        return await db.Personnel.AsNoTracking().Where(p => p.ProviderId == providerId && p.IsActive).OrderBy(p => p.Id)
            .Select(p => new PersonnelAttestation(p.Id, p.Role, p.InvolvedInCare)).ToListAsync();
    }

    private async Task<Provider> ProviderAsync(int id)
    {
        await using var db = _portal.CreateDbContext();
        return await db.Providers.AsNoTracking().SingleAsync(p => p.Id == id);
    }

    private async Task<AuditEvent> LastEventAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.LastEventAsync();
    }

    private async Task<int> PolyclinicIdAsync()
    {
        await using var db = _portal.CreateDbContext();
        var nurse = await db.Users.Where(u => u.Id == _world.NurseUserId).Select(u => u.PersonnelId!.Value).SingleAsync();
        return await db.Personnel.Where(p => p.Id == nurse).Select(p => p.ProviderId).SingleAsync();
    }

    private async Task<string> CreatePolyclinicAdministratorAsync(int polyclinicId)
    {
        await using (var db = _portal.CreateDbContext())
        {
            var person = new Personnel(polyclinicId, "Recert Polyclinic Admin", ProfessionalRole.Administrator, involvedInCare: false);
            db.Personnel.Add(person);
            await db.SaveChangesAsync();
            await using var scope = _portal.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = "recert.admin@nsp.example.sg", Email = "recert.admin@nsp.example.sg", DisplayName = "Recert Polyclinic Admin", PersonnelId = person.Id };
            Assert.True((await users.CreateAsync(user, DemoAccounts.Password)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, Roles.ProviderAdmin)).Succeeded);
            return user.Id;
        }
    }

    [Fact]
    public async Task A_clinician_of_a_provider_past_the_grace_period_is_refused_and_recertifying_restores_access_at_once()
    {
        await OnboardedDaysAgoAsync(_world.HospitalId, 90 + 14 + 1);

        var refused = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);

        Assert.Equal((AccessLevel.Denied, DecisionReason.ProviderNotRecertified), (refused.Decision.Level, refused.Decision.Reason));
        Assert.Null(refused.Patient);
        Assert.Empty(refused.Entries);
        Assert.Contains("recertified", refused.Decision.Explanation, StringComparison.Ordinal);
        var loss = await LastEventAsync();
        Assert.Equal((AuditEventTypes.RecordRead, AuditOutcome.Denied, "ProviderNotRecertified"), (loss.EventType, loss.Outcome, loss.Reason));
        Assert.Equal(_world.DoctorUserId, loss.ActorUserId);

        // The clinician's search is refused for the same reason (the record page is opened from it).
        var nric = await PatientNricAsync(_world.OpenPatientId);
        var lookup = await _portal.WithAsync<PatientLookup, LookupResult>(l => l.FindByNricAsync(DemoWorld.As(_world.DoctorUserId), nric));
        Assert.Equal(DecisionReason.ProviderNotRecertified, lookup.Decision.Reason);
        Assert.Null(lookup.Patient);

        var asIs = await ListAsIsAsync(_world.HospitalId);
        await AdminAsync(a => a.RecertifyAsync(DemoWorld.As(_world.AdminUserId), asIs));

        var restored = await LastEventAsync();
        Assert.Equal(AuditEventTypes.ProviderRecertified, restored.EventType);
        Assert.Contains("was=Lapsed; access-restored=True", restored.Details, StringComparison.Ordinal);
        Assert.Contains("changed=0", restored.Details, StringComparison.Ordinal);
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
        var provider = await ProviderAsync(_world.HospitalId);
        Assert.Equal((Now, _world.AdminUserId), (provider.RecertifiedAtUtc!.Value, provider.RecertifiedBy));
    }

    private async Task<Nehr.Core.Records.Nric> PatientNricAsync(int patientId)
    {
        await using var db = _portal.CreateDbContext();
        return await db.Patients.Where(p => p.Id == patientId).Select(p => p.Nric).SingleAsync();
    }

    [Fact]
    public async Task An_overdue_provider_keeps_access_within_the_grace_period_and_is_listed_first_on_mohs_compliance_view()
    {
        var moh = DemoWorld.As(_world.AuditorUserId);
        var current = await _portal.WithAsync<OversightDashboard, IReadOnlyList<RecertificationRow>>(d => d.RecertificationAsync(moh));
        var hospital = Assert.Single(current, r => r.ProviderId == _world.HospitalId);
        Assert.Equal(RecertificationState.Current, hospital.Status.State);
        Assert.Equal(Now.AddDays(90), hospital.Status.DueUtc);

        await OnboardedDaysAgoAsync(_world.HospitalId, 95);

        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
        var overdue = await _portal.WithAsync<OversightDashboard, IReadOnlyList<RecertificationRow>>(d => d.RecertificationAsync(moh));
        Assert.Equal((_world.HospitalId, RecertificationState.Overdue), (overdue[0].ProviderId, overdue[0].Status.State));
        Assert.Equal(Now.AddDays(-5 + 14), overdue[0].Status.AccessEndsUtc);
        Assert.All(overdue.Skip(1), r => Assert.Equal(RecertificationState.Current, r.Status.State));

        await OnboardedDaysAgoAsync(_world.HospitalId, 105);
        var lapsed = await _portal.WithAsync<OversightDashboard, IReadOnlyList<RecertificationRow>>(d => d.RecertificationAsync(moh));
        Assert.Equal((_world.HospitalId, RecertificationState.Lapsed), (lapsed[0].ProviderId, lapsed[0].Status.State));

        // Providers' administrators and clinicians do not see MOH's view.
        foreach (var outsider in new[] { _world.AdminUserId, _world.DoctorUserId, _world.PatientUserId })
        {
            await Assert.ThrowsAsync<AccessRefusedException>(() =>
                _portal.WithAsync<OversightDashboard, IReadOnlyList<RecertificationRow>>(d => d.RecertificationAsync(DemoWorld.As(outsider))));
        }
    }

    [Fact]
    public async Task Only_a_provider_administrator_attests_and_each_refusal_is_audited_and_changes_nothing()
    {
        await OnboardedDaysAgoAsync(_world.HospitalId, 120);
        var list = await ListAsIsAsync(_world.HospitalId);

        foreach (var outsider in new[] { _world.DoctorUserId, _world.AuditorUserId, _world.MohAdminUserId, _world.PatientUserId, "no-such-user" })
        {
            await Assert.ThrowsAsync<AccessRefusedException>(() => AdminAsync(a => a.RecertifyAsync(DemoWorld.As(outsider), list)));
            var refusal = await LastEventAsync();
            Assert.Equal((AuditEventTypes.ActionRefused, AuditOutcome.Denied), (refusal.EventType, refusal.Outcome));
            Assert.Contains("action=recertification.attest", refusal.Details, StringComparison.Ordinal);
        }

        Assert.Null((await ProviderAsync(_world.HospitalId)).RecertifiedAtUtc);
        Assert.Equal(DecisionReason.ProviderNotRecertified, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Reason);
    }

    [Fact]
    public async Task An_administrator_of_another_provider_cannot_attest_for_this_one_and_their_own_attestation_restores_only_theirs()
    {
        var polyclinic = await PolyclinicIdAsync();
        var polyclinicAdmin = await CreatePolyclinicAdministratorAsync(polyclinic);
        await OnboardedDaysAgoAsync(_world.HospitalId, 120);
        await OnboardedDaysAgoAsync(polyclinic, 120);
        var hospitalStaff = await ListAsIsAsync(_world.HospitalId);

        var refused = await Assert.ThrowsAsync<AccessRefusedException>(() => AdminAsync(a => a.RecertifyAsync(DemoWorld.As(polyclinicAdmin), hospitalStaff)));
        Assert.Equal("This person is not on your provider's staff.", refused.Message);
        var refusal = await LastEventAsync();
        Assert.Equal((AuditEventTypes.ActionRefused, polyclinicAdmin), (refusal.EventType, refusal.ActorUserId));
        // The hospital's list mixed into the polyclinic's own is refused whole: nothing is attested for either.
        var mixed = (await ListAsIsAsync(polyclinic)).Concat(hospitalStaff.Take(1)).ToList();
        await Assert.ThrowsAsync<AccessRefusedException>(() => AdminAsync(a => a.RecertifyAsync(DemoWorld.As(polyclinicAdmin), mixed)));
        Assert.Null((await ProviderAsync(_world.HospitalId)).RecertifiedAtUtc);
        Assert.Null((await ProviderAsync(polyclinic)).RecertifiedAtUtc);

        var own = await ListAsIsAsync(polyclinic);
        await AdminAsync(a => a.RecertifyAsync(DemoWorld.As(polyclinicAdmin), own));

        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.NurseUserId, _world.SelectivePatientId)).Decision.Level);
        Assert.Equal(DecisionReason.ProviderNotRecertified, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Reason);
    }

    [Fact]
    public async Task A_list_that_leaves_someone_out_or_changes_the_administrators_own_role_is_refused_and_changes_nothing()
    {
        await OnboardedDaysAgoAsync(_world.HospitalId, 120);
        var list = await ListAsIsAsync(_world.HospitalId);
        var admin = DemoWorld.As(_world.AdminUserId);
        int own;
        await using (var db = _portal.CreateDbContext())
        {
            own = await db.Users.Where(u => u.Id == _world.AdminUserId).Select(u => u.PersonnelId!.Value).SingleAsync();
        }

        var shortList = list.Where(p => p.PersonnelId != _world.DoctorPersonnelId).ToList();
        var missing = await Assert.ThrowsAsync<DomainException>(() => AdminAsync(a => a.RecertifyAsync(admin, shortList)));
        Assert.Contains("is not in the list you attest", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DomainException>(() => AdminAsync(a => a.RecertifyAsync(admin, [])));
        await Assert.ThrowsAsync<DomainException>(() => AdminAsync(a => a.RecertifyAsync(admin, [.. list, list[0]])));
        var notCare = list.Select(p => p.PersonnelId == _world.DoctorPersonnelId ? p with { Role = ProfessionalRole.Researcher, InvolvedInCare = true } : p).ToList();
        Assert.Contains("is not a role directly involved in patient care",
            (await Assert.ThrowsAsync<DomainException>(() => AdminAsync(a => a.RecertifyAsync(admin, notCare)))).Message, StringComparison.Ordinal);
        var ownChanged = list.Select(p => p.PersonnelId == own ? p with { Role = ProfessionalRole.Doctor, InvolvedInCare = true } : p).ToList();
        var refused = await Assert.ThrowsAsync<AccessRefusedException>(() => AdminAsync(a => a.RecertifyAsync(admin, ownChanged)));
        Assert.Equal(ProviderAdministration.OwnRoleRefusal, refused.Message);

        Assert.Null((await ProviderAsync(_world.HospitalId)).RecertifiedAtUtc);
        await using var check = _portal.CreateDbContext();
        Assert.Equal(ProfessionalRole.Administrator, await check.Personnel.Where(p => p.Id == own).Select(p => p.Role).SingleAsync());
        Assert.Equal(0, await check.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.ProviderRecertified));
    }

    [Fact]
    public async Task A_role_changed_in_the_attestation_is_audited_with_it_and_applies_to_the_next_read()
    {
        var list = (await ListAsIsAsync(_world.HospitalId))
            .Select(p => p.PersonnelId == _world.DoctorPersonnelId ? p with { Role = ProfessionalRole.Researcher, InvolvedInCare = false } : p).ToList();
        var before = (await LastEventAsync()).Sequence;

        await AdminAsync(a => a.RecertifyAsync(DemoWorld.As(_world.AdminUserId), list));

        await using var db = _portal.CreateDbContext();
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence > before).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal([AuditEventTypes.StaffRoleChanged, AuditEventTypes.ProviderRecertified], events.Select(e => e.EventType));
        Assert.Contains($"personnel={_world.DoctorPersonnelId}; from=Doctor/in care; to=Researcher/not in care; by=recertification", events[0].Details, StringComparison.Ordinal);
        Assert.Contains("changed=1; was=Current; access-restored=False", events[1].Details, StringComparison.Ordinal);
        Assert.Equal(events[0].CorrelationId, events[1].CorrelationId);
        Assert.Equal(DecisionReason.RoleNotInCare, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Reason);
    }

    [Fact]
    public async Task The_administrators_page_reads_where_the_provider_stands()
    {
        await OnboardedDaysAgoAsync(_world.HospitalId, 100);

        var status = await _portal.WithAsync<ProviderAdministration, ProviderRecertification>(a => a.RecertificationAsync(DemoWorld.As(_world.AdminUserId)));

        Assert.Equal(("Central General Hospital", RecertificationState.Overdue, 90, 14), (status.ProviderName, status.Status.State, status.IntervalDays, status.GraceDays));
        Assert.Equal(Now.AddDays(-10), status.Status.DueUtc);
        await Assert.ThrowsAsync<AccessRefusedException>(() =>
            _portal.WithAsync<ProviderAdministration, ProviderRecertification>(a => a.RecertificationAsync(DemoWorld.As(_world.DoctorUserId))));
    }
}

/// <summary>The recertification settings are checked when the portal starts.</summary>
[Trait("Database", "ProviderIndependent")]
public sealed class RecertificationSettingTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    [Theory]
    [InlineData("Nehr:Recertification:IntervalDays", "0", "Nehr:Recertification:IntervalDays must be between 7 and 365")]
    [InlineData("Nehr:Recertification:IntervalDays", "400", "Nehr:Recertification:IntervalDays must be between 7 and 365")]
    [InlineData("Nehr:Recertification:GraceDays", "-1", "Nehr:Recertification:GraceDays must be between 0 and 90")]
    public void A_recertification_setting_out_of_range_stops_the_portal_at_start(string setting, string value, string expected)
    {
        _portal.Settings[setting] = value;

        var failure = Assert.ThrowsAny<Exception>(() => _portal.Server);
        Assert.Contains(expected, failure.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _portal.Dispose();
}
