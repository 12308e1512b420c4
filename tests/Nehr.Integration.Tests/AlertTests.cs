using Microsoft.EntityFrameworkCore;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Identity;
using Nehr.Core.Notifications;
using Nehr.Core.Oversight;

namespace Nehr.Integration.Tests;

/// <summary>The alert scanner on the real portal: cases from the audit trail, the auditors' verdict, flagged records.</summary>
public sealed class AlertTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private Task<T> With<TService, T>(Func<TService, Task<T>> use)
        where TService : notnull => _portal.WithAsync(use);

    private Task<bool> Do<TService>(Func<TService, Task> use)
        where TService : notnull => _portal.WithAsync<TService, bool>(async s =>
        {
            await use(s);
            return true;
        });

    private Task<RecordView> OpenAsync(string userId, int patientId) =>
        With<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(userId), patientId, PurposeOfUse.Treatment)));

    private Task<int> ScanAsync() => With<AlertScanner, int>(s => s.ScanAsync());

    private Task<IReadOnlyList<AlertCaseRow>> QueueAsync(string userId, bool open = true) =>
        With<AlertCases, IReadOnlyList<AlertCaseRow>>(c => c.QueueAsync(DemoWorld.As(userId), open));

    private async Task<string> NricOfAsync(int patientId)
    {
        await using var db = _portal.CreateDbContext();
        return await db.Patients.Where(p => p.Id == patientId).Select(p => p.Nric.Value).SingleAsync();
    }

    /// <summary>A demo patient registered at the hospital whose family name is the hospital doctor's (Dr Lee Wei Jie).</summary>
    private async Task<int> LeePatientAsync()
    {
        await using var db = _portal.CreateDbContext();
        var registered = db.CareRegistrations.Where(r => r.ProviderId == _world.HospitalId && r.EndedAtUtc == null).Select(r => r.PatientId);
        return await db.Patients.Where(p => p.Name.StartsWith("Lee ") && registered.Contains(p.Id)).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync();
    }

    [Fact]
    public async Task A_doctor_opening_a_patient_of_their_family_name_raises_one_case_with_each_read_as_evidence_and_misuse_tells_the_patient()
    {
        var patientId = await LeePatientAsync();
        await ScanAsync();
        await OpenAsync(_world.DoctorUserId, patientId);
        await OpenAsync(_world.DoctorUserId, patientId);

        Assert.True(await ScanAsync() > 0);
        await ScanAsync();
        var row = Assert.Single(await QueueAsync(_world.AuditorUserId), c => c.Rule == AlertRule.FamilyName && c.PatientId == patientId);
        Assert.Equal((AlertSeverity.High, 2, "Dr Lee Wei Jie"), (row.Severity, row.EventCount, row.PersonName));
        Assert.Contains("shares the family name Lee", row.Summary, StringComparison.Ordinal);

        var detail = (await With<AlertCases, AlertCaseDetail?>(c => c.CaseAsync(DemoWorld.As(_world.AuditorUserId), row.Id)))!;
        Assert.Equal(2, detail.Evidence.Count);
        Assert.All(detail.Evidence, e => Assert.Equal((AuditEventTypes.RecordRead, AccessLevel.Full), (e.EventType, e.Level!.Value)));
        await using (var db = _portal.CreateDbContext())
        {
            var raised = await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.AlertRaised).Select(e => e.Details).ToListAsync();
            Assert.Contains(raised, d => d!.StartsWith($"case={row.Id}; rule=FamilyName;", StringComparison.Ordinal));
        }

        // A clinician sees no queue and closes no case; the refusals are audited.
        await Assert.ThrowsAsync<AccessRefusedException>(() => QueueAsync(_world.DoctorUserId));
        await Assert.ThrowsAsync<AccessRefusedException>(() => Do<AlertCases>(c => c.CloseAsync(DemoWorld.As(_world.DoctorUserId), row.Id, AlertStatus.FalseAlarm, null)));

        var noFindings = await Assert.ThrowsAsync<DomainException>(() => Do<AlertCases>(c => c.CloseAsync(DemoWorld.As(_world.AuditorUserId), row.Id, AlertStatus.Misuse, "  ")));
        Assert.Contains("Say what the misuse was", noFindings.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DomainException>(() => Do<AlertCases>(c => c.CloseAsync(DemoWorld.As(_world.AuditorUserId), row.Id, AlertStatus.Open, "x")));
        await using (var db = _portal.CreateDbContext())
        {
            Assert.Equal(AlertStatus.Open, await db.AlertCases.Where(c => c.Id == row.Id).Select(c => c.Status).SingleAsync());
        }

        await Do<AlertCases>(c => c.CloseAsync(DemoWorld.As(_world.AuditorUserId), row.Id, AlertStatus.Misuse, "Looked up a relative's record out of curiosity."));
        await Assert.ThrowsAsync<DomainException>(() => Do<AlertCases>(c => c.CloseAsync(DemoWorld.As(_world.AuditorUserId), row.Id, AlertStatus.Justified, null)));

        await using (var db = _portal.CreateDbContext())
        {
            var notice = await db.PatientNotices.Where(n => n.PatientId == patientId && n.Kind == NoticeKind.AccessReviewed).SingleAsync();
            Assert.Equal(
                $"MOH auditors reviewed an access to your record by a doctor at Central General Hospital on {LocalTime.Day(LocalTime.Today(_portal.Clock.GetUtcNow().UtcDateTime))} and found that it was not part of your care. Corrective action follows.",
                notice.Message);
            var closed = await db.LastEventAsync();
            Assert.Equal(AuditEventTypes.AlertClosed, closed.EventType);
            Assert.Contains("outcome=Misuse", closed.Details, StringComparison.Ordinal);
        }

        var statistics = await With<AlertCases, IReadOnlyList<AlertRuleStatistics>>(c => c.StatisticsAsync(DemoWorld.As(_world.AuditorUserId)));
        var family = statistics.Single(s => s.Rule == AlertRule.FamilyName);
        Assert.Equal((1, 0, 0.0), (family.Misuse, family.Open, family.FalseAlarmRate!.Value));
    }

    [Fact]
    public async Task A_flagged_record_makes_every_access_a_case_and_only_an_moh_administrator_flags_with_a_valid_nric()
    {
        var nric = await NricOfAsync(_world.OpenPatientId);

        var admin = DemoWorld.As(_world.MohAdminUserId);
        var bad = await Assert.ThrowsAsync<DomainException>(() => With<AlertCases, FlaggedRecordRow>(c => c.FlagAsync(admin, "S1234567A", RecordFlag.Vip, null)));
        Assert.True(bad.Errors.ContainsKey("Nric"));
        await Assert.ThrowsAsync<DomainException>(() => With<AlertCases, FlaggedRecordRow>(c => c.FlagAsync(admin, nric, null, null)));
        await Assert.ThrowsAsync<AccessRefusedException>(() => With<AlertCases, FlaggedRecordRow>(c => c.FlagAsync(DemoWorld.As(_world.AuditorUserId), nric, RecordFlag.Vip, null)));
        await using (var db = _portal.CreateDbContext())
        {
            Assert.False(await db.FlaggedRecords.AnyAsync());
        }

        await ScanAsync();
        await With<AlertCases, FlaggedRecordRow>(c => c.FlagAsync(admin, nric.ToLowerInvariant(), RecordFlag.PublicFigure, "Member of Parliament"));
        await OpenAsync(_world.NurseUserId, _world.OpenPatientId);
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        await ScanAsync();

        var flagged = (await QueueAsync(_world.AuditorUserId)).Where(c => c.Rule == AlertRule.FlaggedRecord).ToList();
        Assert.Equal(2, flagged.Count);
        Assert.All(flagged, c => Assert.Contains("flagged by MOH (Public figure)", c.Summary, StringComparison.Ordinal));

        await Do<AlertCases>(c => c.UnflagAsync(admin, _world.OpenPatientId));
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        await ScanAsync();
        Assert.Equal(2, (await QueueAsync(_world.AuditorUserId)).Count(c => c.Rule == AlertRule.FlaggedRecord));
    }

    [Fact]
    public async Task A_closed_case_takes_no_more_evidence_a_later_access_raises_a_new_case_and_judging_the_day_again_raises_neither_twice()
    {
        var patientId = await LeePatientAsync();
        var auditor = DemoWorld.As(_world.AuditorUserId);
        await ScanAsync();
        await OpenAsync(_world.DoctorUserId, patientId);
        await ScanAsync();
        var first = Assert.Single(await QueueAsync(_world.AuditorUserId), c => c.Rule == AlertRule.FamilyName && c.PatientId == patientId);
        await Do<AlertCases>(c => c.CloseAsync(auditor, first.Id, AlertStatus.Justified, "Her doctor today."));

        await OpenAsync(_world.DoctorUserId, patientId);
        await ScanAsync();
        var second = Assert.Single(await QueueAsync(_world.AuditorUserId), c => c.Rule == AlertRule.FamilyName && c.PatientId == patientId);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(1, second.EventCount);

        var today = LocalTime.Today(_portal.Clock.GetUtcNow().UtcDateTime);
        await With<AlertCases, int>(c => c.RecomputeAsync(auditor, today, today));
        await using var db = _portal.CreateDbContext();
        var cases = await db.AlertCases.AsNoTracking().Where(c => c.Rule == AlertRule.FamilyName && c.PatientId == patientId)
            .OrderBy(c => c.Id).Select(c => new { c.Id, c.Status, c.EventCount }).ToListAsync();
        Assert.Equal([(first.Id, AlertStatus.Justified, 1), (second.Id, AlertStatus.Open, 1)], cases.Select(c => (c.Id, c.Status, c.EventCount)));
        Assert.Equal(2, await db.AlertEvidence.CountAsync(e => e.CaseId == first.Id || e.CaseId == second.Id));
    }

    [Fact]
    public async Task An_administrator_records_an_existing_doctors_nric_and_his_opening_his_own_record_is_then_a_case()
    {
        var admin = DemoWorld.As(_world.AdminUserId);
        var doctorId = _world.DoctorPersonnelId;
        var nric = await NricOfAsync(_world.OpenPatientId);
        string before;
        await using (var db = _portal.CreateDbContext())
        {
            before = string.Join('|', (await db.Personnel.OrderBy(p => p.Id).Select(p => new { p.Id, p.Nric }).ToListAsync()).Select(p => $"{p.Id}:{p.Nric}"));
        }

        // Bad input and the administrator's own record are refused, and change nothing.
        var bad = await Assert.ThrowsAsync<DomainException>(() => Do<ProviderAdministration>(a => a.SetNricAsync(admin, doctorId, "S1234567A")));
        Assert.StartsWith("The NRIC or FIN: ", bad.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DomainException>(() => Do<ProviderAdministration>(a => a.SetNricAsync(admin, doctorId, "  ")));
        int adminId;
        await using (var db = _portal.CreateDbContext())
        {
            adminId = await db.Users.Where(u => u.Id == _world.AdminUserId).Select(u => u.PersonnelId!.Value).SingleAsync();
        }

        await Assert.ThrowsAsync<AccessRefusedException>(() => Do<ProviderAdministration>(a => a.SetNricAsync(admin, adminId, nric)));
        await using (var db = _portal.CreateDbContext())
        {
            Assert.Equal(before, string.Join('|', (await db.Personnel.OrderBy(p => p.Id).Select(p => new { p.Id, p.Nric }).ToListAsync()).Select(p => $"{p.Id}:{p.Nric}")));
        }

        await Do<ProviderAdministration>(a => a.SetNricAsync(admin, doctorId, nric.ToLowerInvariant()));
        var listed = (await With<ProviderAdministration, IReadOnlyList<StaffMember>>(a => a.PersonnelAsync(admin))).Single(p => p.PersonnelId == doctorId);
        Assert.Equal(nric, listed.Nric);
        await using (var db = _portal.CreateDbContext())
        {
            var e = await db.LastEventAsync();
            Assert.Equal((AuditEventTypes.StaffNricSet, $"personnel={doctorId}; nric=recorded"), (e.EventType, e.Details));
        }

        await ScanAsync();
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        await ScanAsync();
        var own = Assert.Single(await QueueAsync(_world.AuditorUserId), c => c.Rule == AlertRule.OwnRecord);
        Assert.Equal(_world.OpenPatientId, own.PatientId);

        await Do<ProviderAdministration>(a => a.SetNricAsync(admin, doctorId, null));
        await using (var db = _portal.CreateDbContext())
        {
            Assert.Null(await db.Personnel.Where(p => p.Id == doctorId).Select(p => p.Nric).SingleAsync());
            Assert.Equal($"personnel={doctorId}; nric=removed", (await db.LastEventAsync()).Details);
        }
    }

    [Fact]
    public async Task Misuse_found_in_a_pattern_of_reads_tells_no_patient_for_the_verdict_is_not_about_one_access()
    {
        var auditor = DemoWorld.As(_world.AuditorUserId);
        await ScanAsync();
        for (var i = 0; i < 62; i++)
        {
            await OpenAsync(_world.NurseUserId, _world.OpenPatientId);
        }

        await ScanAsync();
        var volume = Assert.Single(await QueueAsync(_world.AuditorUserId), c => c.Rule == AlertRule.Volume);
        Assert.Null(volume.PatientId);
        await Do<AlertCases>(c => c.CloseAsync(auditor, volume.Id, AlertStatus.Misuse, "Browsed records with no patient in front of her."));

        await using var db = _portal.CreateDbContext();
        Assert.False(await db.PatientNotices.AnyAsync(n => n.Kind == NoticeKind.AccessReviewed));
        Assert.Equal(AuditEventTypes.AlertClosed, (await db.LastEventAsync()).EventType);
    }

    [Fact]
    public async Task Judging_a_period_again_counts_the_days_afresh_and_raises_no_case_twice()
    {
        var patientId = await LeePatientAsync();
        await OpenAsync(_world.DoctorUserId, patientId);
        await ScanAsync();
        int cases, evidence;
        List<(int, DateOnly, int, int)> days;
        await using (var db = _portal.CreateDbContext())
        {
            (cases, evidence) = (await db.AlertCases.CountAsync(), await db.AlertEvidence.CountAsync());
            days = (await db.StaffActivityDays.AsNoTracking().ToListAsync()).Select(d => (d.PersonnelId, d.Day, d.Opens, d.BasicSetViews)).Order().ToList();
            Assert.Equal(await db.AuditChainHeads.Select(h => h.LastPosition).SingleAsync(), (await db.AlertScanStates.SingleAsync()).PositionsByChain()[1]);
        }

        var today = LocalTime.Today(_portal.Clock.GetUtcNow().UtcDateTime);
        var judged = await With<AlertCases, int>(c => c.RecomputeAsync(DemoWorld.As(_world.AuditorUserId), today.AddDays(-3), today));
        Assert.True(judged > 0);
        await Assert.ThrowsAsync<DomainException>(() => With<AlertCases, int>(c => c.RecomputeAsync(DemoWorld.As(_world.AuditorUserId), today, today.AddDays(-1))));
        await Assert.ThrowsAsync<DomainException>(() => With<AlertCases, int>(c => c.RecomputeAsync(DemoWorld.As(_world.AuditorUserId), today.AddDays(-200), today)));
        await Assert.ThrowsAsync<AccessRefusedException>(() => With<AlertCases, int>(c => c.RecomputeAsync(DemoWorld.As(_world.DoctorUserId), today, today)));

        await using (var db = _portal.CreateDbContext())
        {
            Assert.Equal((cases, evidence), (await db.AlertCases.CountAsync(), await db.AlertEvidence.CountAsync()));
            Assert.Equal(days, (await db.StaffActivityDays.AsNoTracking().ToListAsync()).Select(d => (d.PersonnelId, d.Day, d.Opens, d.BasicSetViews)).Order().ToList());
            Assert.Equal(AuditEventTypes.AlertsRecomputed, (await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.AlertsRecomputed).SingleAsync()).EventType);
        }
    }

    [Fact]
    public async Task A_member_of_staff_given_their_nric_raises_a_case_opening_their_own_record_and_that_of_someone_they_care_for()
    {
        // Tan Mei Ling is Priya's caregiver in the demo data; she also works at the hospital, under her own NRIC.
        var tanNric = await NricOfAsync(_world.OpenPatientId);

        var admin = DemoWorld.As(_world.AdminUserId);
        var bad = await Assert.ThrowsAsync<DomainException>(() => With<ProviderAdministration, CreatedAccount>(a => a.CreateAccountAsync(admin,
            new NewStaffMember("Tan Mei Ling", "tan.meiling@cgh.example.sg", ProfessionalRole.Nurse, true, Roles.Clinician, "S1234567A"))));
        Assert.Contains("The NRIC or FIN", bad.Message, StringComparison.Ordinal);
        var created = await With<ProviderAdministration, CreatedAccount>(a => a.CreateAccountAsync(admin,
            new NewStaffMember("Tan Mei Ling", "tan.meiling@cgh.example.sg", ProfessionalRole.Nurse, true, Roles.Clinician, tanNric.ToLowerInvariant())));
        string nurseUserId;
        await using (var db = _portal.CreateDbContext())
        {
            Assert.Equal(tanNric, (await db.Personnel.SingleAsync(p => p.Id == created.PersonnelId)).Nric!.Value.Value);
            Assert.Equal(1, await db.Users.CountAsync(u => u.Email == "tan.meiling@cgh.example.sg"));
            nurseUserId = await db.Users.Where(u => u.PersonnelId == created.PersonnelId).Select(u => u.Id).SingleAsync();
        }

        await ScanAsync();
        await OpenAsync(nurseUserId, _world.OpenPatientId);
        await OpenAsync(nurseUserId, _world.SelectivePatientId);
        await OpenAsync(_world.DoctorUserId, _world.SelectivePatientId);
        await ScanAsync();

        var cases = (await QueueAsync(_world.AuditorUserId)).Where(c => c.PersonnelId == created.PersonnelId || c.PersonnelId == _world.DoctorPersonnelId).ToList();
        Assert.Equal(
            [(AlertRule.OwnRecord, created.PersonnelId, _world.OpenPatientId), (AlertRule.RepresentedPerson, created.PersonnelId, _world.SelectivePatientId)],
            cases.Where(c => c.Rule is AlertRule.OwnRecord or AlertRule.RepresentedPerson).Select(c => (c.Rule, c.PersonnelId!.Value, c.PatientId!.Value)).Order().ToList());
        Assert.DoesNotContain(cases, c => c.PersonnelId == _world.DoctorPersonnelId && c.Rule is AlertRule.OwnRecord or AlertRule.RepresentedPerson);
    }
}
