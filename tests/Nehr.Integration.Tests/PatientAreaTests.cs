using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Notifications;

namespace Nehr.Integration.Tests;

public sealed class PatientAreaTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), "nehr-outbox", Guid.NewGuid().ToString("N"));
    private DemoWorld _world = null!;

    public async Task InitializeAsync()
    {
        _portal.Settings["Nehr:Email:PickupDirectory"] = _outbox;
        _portal.Settings["Nehr:Email:PollSeconds"] = "3600"; // the test sends; the background loop stays out of the way
        _world = await DemoWorld.LoadAsync(_portal);
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        if (Directory.Exists(_outbox))
        {
            Directory.Delete(_outbox, recursive: true);
        }

        return Task.CompletedTask;
    }

    private Task<RecordView> OpenAsync(string userId, int patientId, PurposeOfUse? purpose = null) =>
        _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(userId), patientId, purpose ?? PurposeOfUse.Treatment)));

    private Task<HistoryPage> HistoryAsync(string userId, HistoryFilter? filter = null) =>
        _portal.WithAsync<AccessHistory, HistoryPage>(h => h.PageAsync(DemoWorld.As(userId), filter ?? new HistoryFilter(), 1, 50));

    private async Task<(int Notices, int Emails)> CountsAsync(int patientId)
    {
        await using var db = _portal.CreateDbContext();
        return (await db.PatientNotices.CountAsync(n => n.PatientId == patientId), await db.OutboxMessages.CountAsync());
    }

    [Fact]
    public async Task The_first_access_by_a_provider_is_told_to_the_patient_once()
    {
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        await OpenAsync(_world.NurseUserId, _world.OpenPatientId);
        await OpenAsync(_world.DentistUserId, _world.OpenPatientId); // denied: not an access

        Assert.Equal((2, 2), await CountsAsync(_world.OpenPatientId));
        await using var db = _portal.CreateDbContext();
        var notices = await db.PatientNotices.Where(n => n.PatientId == _world.OpenPatientId).OrderBy(n => n.Id).ToListAsync();
        Assert.All(notices, n => Assert.Equal(NoticeKind.FirstAccessByProvider, n.Kind));
        Assert.Contains("Central General Hospital", notices[0].Message, StringComparison.Ordinal);
        Assert.Equal("patient@nehr.demo", (await db.OutboxMessages.OrderBy(m => m.Id).FirstAsync()).To);
    }

    [Fact]
    public async Task The_outbox_writes_each_message_once_to_the_pickup_folder()
    {
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        var dispatcher = _portal.Services.GetRequiredService<OutboxDispatcher>();

        Assert.Equal(1, await dispatcher.DispatchOnceAsync());
        Assert.Equal(0, await dispatcher.DispatchOnceAsync());

        var file = Assert.Single(Directory.GetFiles(_outbox, "*.eml"));
        var text = await File.ReadAllTextAsync(file);
        Assert.Contains("To: patient@nehr.demo", text, StringComparison.Ordinal);
        Assert.Contains(PatientNotifier.Subject, text, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.NotNull((await db.OutboxMessages.SingleAsync()).SentAtUtc);
    }

    [Fact]
    public async Task The_history_lists_every_staff_access_to_the_patients_own_record_denied_ones_included()
    {
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        await OpenAsync(_world.DentistUserId, _world.OpenPatientId);
        await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId); // someone else's record
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenOwnRecordAsync(DemoWorld.As(_world.PatientUserId))); // her own look

        var page = await HistoryAsync(_world.PatientUserId);

        Assert.Equal(2, page.Total);
        Assert.Equal(["Eastview Dental Centre", "Central General Hospital"], page.Rows.Select(r => r.ProviderName));
        Assert.Equal(AuditOutcome.Denied, page.Rows[0].Outcome);
        Assert.All(page.Rows, r => Assert.Null(r.PersonName));
        Assert.Equal(1, (await HistoryAsync(_world.PatientUserId, new HistoryFilter(Level: HistoryLevel.Denied))).Total);
        Assert.Equal(1, (await HistoryAsync(_world.PatientUserId, new HistoryFilter(ProviderId: _world.HospitalId))).Total);
        var tomorrow = LocalTime.Today(_portal.Clock.GetUtcNow().UtcDateTime).AddDays(1); // a Singapore day, as the filter reads it
        Assert.Equal(0, (await HistoryAsync(_world.PatientUserId, new HistoryFilter(From: tomorrow))).Total);
    }

    [Fact]
    public async Task An_override_shows_the_clinicians_name_in_the_history()
    {
        await _portal.WithAsync<EmergencyOverrideService, EmergencyOverride>(s => s.GrantAsync(new OverrideRequest(
            DemoWorld.As(_world.DoctorUserId), _world.RestrictedPatientId, OverrideReason.UnconsciousPatient,
            "Found unconscious at home by family; need the medication list and diagnoses urgently.", true)));
        await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId);

        var page = await HistoryAsync(_world.RestrictedUserId, new HistoryFilter(Level: HistoryLevel.EmergencyOverride));

        Assert.Equal(2, page.Total);
        Assert.All(page.Rows, r => Assert.Equal("Dr Lee Wei Jie", r.PersonName));
        // Two notices: the override itself, and the hospital's first access.
        Assert.Equal(2, await _portal.WithAsync<NoticeBoard, int>(n => n.UnreadCountAsync(DemoWorld.As(_world.RestrictedUserId))));
    }

    [Fact]
    public async Task Staff_accounts_have_no_history_of_their_own_to_see_and_asking_is_refused_and_audited()
    {
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);

        await Assert.ThrowsAsync<AccessRefusedException>(() => HistoryAsync(_world.DoctorUserId));
        await Assert.ThrowsAsync<AccessRefusedException>(() => HistoryAsync("no-such-user"));
        await using var db = _portal.CreateDbContext();
        var refusal = await db.LastEventAsync();
        Assert.Equal((AuditEventTypes.ActionRefused, AuditOutcome.Denied), (refusal.EventType, refusal.Outcome));
        Assert.Contains("read access history", refusal.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_opens_a_case_once_and_is_audited()
    {
        var read = await OpenAsync(_world.NurseUserId, _world.OpenPatientId);

        var report = await _portal.WithAsync<AccessReportService, AccessReport>(r =>
            r.ReportAsync(DemoWorld.As(_world.PatientUserId), read.AuditSequence, "I have never been to this polyclinic."));

        Assert.Equal(ReportStatus.Open, report.Status);
        var again = await Assert.ThrowsAsync<DomainException>(() => _portal.WithAsync<AccessReportService, AccessReport>(r =>
            r.ReportAsync(DemoWorld.As(_world.PatientUserId), read.AuditSequence, null)));
        Assert.Contains("already reported", again.Message, StringComparison.Ordinal);
        Assert.Equal(ReportStatus.Open, (await HistoryAsync(_world.PatientUserId)).Rows.Single().Report);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(AuditEventTypes.AccessReported, (await db.LastEventAsync()).EventType);
    }

    [Fact]
    public async Task A_patient_cannot_report_an_access_to_someone_elses_record()
    {
        var othersRead = await OpenAsync(_world.DoctorUserId, _world.RestrictedPatientId);
        await using var db = _portal.CreateDbContext();
        var before = await db.AuditEvents.CountAsync();

        var error = await Assert.ThrowsAsync<AccessRefusedException>(() => _portal.WithAsync<AccessReportService, AccessReport>(r =>
            r.ReportAsync(DemoWorld.As(_world.PatientUserId), othersRead.AuditSequence, "not mine")));

        Assert.Contains("not in your access history", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await db.AccessReports.CountAsync());
        // Nothing but the refusal itself is written.
        Assert.Equal(before + 1, await db.AuditEvents.CountAsync());
        var refusal = await db.LastEventAsync();
        Assert.Equal((AuditEventTypes.ActionRefused, _world.PatientUserId), (refusal.EventType, refusal.ActorUserId));
    }

    [Fact]
    public async Task Notices_are_the_patients_own_and_can_be_marked_read()
    {
        await OpenAsync(_world.DoctorUserId, _world.OpenPatientId);
        var board = _portal.Services.CreateScope().ServiceProvider.GetRequiredService<NoticeBoard>();

        Assert.Equal(1, await board.UnreadCountAsync(DemoWorld.As(_world.PatientUserId)));
        Assert.Equal(0, await board.UnreadCountAsync(DemoWorld.As(_world.SelectiveUserId)));
        await Assert.ThrowsAsync<AccessRefusedException>(() => board.LatestAsync(DemoWorld.As(_world.DoctorUserId)));
        await board.MarkAllReadAsync(DemoWorld.As(_world.SelectiveUserId));
        Assert.Equal(1, await board.UnreadCountAsync(DemoWorld.As(_world.PatientUserId)));
        await board.MarkAllReadAsync(DemoWorld.As(_world.PatientUserId));
        Assert.Equal(0, await board.UnreadCountAsync(DemoWorld.As(_world.PatientUserId)));
    }

    [Fact]
    public async Task Own_settings_show_the_versions_with_provider_names()
    {
        await _portal.WithAsync<RestrictionService, RestrictionChange?>(s =>
            s.ChangeOwnAsync(DemoWorld.As(_world.PatientUserId), RestrictionMode.AllowSelectedProviders, [_world.HospitalId], 0));

        var settings = await _portal.WithAsync<RestrictionService, RestrictionSettings>(s => s.GetOwnAsync(DemoWorld.As(_world.PatientUserId)));

        Assert.Equal((RestrictionMode.AllowSelectedProviders, 1), (settings!.Mode, settings.Version));
        Assert.Equal("Central General Hospital", Assert.Single(settings.AllowedProviders).Name);
        var version = Assert.Single(settings.History);
        Assert.Equal(["Central General Hospital"], version.ToProviders);
        Assert.True(version.ByPatient);
        await Assert.ThrowsAsync<AccessRefusedException>(() => _portal.WithAsync<RestrictionService, RestrictionSettings>(s => s.GetOwnAsync(DemoWorld.As(_world.DoctorUserId))));
    }

    [Theory]
    [InlineData("central", "Central General Hospital")]
    [InlineData("NSP01", "Northside Polyclinic")]
    [InlineData("dental", "Eastview Dental Centre")]
    public async Task The_provider_register_is_searchable_by_name_or_code(string text, string expected)
    {
        var found = await _portal.WithAsync<RestrictionService, IReadOnlyList<ProviderChoice>>(s => s.SearchProvidersAsync(text));

        Assert.Equal(expected, Assert.Single(found).Name);
    }
}
