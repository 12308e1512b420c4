using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Notifications;
using Nehr.Core.Oversight;

namespace Nehr.Integration.Tests;

public sealed class OversightTests : IAsyncLifetime
{
    private const string Justification = DemoWorld.OverrideJustification;
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

    private async Task Do<TService>(Func<TService, Task> use)
        where TService : notnull => await _portal.WithAsync<TService, bool>(async s =>
        {
            await use(s);
            return true;
        });

    private Task<RecordView> OpenAsync(string userId, int patientId) =>
        With<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(userId), patientId, PurposeOfUse.Treatment)));

    private async Task<long> BreakTheGlassAsync()
    {
        var granted = await With<EmergencyOverrideService, EmergencyOverride>(s => s.GrantAsync(new OverrideRequest(
            DemoWorld.As(_world.DoctorUserId), _world.RestrictedPatientId, OverrideReason.UnconsciousPatient, Justification, true)));
        return granted.Id;
    }

    private async Task<AuditEvent> LastEventAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.LastEventAsync();
    }

    [Fact]
    public async Task An_override_reaches_the_queue_with_its_justification_and_every_access_and_gets_one_verdict()
    {
        var auditor = DemoWorld.As(_world.AuditorUserId);
        var id = await BreakTheGlassAsync();
        await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId);
        await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId);

        var summary = await With<ReviewQueue, ReviewQueueSummary>(q => q.SummaryAsync(auditor));
        Assert.Equal(1, summary.PendingOverrides);
        var item = Assert.Single(await With<ReviewQueue, IReadOnlyList<OverrideQueueItem>>(q => q.OverridesAsync(auditor, pending: true)));
        Assert.Equal(id, item.Id);
        var detail = (await With<ReviewQueue, OverrideDetail?>(q => q.OverrideAsync(auditor, id)))!;
        Assert.Equal(Justification, detail.Justification);
        Assert.Equal([AuditEventTypes.OverrideGranted, AuditEventTypes.RecordRead, AuditEventTypes.RecordRead], detail.Accesses.Select(a => a.EventType));
        Assert.Equal(AuditEventTypes.ReviewItemViewed, (await LastEventAsync()).EventType);

        var noFindings = await Assert.ThrowsAsync<DomainException>(() => Do<ReviewQueue>(q => q.ReviewOverrideAsync(auditor, id, false, " ", ProfessionalBody.SingaporeMedicalCouncil)));
        Assert.Contains("findings", noFindings.Message, StringComparison.Ordinal);
        await Do<ReviewQueue>(q => q.ReviewOverrideAsync(auditor, id, false, "No emergency: the patient was seen in a routine clinic.", ProfessionalBody.SingaporeMedicalCouncil));
        await Assert.ThrowsAsync<DomainException>(() => Do<ReviewQueue>(q => q.ReviewOverrideAsync(auditor, id, true, null, null)));

        await using var db = _portal.CreateDbContext();
        var reviewed = await db.EmergencyOverrides.SingleAsync(o => o.Id == id);
        Assert.Equal(OverrideReviewStatus.Inappropriate, reviewed.ReviewStatus);
        Assert.True(reviewed.ReferredToProfessionalBody);
        Assert.Equal(_world.AuditorUserId, reviewed.ReviewedBy);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.OverrideReviewed && e.Details!.Contains("verdict=Inappropriate")));
        Assert.Equal(0, (await With<ReviewQueue, ReviewQueueSummary>(q => q.SummaryAsync(auditor))).PendingOverrides);
    }

    [Fact]
    public async Task Only_auditors_review_and_a_refused_verdict_changes_nothing()
    {
        var id = await BreakTheGlassAsync();

        foreach (var outsider in new[] { _world.MohAdminUserId, _world.AdminUserId, _world.DoctorUserId, _world.RestrictedUserId })
        {
            await Assert.ThrowsAsync<AccessRefusedException>(() => Do<ReviewQueue>(q => q.ReviewOverrideAsync(DemoWorld.As(outsider), id, true, null, null)));
            await Assert.ThrowsAsync<AccessRefusedException>(() => With<ReviewQueue, OverrideDetail?>(q => q.OverrideAsync(DemoWorld.As(outsider), id)));
            Assert.Equal(AuditEventTypes.ActionRefused, (await LastEventAsync()).EventType);
        }

        await using var db = _portal.CreateDbContext();
        Assert.Equal(OverrideReviewStatus.Pending, (await db.EmergencyOverrides.SingleAsync(o => o.Id == id)).ReviewStatus);
    }

    [Fact]
    public async Task A_reported_access_is_closed_by_an_auditor_and_the_patient_is_told()
    {
        var read = await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        var report = await With<AccessReportService, AccessReport>(s => s.ReportAsync(DemoWorld.As(_world.PatientUserId), read.AuditSequence, "I was not at the hospital."));
        var auditor = DemoWorld.As(_world.AuditorUserId);

        var detail = (await With<ReviewQueue, ReportDetail?>(q => q.ReportAsync(auditor, report.Id)))!;
        Assert.Equal("I was not at the hospital.", detail.Comment);
        Assert.Equal("Dr Lee Wei Jie", detail.PersonName);
        await Assert.ThrowsAsync<DomainException>(() => Do<ReviewQueue>(q => q.CloseReportAsync(auditor, report.Id, null, "findings")));
        await Do<ReviewQueue>(q => q.CloseReportAsync(auditor, report.Id, true, "The doctor opened the record without a care relationship."));

        await using var db = _portal.CreateDbContext();
        Assert.Equal(ReportStatus.Confirmed, (await db.AccessReports.SingleAsync(r => r.Id == report.Id)).Status);
        var notice = await db.PatientNotices.Where(n => n.PatientId == _world.OpenPatientId).OrderByDescending(n => n.Id).FirstAsync();
        Assert.Equal(NoticeKind.ReportClosed, notice.Kind);
        Assert.Equal(AuditEventTypes.ReportClosed, (await db.LastEventAsync()).EventType);
    }

    [Fact]
    public async Task The_audit_search_filters_pages_exports_and_is_itself_audited()
    {
        var auditor = DemoWorld.As(_world.AuditorUserId);
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        await OpenAsync(_world.DentistUserId, _world.OpenPatientId);
        await OpenAsync(_world.NurseUserId, _world.SelectivePatientId);
        await using var db = _portal.CreateDbContext();
        var nric = await db.Patients.Where(p => p.Id == _world.OpenPatientId).Select(p => p.Nric.Value).SingleAsync();

        var byPatient = await With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(PatientNric: nric, EventType: AuditEventTypes.RecordRead), 1));
        Assert.Equal(2, byPatient.Total);
        Assert.All(byPatient.Rows, r => Assert.Equal(nric, r.PatientNric));
        Assert.Contains(byPatient.Rows, r => r.Outcome == AuditOutcome.Denied);
        Assert.Equal(AuditEventTypes.AuditSearched, (await db.LastEventAsync()).EventType);

        var byPerson = await With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(Person: "nurse.wong@nehr.demo", EventType: AuditEventTypes.RecordRead), 1));
        Assert.Equal(1, byPerson.Total);
        var byName = await With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(Person: "Wong Hui", EventType: AuditEventTypes.RecordRead), 1));
        Assert.Equal(1, byName.Total);
        var byProvider = await With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(ProviderId: _world.HospitalId, EventType: AuditEventTypes.RecordRead), 1));
        Assert.Equal(1, byProvider.Total);
        var future = LocalTime.Today(_portal.Clock.GetUtcNow().UtcDateTime).AddDays(1); // a Singapore day, as the filter reads it
        Assert.Equal(0, (await With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(From: future), 1))).Total);

        for (var i = 0; i < AuditSearch.PageSize; i++)
        {
            await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId);
        }

        var all = await With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(), 1));
        Assert.Equal(AuditSearch.PageSize, all.Rows.Count);
        Assert.True(all.Rows.Zip(all.Rows.Skip(1)).All(p => p.First.Sequence > p.Second.Sequence));
        var second = await With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(), 2));
        // The search itself was audited in between, so the second page starts one event later at most.
        Assert.InRange(all.Rows[^1].Sequence - second.Rows[0].Sequence, 0, 1);

        var exported = await With<AuditSearch, List<AuditRow>>(async s =>
        {
            var rows = new List<AuditRow>();
            await foreach (var row in s.ExportAsync(auditor, new AuditQuery(PatientNric: nric, EventType: AuditEventTypes.RecordRead)))
            {
                rows.Add(row);
            }

            return rows;
        });
        Assert.Equal(byPatient.Rows.Select(r => r.Sequence), exported.Select(r => r.Sequence));
        Assert.Equal(AuditEventTypes.AuditExported, (await db.LastEventAsync()).EventType);

        await Assert.ThrowsAsync<DomainException>(() => With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(PatientNric: "S1234567A"), 1)));
        await Assert.ThrowsAsync<DomainException>(() => With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(EventType: "no.such"), 1)));
        await Assert.ThrowsAsync<AccessRefusedException>(() => With<AuditSearch, AuditPage>(s => s.SearchAsync(DemoWorld.As(_world.MohAdminUserId), new AuditQuery(), 1)));
    }

    [Fact]
    public async Task Verifying_the_trail_reports_intact_and_is_recorded()
    {
        var result = await With<AuditSearch, AuditVerification>(s => s.VerifyAsync(DemoWorld.As(_world.AuditorUserId)));

        Assert.True(result.Intact);
        Assert.True(result.EventsChecked > 0);
        var e = await LastEventAsync();
        Assert.Equal(AuditEventTypes.AuditVerified, e.EventType);
        Assert.Contains("intact=True", e.Details, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AccessRefusedException>(() => With<AuditSearch, AuditVerification>(s => s.VerifyAsync(DemoWorld.As(_world.DoctorUserId))));
    }

    [Fact]
    public async Task A_suspended_person_is_refused_on_their_next_read_until_it_is_lifted()
    {
        var admin = DemoWorld.As(_world.MohAdminUserId);
        var people = await With<CorrectiveActions, IReadOnlyList<PersonSearchRow>>(a => a.FindPeopleAsync(admin, "dr.lee@"));
        var doctor = Assert.Single(people);

        await Assert.ThrowsAsync<DomainException>(() => Do<CorrectiveActions>(a => a.SetPersonSuspendedAsync(admin, doctor.PersonnelId, true, "short")));
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
        await Do<CorrectiveActions>(a => a.SetPersonSuspendedAsync(admin, doctor.PersonnelId, true, "Inappropriate override under investigation."));
        Assert.Equal(AuditEventTypes.PersonSuspended, (await LastEventAsync()).EventType);
        Assert.Equal(DecisionReason.PersonNehrAccessSuspended, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Reason);

        await Do<CorrectiveActions>(a => a.SetPersonSuspendedAsync(admin, doctor.PersonnelId, false, "Investigation closed, no finding."));
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
    }

    [Fact]
    public async Task A_suspended_provider_refuses_all_its_staff_and_only_moh_administrators_suspend()
    {
        var admin = DemoWorld.As(_world.MohAdminUserId);
        await Assert.ThrowsAsync<AccessRefusedException>(() =>
            Do<CorrectiveActions>(a => a.SetProviderSuspendedAsync(DemoWorld.As(_world.AuditorUserId), _world.HospitalId, true, "Unauthorised use found in audit.")));
        await Assert.ThrowsAsync<AccessRefusedException>(() =>
            Do<CorrectiveActions>(a => a.SetProviderSuspendedAsync(DemoWorld.As(_world.AdminUserId), _world.HospitalId, true, "Unauthorised use found in audit.")));
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);

        await Do<CorrectiveActions>(a => a.SetProviderSuspendedAsync(admin, _world.HospitalId, true, "Unauthorised use found in audit.", "Central General Hospital"));

        Assert.Equal(DecisionReason.ProviderNehrAccessSuspended, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Reason);
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.NurseUserId, _world.SelectivePatientId)).Decision.Level);
        await Assert.ThrowsAsync<DomainException>(() => Do<CorrectiveActions>(a => a.SetProviderSuspendedAsync(admin, _world.HospitalId, true, "Unauthorised use found in audit.")));
    }

    [Fact]
    public async Task Suspending_a_provider_states_how_many_staff_and_patients_it_stops_and_needs_the_providers_name()
    {
        var admin = DemoWorld.As(_world.MohAdminUserId);
        int staff, inCare, patients;
        await using (var db = _portal.CreateDbContext())
        {
            var now = _portal.Clock.GetUtcNow().UtcDateTime;
            staff = await db.Personnel.CountAsync(p => p.ProviderId == _world.HospitalId && p.IsActive);
            inCare = await db.Personnel.CountAsync(p => p.ProviderId == _world.HospitalId && p.IsActive && p.InvolvedInCare && !p.NehrAccessSuspended);
            patients = await db.CareRegistrations.CurrentAt(now).Where(r => r.ProviderId == _world.HospitalId).Select(r => r.PatientId).Distinct().CountAsync();
        }

        var impact = await With<CorrectiveActions, SuspensionImpact>(a => a.ProviderImpactAsync(admin, _world.HospitalId));

        Assert.Equal(new SuspensionImpact(_world.HospitalId, "Central General Hospital", staff, inCare, patients), impact);
        Assert.True(staff > 1 && patients > 0);
        await Assert.ThrowsAsync<AccessRefusedException>(() => With<CorrectiveActions, SuspensionImpact>(a => a.ProviderImpactAsync(DemoWorld.As(_world.AdminUserId), _world.HospitalId)));

        foreach (var wrong in new string?[] { null, "", "Central General", "Northshore Polyclinic" })
        {
            var refused = await Assert.ThrowsAsync<DomainException>(() =>
                Do<CorrectiveActions>(a => a.SetProviderSuspendedAsync(admin, _world.HospitalId, true, "Unauthorised use found in audit.", wrong)));
            Assert.Equal("Type the provider's name, Central General Hospital, to confirm the suspension.", refused.Message);
        }

        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
        await Do<CorrectiveActions>(a => a.SetProviderSuspendedAsync(admin, _world.HospitalId, true, "Unauthorised use found in audit.", "  central general hospital "));
        Assert.Equal(DecisionReason.ProviderNehrAccessSuspended, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Reason);

        // Lifting the suspension gives access back: no name to type.
        await Do<CorrectiveActions>(a => a.SetProviderSuspendedAsync(admin, _world.HospitalId, false, "Investigation closed without findings."));
        Assert.Equal(AccessLevel.Full, (await OpenAsync(_world.DoctorUserId, _world.OpenPatientId)).Decision.Level);
    }

    [Fact]
    public async Task A_directive_deadline_is_the_end_of_the_chosen_day_in_singapore()
    {
        var admin = DemoWorld.As(_world.MohAdminUserId);
        var day = NehrCalendar.Today(_portal.Clock.GetUtcNow().UtcDateTime).AddDays(3);

        var directive = await With<CorrectiveActions, DirectiveRow>(a => a.IssueDirectiveAsync(
            admin, _world.HospitalId, DirectiveKind.StopUnauthorisedUse, "Stop using the NEHR for pre-employment checks.", day));

        // Midnight after that day in Singapore is 16:00 UTC on the day itself.
        var midnight = day.ToDateTime(new TimeOnly(16, 0), DateTimeKind.Utc);
        Assert.Equal(midnight.AddTicks(-10), directive.DeadlineUtc);
        _portal.Clock.SetUtcNow(midnight.AddMinutes(-1));
        Assert.False((await With<CorrectiveActions, IReadOnlyList<DirectiveRow>>(a => a.DirectivesAsync(admin))).Single().Overdue);
        _portal.Clock.SetUtcNow(midnight.AddMinutes(1));
        Assert.True((await With<CorrectiveActions, IReadOnlyList<DirectiveRow>>(a => a.DirectivesAsync(admin))).Single().Overdue);
    }

    [Fact]
    public async Task A_licensed_provider_with_no_contribution_in_the_last_30_days_is_not_contributing()
    {
        var admin = DemoWorld.As(_world.MohAdminUserId);
        // Its contributions moved 61 days into the past (advancing the portal's clock that far would tick every timer
        // of the portal through each of its periods).
        await using (var db = _portal.CreateDbContext())
        {
            var longAgo = _portal.Clock.GetUtcNow().UtcDateTime.AddDays(-(ComplianceRow.WindowDays + 31));
            await db.ContributionBatches.ExecuteUpdateAsync(s => s.SetProperty(b => b.ReceivedAtUtc, longAgo));
        }

        var hospital = (await With<OversightDashboard, IReadOnlyList<ComplianceRow>>(d => d.ComplianceAsync(admin))).Single(r => r.ProviderId == _world.HospitalId);

        Assert.NotNull(hospital.LastContributionUtc); // it did contribute, long ago
        Assert.Equal(0, hospital.ResourcesLast30Days);
        Assert.True(hospital.NotContributing);
        Assert.Equal(ContributionState.NothingInWindow, hospital.State);
    }

    [Fact]
    public async Task The_audit_search_by_date_counts_days_as_singapore_does()
    {
        var auditor = DemoWorld.As(_world.AuditorUserId);
        // 23:30 in Singapore on a day is 15:30 UTC that day; 00:30 the next day in Singapore is 16:30 UTC that same UTC day.
        var day = NehrCalendar.Today(_portal.Clock.GetUtcNow().UtcDateTime).AddDays(2);
        _portal.Clock.SetUtcNow(day.ToDateTime(new TimeOnly(16, 30), DateTimeKind.Utc));
        await OpenAsync(_world.DentistUserId, _world.OpenPatientId);

        var onThatDay = await With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(From: day, To: day, EventType: AuditEventTypes.RecordRead), 1));
        var onTheNext = await With<AuditSearch, AuditPage>(s => s.SearchAsync(auditor, new AuditQuery(From: day.AddDays(1), To: day.AddDays(1), EventType: AuditEventTypes.RecordRead), 1));

        Assert.Equal(0, onThatDay.Total);
        Assert.Equal(1, onTheNext.Total);
    }

    [Fact]
    public async Task A_directive_goes_from_issue_to_acknowledgement_to_attestation_and_is_overdue_past_its_deadline()
    {
        var admin = DemoWorld.As(_world.MohAdminUserId);
        var providerAdmin = DemoWorld.As(_world.AdminUserId);
        var today = LocalTime.Today(_portal.Clock.GetUtcNow().UtcDateTime);
        await Assert.ThrowsAsync<DomainException>(() => With<CorrectiveActions, DirectiveRow>(a => a.IssueDirectiveAsync(
            admin, _world.HospitalId, DirectiveKind.StopUnauthorisedUse, "Stop it.", today.AddDays(7))));
        await Assert.ThrowsAsync<DomainException>(() => With<CorrectiveActions, DirectiveRow>(a => a.IssueDirectiveAsync(
            admin, _world.HospitalId, DirectiveKind.StopUnauthorisedUse, "Stop using the NEHR for pre-employment checks.", today.AddDays(-1))));
        var directive = await With<CorrectiveActions, DirectiveRow>(a => a.IssueDirectiveAsync(
            admin, _world.HospitalId, DirectiveKind.DestroyUnauthorisedInformation, "Destroy the NEHR extracts kept on the shared drive.", today.AddDays(7)));

        var seen = Assert.Single(await With<CorrectiveActions, IReadOnlyList<DirectiveRow>>(a => a.DirectivesAsync(providerAdmin)));
        Assert.Equal(DirectiveStatus.Issued, seen.Status);
        await Assert.ThrowsAsync<DomainException>(() => Do<CorrectiveActions>(a => a.AttestDoneAsync(providerAdmin, directive.Id, "All extracts were deleted and the drive wiped.")));
        await Assert.ThrowsAsync<AccessRefusedException>(() => Do<CorrectiveActions>(a => a.AcknowledgeAsync(admin, directive.Id)));
        await Do<CorrectiveActions>(a => a.AcknowledgeAsync(providerAdmin, directive.Id));

        _portal.Clock.Advance(TimeSpan.FromDays(9));
        Assert.True((await With<CorrectiveActions, IReadOnlyList<DirectiveRow>>(a => a.DirectivesAsync(admin))).Single().Overdue);
        await Do<CorrectiveActions>(a => a.AttestDoneAsync(providerAdmin, directive.Id, "All extracts were deleted and the drive wiped."));
        var done = (await With<CorrectiveActions, IReadOnlyList<DirectiveRow>>(a => a.DirectivesAsync(admin))).Single();
        Assert.Equal(DirectiveStatus.Done, done.Status);
        Assert.False(done.Overdue);

        await using var db = _portal.CreateDbContext();
        var types = await db.AuditEvents.Where(e => e.EventType.StartsWith("directive.")).OrderBy(e => e.Sequence).Select(e => e.EventType).ToListAsync();
        Assert.Equal([AuditEventTypes.DirectiveIssued, AuditEventTypes.DirectiveAcknowledged, AuditEventTypes.DirectiveAttested], types);
    }

    [Fact]
    public async Task A_directive_to_another_provider_cannot_be_acknowledged()
    {
        await using var db = _portal.CreateDbContext();
        var polyclinic = await db.Providers.Where(p => p.Code == ProviderCode.Parse("NSP01")).Select(p => p.Id).SingleAsync();
        var directive = await With<CorrectiveActions, DirectiveRow>(a => a.IssueDirectiveAsync(DemoWorld.As(_world.MohAdminUserId), polyclinic,
            DirectiveKind.StopUnauthorisedUse, "Stop using the NEHR for pre-employment checks.", DateOnly.FromDateTime(DateTime.UtcNow).AddDays(7)));

        await Assert.ThrowsAsync<AccessRefusedException>(() => Do<CorrectiveActions>(a => a.AcknowledgeAsync(DemoWorld.As(_world.AdminUserId), directive.Id)));

        Assert.Empty(await With<CorrectiveActions, IReadOnlyList<DirectiveRow>>(a => a.DirectivesAsync(DemoWorld.As(_world.AdminUserId))));
        Assert.Equal(DirectiveStatus.Issued, (await db.Directives.SingleAsync()).Status);
    }

    [Fact]
    public async Task A_system_goes_from_application_through_a_connectivity_test_call_and_the_checklist_to_hashed_credentials()
    {
        var providerAdmin = DemoWorld.As(_world.AdminUserId);
        var admin = DemoWorld.As(_world.MohAdminUserId);
        await Assert.ThrowsAsync<DomainException>(() => With<SystemOnboarding, SystemApplication>(o => o.ApplyAsync(providerAdmin, "  ")));
        var application = await With<SystemOnboarding, SystemApplication>(o => o.ApplyAsync(providerAdmin, "Outpatient EMR"));
        var id = application.System.Id;
        using var client = _portal.CreateClient();

        async Task<HttpStatusCode> TestCallAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/onboarding/connectivity-test");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await TestCallAsync(application.ConnectivityKey + "x"));
        await Assert.ThrowsAsync<DomainException>(() => With<SystemOnboarding, IssuedCredentials>(o => o.ApproveAsync(admin, id)));
        Assert.Equal(HttpStatusCode.OK, await TestCallAsync(application.ConnectivityKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await TestCallAsync(application.ConnectivityKey)); // works once

        await Do<SystemOnboarding>(o => o.SetSecurityItemsAsync(admin, id, SecurityItem.All & ~SecurityItem.PenetrationTest));
        await Assert.ThrowsAsync<DomainException>(() => With<SystemOnboarding, IssuedCredentials>(o => o.ApproveAsync(admin, id)));
        await Assert.ThrowsAsync<AccessRefusedException>(() => Do<SystemOnboarding>(o => o.SetSecurityItemsAsync(providerAdmin, id, SecurityItem.All)));
        await Do<SystemOnboarding>(o => o.SetSecurityItemsAsync(admin, id, SecurityItem.All));
        var credentials = await With<SystemOnboarding, IssuedCredentials>(o => o.ApproveAsync(admin, id));

        await using var db = _portal.CreateDbContext();
        var system = await db.SystemConnections.SingleAsync(s => s.Id == id);
        Assert.Equal(ConnectionState.Approved, system.State);
        Assert.Equal(credentials.ClientId, system.ClientId);
        Assert.DoesNotContain(credentials.ClientSecret, system.ClientSecretHash, StringComparison.Ordinal);
        Assert.True(ClientSecrets.Verify(credentials.ClientSecret, system.ClientSecretHash));
        Assert.False(ClientSecrets.Verify(credentials.ClientSecret + "x", system.ClientSecretHash));
        Assert.DoesNotContain(await db.AuditEvents.Select(e => e.Details).ToListAsync(), d => d != null && d.Contains(credentials.ClientSecret, StringComparison.Ordinal));

        await Do<SystemOnboarding>(o => o.SuspendAsync(admin, id));
        await Do<SystemOnboarding>(o => o.RevokeAsync(admin, id));
        await Assert.ThrowsAsync<DomainException>(() => Do<SystemOnboarding>(o => o.ReinstateAsync(admin, id)));
        var types = await db.AuditEvents.Where(e => e.SystemId == id).OrderBy(e => e.Sequence).Select(e => e.EventType).ToListAsync();
        Assert.Equal(
            [AuditEventTypes.SystemApplied, AuditEventTypes.SystemConnectivityTested, AuditEventTypes.SystemConnectivityTested,
             AuditEventTypes.SystemConnectivityTested, AuditEventTypes.SystemChecklistChanged, AuditEventTypes.SystemChecklistChanged, AuditEventTypes.SystemApproved,
             AuditEventTypes.SystemSuspended, AuditEventTypes.SystemRevoked],
            types);
    }

    [Fact]
    public async Task Compliance_shows_licensed_providers_that_never_contributed_and_the_dashboard_counts_overrides()
    {
        var admin = DemoWorld.As(_world.MohAdminUserId);
        var rows = await With<OversightDashboard, IReadOnlyList<ComplianceRow>>(d => d.ComplianceAsync(admin));

        Assert.True(rows.Single(r => r.Code == "EVD01").NotContributing);
        var hospital = rows.Single(r => r.ProviderId == _world.HospitalId);
        Assert.False(hospital.NotContributing);
        Assert.True(hospital.ResourcesLast30Days >= 0);
        Assert.NotNull(hospital.LastContributionUtc);
        await Assert.ThrowsAsync<AccessRefusedException>(() => With<OversightDashboard, IReadOnlyList<ComplianceRow>>(d => d.ComplianceAsync(DemoWorld.As(_world.AdminUserId))));

        await BreakTheGlassAsync();
        await OpenAsync(_world.DentistUserId, _world.OpenPatientId);
        var figures = await With<OversightDashboard, OversightFigures>(d => d.FiguresAsync(DemoWorld.As(_world.AuditorUserId)));
        Assert.Equal(1, figures.PendingOverrides);
        // One healthcare provider of the demo is not onboarded; the population register's keeper is not a provider to onboard.
        Assert.Equal(1, figures.ProvidersNotOnboarded);
        Assert.Equal(1, figures.OverridesPerWeek[^1].Count);
        Assert.Equal("Central General Hospital", Assert.Single(figures.OverridesPerProvider).Label);
        Assert.Equal(1, figures.BacklogAge[0].Count);
        Assert.True(figures.DeniedPerWeek[^1].Count >= 1);
    }
}
