using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Notifications;
using Nehr.Core.Oversight;
using Nehr.Core.Representatives;

namespace Nehr.Integration.Tests;

/// <summary>
/// Step 6's loop with the patient: an override's verdict told to the patient, referrals to a professional body with
/// their outcome, registrations the patient reports, and registrations MOH watches.
/// </summary>
public sealed partial class ClosingTheLoopTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync()
    {
        // A small minimum, so that the demo's few patients can make a provider stand out.
        _portal.Settings["Nehr:Oversight:Registrations:MinimumRegisteredPatients"] = "3";
        _world = await DemoWorld.LoadAsync(_portal);
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private Task<T> With<TService, T>(Func<TService, Task<T>> use)
        where TService : notnull => _portal.WithAsync(use);

    private async Task Do<TService>(Func<TService, Task> use)
        where TService : notnull => await _portal.WithAsync<TService, bool>(async s =>
        {
            await use(s);
            return true;
        });

    private AuditContext Auditor => DemoWorld.As(_world.AuditorUserId);

    private DateTime Now => _portal.Clock.GetUtcNow().UtcDateTime;

    private async Task<long> BreakTheGlassAsync()
    {
        var granted = await With<EmergencyOverrideService, EmergencyOverride>(s => s.GrantAsync(new OverrideRequest(
            DemoWorld.As(_world.DoctorUserId), _world.RestrictedPatientId, OverrideReason.UnconsciousPatient, DemoWorld.OverrideJustification, true)));
        return granted.Id;
    }

    private async Task<AuditEvent> LastEventAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.LastEventAsync();
    }

    [Theory]
    [InlineData(true, "found it appropriate: it was needed for your care.")]
    [InlineData(false, "found it was not appropriate. Corrective action follows.")]
    public async Task The_patient_is_told_the_verdict_on_an_override_of_their_record_in_plain_words_and_by_email(bool appropriate, string expected)
    {
        var id = await BreakTheGlassAsync();

        await Do<ReviewQueue>(q => q.ReviewOverrideAsync(Auditor, id, appropriate, appropriate ? null : "No emergency: a routine clinic visit.", null));

        await using var db = _portal.CreateDbContext();
        var notice = await db.PatientNotices.Where(n => n.PatientId == _world.RestrictedPatientId).OrderByDescending(n => n.Id).FirstAsync();
        Assert.Equal((NoticeKind.OverrideReviewed, id), (notice.Kind, notice.OverrideId));
        Assert.StartsWith("MOH auditors reviewed the emergency override of your record by a doctor at Central General Hospital on ", notice.Message, StringComparison.Ordinal);
        Assert.EndsWith(expected, notice.Message, StringComparison.Ordinal);
        Assert.Contains("卫生部审计员审查了", notice.Show(PatientWords.In(PatientWords.Culture("zh"))), StringComparison.Ordinal);
        var email = await db.OutboxMessages.OrderByDescending(m => m.Id).FirstAsync();
        Assert.Equal(PatientNotifier.OverrideReviewSubject, email.Subject);
        Assert.Contains(expected, email.Body, StringComparison.Ordinal);
        Assert.Equal(AuditEventTypes.OverrideReviewed, (await db.LastEventAsync()).EventType);
    }

    [Fact]
    public async Task A_referral_names_the_body_and_the_auditor_records_its_reference_outcome_and_penalty_once_audited()
    {
        var id = await BreakTheGlassAsync();
        await Do<ReviewQueue>(q => q.ReviewOverrideAsync(Auditor, id, false, "No emergency: the patient was seen in a routine clinic.", ProfessionalBody.SingaporeMedicalCouncil));

        var referred = (await With<ReviewQueue, OverrideDetail?>(q => q.OverrideAsync(Auditor, id)))!;
        Assert.Equal(new ReferralDetail(ProfessionalBody.SingaporeMedicalCouncil, null, null, null, null), referred.Referral);
        Assert.Equal("Singapore Medical Council", referred.Referral!.BodyName);
        Assert.Contains("body=SingaporeMedicalCouncil", (await LastOfTypeAsync(AuditEventTypes.OverrideReviewed)).Details, StringComparison.Ordinal);

        // Without the body's reference nothing is recorded; neither by an MOH administrator (refused, audited).
        Assert.Contains("reference", (await Assert.ThrowsAsync<DomainException>(() => Do<ReviewQueue>(q =>
            q.RecordReferralOutcomeAsync(Auditor, id, null, "Misconduct found.", null)))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AccessRefusedException>(() => Do<ReviewQueue>(q =>
            q.RecordReferralOutcomeAsync(DemoWorld.As(_world.MohAdminUserId), id, "SMC-2026-0142", "Misconduct found.", null)));
        Assert.Equal(AuditEventTypes.ActionRefused, (await LastEventAsync()).EventType);
        Assert.Null((await With<ReviewQueue, OverrideDetail?>(q => q.OverrideAsync(Auditor, id)))!.Referral!.Outcome);

        _portal.Clock.Advance(TimeSpan.FromDays(60));
        await Do<ReviewQueue>(q => q.RecordReferralOutcomeAsync(Auditor, id, "SMC-2026-0142", "Professional misconduct found.", "Fine of S$5,000 and censure."));

        var recorded = (await With<ReviewQueue, OverrideDetail?>(q => q.OverrideAsync(Auditor, id)))!.Referral!;
        Assert.Equal(("SMC-2026-0142", "Professional misconduct found.", "Fine of S$5,000 and censure.", Now),
            (recorded.Reference, recorded.Outcome, recorded.Penalty, recorded.OutcomeRecordedAtUtc));
        var audited = await LastOfTypeAsync(AuditEventTypes.ReferralOutcomeRecorded);
        Assert.Contains("reference=SMC-2026-0142; outcome=Professional misconduct found.; penalty=Fine of S$5,000 and censure.", audited.Details, StringComparison.Ordinal);
        Assert.Equal(_world.RestrictedPatientId, audited.PatientId);
        await Assert.ThrowsAsync<DomainException>(() => Do<ReviewQueue>(q => q.RecordReferralOutcomeAsync(Auditor, id, "SMC-2026-0142", "Changed.", null)));
    }

    private async Task<AuditEvent> LastOfTypeAsync(string type)
    {
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.Where(e => e.EventType == type).OrderByDescending(e => e.Sequence).FirstAsync();
    }

    /// <summary>The open patient's registration with the hospital, ended and made again by its administrator (audited).</summary>
    private async Task<long> RegisterAgainAsync()
    {
        var admin = DemoWorld.As(_world.AdminUserId);
        await using var db = _portal.CreateDbContext();
        var nric = await db.Patients.Where(p => p.Id == _world.OpenPatientId).Select(p => p.Nric.Value).SingleAsync();
        var current = (await With<ProviderAdministration, RegistrationPage>(a => a.RegistrationsAsync(admin, nric, 1))).Rows.Single();
        await Do<ProviderAdministration>(a => a.EndRegistrationAsync(admin, current.Id));
        return (await With<ProviderAdministration, RegistrationRow>(a => a.RegisterPatientAsync(admin, nric, DemoWorld.RegistrationEnd(_portal)))).Id;
    }

    [Fact]
    public async Task A_patient_reports_a_registration_and_it_reaches_the_auditors_queue_with_who_made_it_and_the_verdict_is_told()
    {
        var registrationId = await RegisterAgainAsync();
        var patient = DemoWorld.As(_world.PatientUserId);

        var seen = await With<AccessReportService, PatientRegistration?>(s => s.RegistrationAsync(patient, registrationId));
        Assert.Equal(("Central General Hospital", RegistrationSource.Administrator, (ReportStatus?)null), (seen!.Provider, seen.Source, seen.Report));
        var report = await With<AccessReportService, AccessReport>(s => s.ReportRegistrationAsync(patient, registrationId, "I have never been to this hospital."));

        await using var db = _portal.CreateDbContext();
        var registered = await LastOfTypeAsync(AuditEventTypes.CareRegistered);
        Assert.Equal((registrationId, registered.Sequence), (report.RegistrationId!.Value, report.AuditSequence));
        Assert.Contains($"reported registration={registrationId}", (await LastOfTypeAsync(AuditEventTypes.RegistrationReported)).Details, StringComparison.Ordinal);
        var item = Assert.Single(await With<ReviewQueue, IReadOnlyList<ReportQueueItem>>(q => q.ReportsAsync(Auditor, open: true)), r => r.Id == report.Id);
        Assert.Equal((report.Id, (long?)registrationId, "Central General Hospital"), (item.Id, item.RegistrationId, item.ProviderName));
        var detail = (await With<ReviewQueue, ReportDetail?>(q => q.ReportAsync(Auditor, report.Id)))!;
        Assert.Equal("I have never been to this hospital.", detail.Comment);
        Assert.Equal((RegistrationSource.Administrator, "Central General Hospital", (DateTime?)null),
            (detail.Registration!.Source, detail.Registration.ProviderName, detail.Registration.EndedAtUtc));
        var adminName = await db.Users.Where(u => u.Id == _world.AdminUserId).Select(u => u.DisplayName).SingleAsync();
        Assert.Equal(adminName, detail.Registration.RegisteredBy);

        await Do<ReviewQueue>(q => q.CloseReportAsync(Auditor, report.Id, true, "The administrator registered a relative without a care relationship."));

        var notice = await db.PatientNotices.Where(n => n.PatientId == _world.OpenPatientId).OrderByDescending(n => n.Id).FirstAsync();
        Assert.Equal((NoticeKind.ReportClosed, "MOH auditors looked into the care registration you reported and found it inappropriate. Corrective action follows."),
            (notice.Kind, notice.Message));
        Assert.Equal(ReportStatus.Confirmed, (await With<AccessReportService, PatientRegistration?>(s => s.RegistrationAsync(patient, registrationId)))!.Report);
    }

    [Fact]
    public async Task A_registration_from_before_registrations_were_audited_is_reported_on_the_reports_own_event()
    {
        await using var db = _portal.CreateDbContext();
        var demo = await db.CareRegistrations.Where(r => r.PatientId == _world.RestrictedPatientId).Select(r => r.Id).FirstAsync();

        var report = await With<AccessReportService, AccessReport>(s => s.ReportRegistrationAsync(DemoWorld.As(_world.RestrictedUserId), demo, null));

        var reported = await LastOfTypeAsync(AuditEventTypes.RegistrationReported);
        Assert.Equal((reported.Sequence, (long?)demo), (report.AuditSequence, report.RegistrationId));
        Assert.NotNull((await With<ReviewQueue, ReportDetail?>(q => q.ReportAsync(Auditor, report.Id)))!.Registration);
    }

    [Fact]
    public async Task Another_patients_registration_is_refused_audited_and_a_registration_is_reported_once()
    {
        var registrationId = await RegisterAgainAsync();
        var other = DemoWorld.As(_world.RestrictedUserId);

        Assert.Null(await With<AccessReportService, PatientRegistration?>(s => s.RegistrationAsync(other, registrationId)));
        var refused = await Assert.ThrowsAsync<AccessRefusedException>(() => With<AccessReportService, AccessReport>(s => s.ReportRegistrationAsync(other, registrationId, null)));
        Assert.Equal("This registration is not one of yours.", refused.Message);
        Assert.Equal(AuditEventTypes.ActionRefused, (await LastEventAsync()).EventType);
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.AccessReports.AnyAsync(r => r.RegistrationId == registrationId));

        var patient = DemoWorld.As(_world.PatientUserId);
        await With<AccessReportService, AccessReport>(s => s.ReportRegistrationAsync(patient, registrationId, null));
        var twice = await Assert.ThrowsAsync<DomainException>(() => With<AccessReportService, AccessReport>(s => s.ReportRegistrationAsync(patient, registrationId, null)));
        Assert.Contains("already reported this registration", twice.Message, StringComparison.Ordinal);
        Assert.Equal(1, await db.AccessReports.CountAsync(r => r.RegistrationId == registrationId));
        // Staff cannot report for a patient.
        await Assert.ThrowsAsync<AccessRefusedException>(() => With<AccessReportService, AccessReport>(s => s.ReportRegistrationAsync(DemoWorld.As(_world.AdminUserId), registrationId, null)));
    }

    [Fact]
    public async Task MOH_sees_registrations_per_provider_per_day_and_a_provider_that_registers_far_more_than_it_contributes_for()
    {
        await using var db = _portal.CreateDbContext();
        // The dental centre contributes nothing; it registers four patients yesterday. The hospital registers one.
        var providers = await db.Providers.AsNoTracking().ToListAsync();
        var dental = providers.Single(p => p.Code.Value == "EVD01");
        var yesterday = Now.AddDays(-1);
        var patients = await db.Patients.OrderBy(p => p.Id).Select(p => p.Id).Take(4).ToListAsync();
        foreach (var patientId in patients)
        {
            db.CareRegistrations.Add(new CareRegistration(patientId, dental.Id, "test", yesterday, yesterday.AddDays(90)));
        }

        db.CareRegistrations.Add(new CareRegistration(patients[0], _world.HospitalId, "test", yesterday, yesterday.AddDays(90)));
        await db.SaveChangesAsync();

        var figures = await With<RegistrationOversight, RegistrationFigures>(o => o.FiguresAsync(Auditor));

        Assert.Equal((3.0, 3), (figures.RatioThreshold, figures.MinimumRegisteredPatients));
        var dentalRatio = figures.Ratios.Single(r => r.ProviderId == dental.Id);
        Assert.Equal((4, 0, 4.0, true), (dentalRatio.RegisteredPatients, dentalRatio.ContributedPatients, dentalRatio.Ratio, dentalRatio.Flagged));
        Assert.Equal(dental.Id, figures.Ratios[0].ProviderId);
        Assert.False(figures.Ratios.Single(r => r.ProviderId == _world.HospitalId).Flagged);
        var day = figures.Days.ToList().IndexOf(NehrCalendar.Today(yesterday));
        Assert.Equal(RegistrationOversight.DaysShown, figures.Days.Count);
        Assert.Equal(4, figures.PerDay.Single(p => p.ProviderId == dental.Id).Counts[day]);
        Assert.Equal(1, figures.PerDay.Single(p => p.ProviderId == _world.HospitalId).Counts[day]);

        // MOH administrators see it too; nobody else (refused, audited).
        await With<RegistrationOversight, RegistrationFigures>(o => o.FiguresAsync(DemoWorld.As(_world.MohAdminUserId)));
        foreach (var outsider in new[] { _world.AdminUserId, _world.DoctorUserId, _world.PatientUserId })
        {
            await Assert.ThrowsAsync<AccessRefusedException>(() => With<RegistrationOversight, RegistrationFigures>(o => o.FiguresAsync(DemoWorld.As(outsider))));
            Assert.Equal(AuditEventTypes.ActionRefused, (await LastEventAsync()).EventType);
        }
    }

    /// <summary>An enumeration's name of two words or more ("AlliedHealthProfessional"), as code writes it.</summary>
    [GeneratedRegex("^[A-Z][a-z]+[A-Z]")]
    private static partial Regex CompoundName();

    [Fact]
    public async Task No_notice_or_email_of_any_kind_shows_an_enumeration_name()
    {
        await using (var arrange = _portal.CreateDbContext())
        {
            // The case: an allied health professional's override showed "alliedhealthprofessional".
            (await arrange.Personnel.SingleAsync(p => p.Id == _world.DoctorPersonnelId)).ChangeRole(ProfessionalRole.AlliedHealthProfessional, true);
            await arrange.SaveChangesAsync();
        }

        var first = await BreakTheGlassAsync();
        await Do<EmergencyOverrideService>(s => s.EndAsync(new EndOverrideRequest(DemoWorld.As(_world.DoctorUserId), _world.RestrictedPatientId)));
        await Do<ReviewQueue>(q => q.ReviewOverrideAsync(Auditor, first, false, "Not an emergency.", ProfessionalBody.AlliedHealthProfessionsCouncil));
        var second = await BreakTheGlassAsync();
        await Do<ReviewQueue>(q => q.ReviewOverrideAsync(Auditor, second, true, null, null));
        // A first access by a provider, a registration, a report of it and its verdict, a report of an access and its verdict.
        var read = await With<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(_world.NurseUserId), _world.OpenPatientId, PurposeOfUse.Treatment)));
        var registrationId = await RegisterAgainAsync();
        var patient = DemoWorld.As(_world.PatientUserId);
        var registrationReport = await With<AccessReportService, AccessReport>(s => s.ReportRegistrationAsync(patient, registrationId, null));
        await Do<ReviewQueue>(q => q.CloseReportAsync(Auditor, registrationReport.Id, false, "A visit the patient forgot."));
        var accessReport = await With<AccessReportService, AccessReport>(s => s.ReportAsync(patient, read.AuditSequence, null));
        await Do<ReviewQueue>(q => q.CloseReportAsync(Auditor, accessReport.Id, true, "No care relationship."));

        await using var db = _portal.CreateDbContext();
        var notices = await db.PatientNotices.AsNoTracking().ToListAsync();
        Assert.Subset(notices.Select(n => n.Kind).ToHashSet(),
            new HashSet<NoticeKind> { NoticeKind.EmergencyOverride, NoticeKind.OverrideReviewed, NoticeKind.RegisteredByProvider, NoticeKind.ReportClosed });
        Assert.Contains(notices, n => n.Message.Contains("allied health professional", StringComparison.Ordinal));
        var texts = notices.SelectMany(n => PatientWords.Languages.Select(l => n.Show(PatientWords.In(PatientWords.Culture(l)))))
            .Concat(await db.OutboxMessages.AsNoTracking().Select(m => m.Subject + "\n" + m.Body).ToListAsync())
            .ToList();
        var names = new[]
            {
                typeof(ProfessionalRole), typeof(OverrideReason), typeof(ProfessionalBody), typeof(NoticeKind), typeof(RegistrationSource),
                typeof(ReportStatus), typeof(OverrideReviewStatus), typeof(AccessLevel), typeof(DecisionReason), typeof(RepresentationKind),
            }
            .SelectMany(Enum.GetNames).Where(n => CompoundName().IsMatch(n)).ToList();
        Assert.Contains("AlliedHealthProfessional", names);
        foreach (var text in texts)
        {
            Assert.DoesNotContain(names, name => text.Contains(name, StringComparison.OrdinalIgnoreCase));
        }
    }
}
