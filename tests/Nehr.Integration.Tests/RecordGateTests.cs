using Microsoft.EntityFrameworkCore;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

public sealed class RecordGateTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private Task<RecordView> OpenAsync(string userId, int patientId, PurposeOfUse? purpose = null) =>
        _portal.WithAsync<RecordGate, RecordView>(gate =>
            gate.OpenAsync(new RecordRequest(DemoWorld.As(userId), patientId, purpose ?? PurposeOfUse.Treatment)));

    private async Task ChangeAsync(Func<Nehr.Core.Data.NehrDbContext, Task> change)
    {
        await using var db = _portal.CreateDbContext();
        await change(db);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task An_unrestricted_patient_shows_the_full_record_to_the_registered_care_team()
    {
        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);

        Assert.Equal((AccessLevel.Full, DecisionReason.NoRestriction), (view.Decision.Level, view.Decision.Reason));
        Assert.Equal(Enum.GetValues<EntryKind>(), view.Entries.Keys.Order());
        Assert.All(view.Entries.Values, page => Assert.True(page.Total > 0));
        Assert.Equal("Tan Mei Ling", view.Patient!.Name);

        await using var db = _portal.CreateDbContext();
        var audited = await db.LastEventAsync();
        Assert.Equal((AuditEventTypes.RecordRead, _world.DoctorUserId, _world.OpenPatientId), (audited.EventType, audited.ActorUserId, audited.PatientId));
        Assert.Equal((AccessLevel.Full, AuditOutcome.Success, "NoRestriction"), (audited.Level!.Value, audited.Outcome, audited.Reason));
        Assert.Equal(view.AuditSequence, audited.Sequence);
        Assert.Equal(_world.HospitalId, audited.ActorProviderId);
    }

    [Fact]
    public async Task Restricted_patient_shows_basic_set_only()
    {
        var view = await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId);

        Assert.Equal((AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted), (view.Decision.Level, view.Decision.Reason));
        Assert.Equal([EntryKind.Allergy, EntryKind.Vaccination], view.Entries.Keys.Order());
        Assert.All(view.Entries.Values.SelectMany(p => p.Items), e => Assert.True(e.IsInBasicSet));
        Assert.NotNull(view.Patient);
    }

    [Fact]
    public async Task A_restricted_page_of_another_kind_returns_nothing()
    {
        var view = await _portal.WithAsync<RecordGate, RecordView>(gate => gate.ReadPageAsync(
            new RecordRequest(DemoWorld.As(_world.DoctorUserId), _world.RestrictedPatientId, PurposeOfUse.Treatment), EntryKind.Diagnosis, 1));

        Assert.Equal(AccessLevel.BasicSetOnly, view.Decision.Level);
        Assert.Empty(view.Entries);
    }

    [Fact]
    public async Task The_allowed_provider_sees_the_full_record_and_another_provider_the_basic_set()
    {
        var nurse = await OpenAsync(_world.NurseUserId, _world.SelectivePatientId);
        var doctor = await OpenAsync(_world.DoctorUserId, _world.SelectivePatientId);

        Assert.Equal((AccessLevel.Full, DecisionReason.ProviderAllowedByPatient), (nurse.Decision.Level, nurse.Decision.Reason));
        Assert.Equal((AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted), (doctor.Decision.Level, doctor.Decision.Reason));
    }

    [Fact]
    public async Task Given_unregistered_patient_When_opening_record_Then_denied_and_audited()
    {
        var view = await OpenAsync(_world.DentistUserId, _world.OpenPatientId);

        Assert.Equal((AccessLevel.Denied, DecisionReason.PatientNotRegistered), (view.Decision.Level, view.Decision.Reason));
        Assert.Null(view.Patient);
        Assert.Empty(view.Entries);
        await using var db = _portal.CreateDbContext();
        var audited = await db.LastEventAsync();
        Assert.Equal((AuditOutcome.Denied, AccessLevel.Denied, _world.DentistUserId), (audited.Outcome, audited.Level!.Value, audited.ActorUserId));
    }

    [Fact]
    public async Task A_patient_who_does_not_exist_looks_the_same_as_one_not_registered()
    {
        var view = await OpenAsync(_world.DoctorUserId, 987_654);

        Assert.Equal((AccessLevel.Denied, DecisionReason.PatientNotRegistered), (view.Decision.Level, view.Decision.Reason));
    }

    [Theory]
    [InlineData("HPAYMT")]
    [InlineData("COVERAGE")]
    [InlineData("EMPLOY")]
    public async Task Insurance_or_employment_purpose_is_denied_and_audited_with_the_purpose(string code)
    {
        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId, PurposeOfUse.FromCode(code));

        Assert.Equal((AccessLevel.Denied, DecisionReason.PurposeNotCare), (view.Decision.Level, view.Decision.Reason));
        await using var db = _portal.CreateDbContext();
        Assert.Contains($"purpose={code}", (await db.LastEventAsync()).Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_suspended_clinician_When_opening_record_Then_denied()
    {
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
        await ChangeAsync(async db => (await db.Personnel.SingleAsync(p => p.Id == _world.DoctorPersonnelId)).SuspendNehrAccess());

        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);

        Assert.Equal((AccessLevel.Denied, DecisionReason.PersonNehrAccessSuspended), (view.Decision.Level, view.Decision.Reason));
    }

    [Fact]
    public async Task A_role_change_to_a_non_care_role_takes_effect_on_the_next_read()
    {
        await ChangeAsync(async db => (await db.Personnel.SingleAsync(p => p.Id == _world.DoctorPersonnelId))
            .ChangeRole(ProfessionalRole.Researcher, involvedInCare: false));

        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);

        Assert.Equal((AccessLevel.Denied, DecisionReason.RoleNotInCare), (view.Decision.Level, view.Decision.Reason));
    }

    [Fact]
    public async Task A_deactivated_leaver_is_denied()
    {
        await ChangeAsync(async db => (await db.Personnel.SingleAsync(p => p.Id == _world.DoctorPersonnelId)).Deactivate());

        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);

        Assert.Equal((AccessLevel.Denied, DecisionReason.AccountDisabled), (view.Decision.Level, view.Decision.Reason));
    }

    [Fact]
    public async Task A_suspended_provider_cuts_off_its_clinicians()
    {
        await ChangeAsync(async db => (await db.Providers.SingleAsync(p => p.Id == _world.HospitalId)).SuspendNehrAccess());

        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);

        Assert.Equal((AccessLevel.Denied, DecisionReason.ProviderNehrAccessSuspended), (view.Decision.Level, view.Decision.Reason));
    }

    [Fact]
    public async Task An_ended_registration_ends_access()
    {
        await ChangeAsync(async db => (await db.CareRegistrations
            .SingleAsync(r => r.PatientId == _world.OpenPatientId && r.ProviderId == _world.HospitalId)).End("admin", _portal.Clock.GetUtcNow().UtcDateTime));

        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);

        Assert.Equal(DecisionReason.PatientNotRegistered, view.Decision.Reason);
    }

    [Theory]
    [InlineData("auditor")]
    [InlineData("admin")]
    [InlineData("patient")]
    public async Task Accounts_that_are_not_care_staff_are_denied(string who)
    {
        var userId = who switch { "auditor" => _world.AuditorUserId, "admin" => _world.AdminUserId, _ => _world.PatientUserId };

        var view = await OpenAsync(userId, _world.OpenPatientId);

        Assert.Equal((AccessLevel.Denied, DecisionReason.RoleNotInCare), (view.Decision.Level, view.Decision.Reason));
    }

    [Fact]
    public async Task Pages_are_newest_first_and_follow_on()
    {
        var request = new RecordRequest(DemoWorld.As(_world.DoctorUserId), _world.OpenPatientId, PurposeOfUse.Treatment);
        var first = await _portal.WithAsync<RecordGate, RecordView>(g => g.ReadPageAsync(request, EntryKind.LabResult, 1, pageSize: 2));
        var second = await _portal.WithAsync<RecordGate, RecordView>(g => g.ReadPageAsync(request, EntryKind.LabResult, 2, pageSize: 2));

        var a = first.Entries[EntryKind.LabResult];
        var b = second.Entries[EntryKind.LabResult];
        Assert.Equal(2, a.Items.Count);
        Assert.True(a.Items[0].OccurredAtUtc >= a.Items[1].OccurredAtUtc);
        Assert.True(a.Items[1].OccurredAtUtc >= b.Items[0].OccurredAtUtc);
        Assert.Empty(a.Items.Select(e => e.Id).Intersect(b.Items.Select(e => e.Id)));
        Assert.Equal(a.Total, b.Total);
    }

    [Fact]
    public async Task A_record_too_long_for_one_query_still_opens_with_exact_totals_newest_first()
    {
        // More entries than a first page reads in one query (RecordGate.ReadTogether): the counts and a query per kind.
        await using var db = _portal.CreateDbContext();
        var system = await db.SystemConnections.AsNoTracking().SingleAsync(s => s.ClientId == Nehr.Core.Data.Demo.DemoAccounts.SystemClientId);
        var person = await FhirPerson.LoadAsync(_portal, _world.OpenPatientId);
        var diagnoses = Enumerable.Range(0, RecordGate.ReadTogether + 5).Select(i => (Hl7.Fhir.Model.Resource)FhirBundles.Diagnosis($"long-{i}")).ToArray();
        var json = System.Text.Encoding.UTF8.GetBytes(FhirBundles.Json(FhirBundles.Transaction(person, diagnoses)));
        var result = await _portal.WithAsync<ContributionService, ContributionResult>(c =>
            c.ContributeAsync(new SystemCaller(system.Id, "127.0.0.1", "long-record", system.Kind), json));
        Assert.Equal(200, result.Status.HttpStatus());

        var view = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);

        var stored = db.ClinicalEntries.AsNoTracking().Where(e => e.PatientId == _world.OpenPatientId && e.WithdrawnAtUtc == null);
        Assert.True(await stored.CountAsync() > RecordGate.ReadTogether);
        foreach (var (kind, page) in view.Entries)
        {
            var ofKind = (await stored.ToListAsync()).Where(e => e.Kind == kind).OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Id).ToList();
            Assert.Equal(ofKind.Count, page.Total);
            Assert.Equal(ofKind.Take(RecordGate.DefaultPageSize).Select(e => e.Id), page.Items.Select(e => e.Id));
        }

        Assert.True(view.Entries[EntryKind.Diagnosis].Total > RecordGate.ReadTogether);
    }

    [Theory]
    [InlineData(0, 20)]
    [InlineData(1, 0)]
    [InlineData(1, 101)]
    public async Task Bad_paging_is_refused_and_writes_nothing(int page, int size)
    {
        await using var before = _portal.CreateDbContext();
        var events = await before.AuditEvents.CountAsync();

        await Assert.ThrowsAsync<DomainException>(() => _portal.WithAsync<RecordGate, RecordView>(g => g.ReadPageAsync(
            new RecordRequest(DemoWorld.As(_world.DoctorUserId), _world.OpenPatientId, PurposeOfUse.Treatment), EntryKind.Allergy, page, size)));

        Assert.Equal(events, await before.AuditEvents.CountAsync());
    }

    [Fact]
    public async Task A_patient_reads_their_own_full_record_and_that_read_is_audited()
    {
        var view = await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenOwnRecordAsync(DemoWorld.As(_world.RestrictedUserId)));

        Assert.Equal((AccessLevel.Full, DecisionReason.OwnRecord), (view.Decision.Level, view.Decision.Reason));
        Assert.Equal(Enum.GetValues<EntryKind>().Length, view.Entries.Count);
        Assert.Equal(_world.RestrictedPatientId, view.Patient!.Id);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(_world.RestrictedPatientId, (await db.LastEventAsync()).PatientId);
    }

    [Fact]
    public async Task Staff_have_no_own_record()
    {
        var view = await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenOwnRecordAsync(DemoWorld.As(_world.DoctorUserId)));

        Assert.Equal(AccessLevel.Denied, view.Decision.Level);
        Assert.Empty(view.Entries);
    }

    [Fact]
    public async Task After_all_these_reads_the_chain_verifies()
    {
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        await OpenAsync(_world.DentistUserId, _world.OpenPatientId);
        await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId, PurposeOfUse.Employment);

        await using var db = _portal.CreateDbContext();
        var result = await AuditTrail.VerifyAsync(db);

        Assert.True(result.Intact, result.Problem);
        Assert.Equal(await db.AuditEvents.CountAsync(), result.EventsChecked);
    }
}
