using System.Net;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data.Demo;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

/// <summary>
/// The patient's access history as the patient reads it: visits (one per person, provider and day), refusals in plain
/// words, "Full record" including overrides, Singapore time, and the CSV exactly the visits the page shows.
/// </summary>
public sealed class PatientHistoryVisitTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private RecordRequest Request(string userId, int patientId, PurposeOfUse? purpose = null) =>
        new(DemoWorld.As(userId), patientId, purpose ?? PurposeOfUse.Treatment);

    private Task<VisitPage> VisitsAsync(string userId, HistoryFilter? filter = null) =>
        _portal.WithAsync<AccessHistory, VisitPage>(h => h.VisitsAsync(DemoWorld.As(userId), filter ?? new HistoryFilter(), 1, 50));

    [Fact]
    public async Task A_clinician_opening_the_record_and_four_parts_of_it_is_one_visit_with_the_parts_named()
    {
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.DoctorUserId, _world.OpenPatientId)));
        foreach (var kind in new[] { EntryKind.Medication, EntryKind.LabResult, EntryKind.Diagnosis, EntryKind.LabResult })
        {
            await _portal.WithAsync<RecordGate, RecordView>(g => g.ReadPageAsync(Request(_world.DoctorUserId, _world.OpenPatientId), kind, 1));
        }

        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.NurseUserId, _world.OpenPatientId)));

        var visits = await VisitsAsync(_world.PatientUserId);

        Assert.Equal(2, visits.Total);
        var doctor = visits.Visits.Single(v => v.Accesses == 5);
        Assert.True(doctor.OpenedRecord);
        Assert.Equal([EntryKind.Medication, EntryKind.LabResult, EntryKind.Diagnosis], doctor.Sections);
        Assert.Equal(["TREAT"], doctor.Purposes);
        Assert.Equal(AccessLevel.Full, doctor.Level);
        Assert.Equal("Central General Hospital", doctor.ProviderName);
        Assert.Equal(1, visits.Visits.Single(v => v != doctor).Accesses);
    }

    [Fact]
    public async Task The_pages_of_visits_are_the_whole_history_in_order_with_each_visit_whole()
    {
        // Four visits: the doctor (an open and two parts), the nurse, the doctor refused, the nurse refused.
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.DoctorUserId, _world.OpenPatientId)));
        await _portal.WithAsync<RecordGate, RecordView>(g => g.ReadPageAsync(Request(_world.DoctorUserId, _world.OpenPatientId), EntryKind.LabResult, 1));
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.NurseUserId, _world.OpenPatientId)));
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.DoctorUserId, _world.OpenPatientId, PurposeOfUse.InsurancePayment)));
        await _portal.WithAsync<RecordGate, RecordView>(g => g.ReadPageAsync(Request(_world.DoctorUserId, _world.OpenPatientId), EntryKind.Medication, 1));
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.NurseUserId, _world.OpenPatientId, PurposeOfUse.InsurancePayment)));
        var who = DemoWorld.As(_world.PatientUserId);
        var all = await _portal.WithAsync<AccessHistory, IReadOnlyList<AccessVisit>>(h => h.ExportVisitsAsync(who, new HistoryFilter()));

        var pages = new List<VisitPage>();
        for (var page = 1; page <= 3; page++)
        {
            pages.Add(await _portal.WithAsync<AccessHistory, VisitPage>(h => h.VisitsAsync(who, new HistoryFilter(), page, 2)));
        }

        Assert.Equal(4, all.Count);
        Assert.All(pages, p => Assert.Equal(4, p.Total));
        Assert.Equal([2, 2, 0], pages.Select(p => p.Visits.Count));
        Assert.Equal(all.Select(Describe), pages.SelectMany(p => p.Visits).Select(Describe));
        Assert.Equal(3, all.Single(v => !v.IsRefused && v.Accesses > 1).Accesses);
    }

    /// <summary>A visit's facts as one line (its lists compared by content).</summary>
    private static string Describe(AccessVisit v) =>
        $"{v.Sequence} {v.Day} {v.FirstAtUtc:O} {v.LastAtUtc:O} {v.ProviderName} {v.Role} {v.PersonName} [{string.Join(",", v.Purposes)}] "
        + $"{v.OpenedRecord} [{string.Join(",", v.Sections)}] {v.Level} {v.IsOverride} {v.Outcome} {v.Reason} {v.Report} {v.Accesses}";

    [Fact]
    public async Task The_full_record_filter_includes_emergency_overrides()
    {
        await _portal.WithAsync<EmergencyOverrideService, EmergencyOverride>(s => s.GrantAsync(new OverrideRequest(
            DemoWorld.As(_world.DoctorUserId), _world.RestrictedPatientId, OverrideReason.UnconsciousPatient, DemoWorld.OverrideJustification, true)));
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.DoctorUserId, _world.RestrictedPatientId)));

        var full = await _portal.WithAsync<AccessHistory, HistoryPage>(h =>
            h.PageAsync(DemoWorld.As(_world.RestrictedUserId), new HistoryFilter(Level: HistoryLevel.Full), 1, 50));
        var visits = await VisitsAsync(_world.RestrictedUserId, new HistoryFilter(Level: HistoryLevel.Full));

        Assert.Equal(2, full.Total);
        Assert.All(full.Rows, r => Assert.True(r.IsOverride));
        var visit = Assert.Single(visits.Visits);
        Assert.True(visit.IsOverride);
        Assert.Equal("Dr Lee Wei Jie", visit.PersonName);
    }

    [Fact]
    public async Task A_refused_attempt_for_insurance_is_explained_in_plain_words_on_the_page()
    {
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.DoctorUserId, _world.OpenPatientId, PurposeOfUse.InsurancePayment)));
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/patient/history?level=Denied"));

        Assert.Contains("Refused: nothing was shown", html, StringComparison.Ordinal);
        Assert.Contains("The reason given was not your care", html, StringComparison.Ordinal);
        Assert.Contains("Reason given: Insurance payment (not allowed)", html, StringComparison.Ordinal);
        Assert.Contains("1 visit, page 1 of 1", html, StringComparison.Ordinal); // not "1 visits"
        Assert.Contains("Central General Hospital", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_on_the_history_page_are_Singapore_time_and_the_csv_carries_the_offset()
    {
        var read = await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.DoctorUserId, _world.OpenPatientId)));
        await using var db = _portal.CreateDbContext();
        var at = db.AuditEvents.Single(e => e.Sequence == read.AuditSequence).OccurredAtUtc;
        var singapore = at.AddHours(8);
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/patient/history"));
        var csv = await client.GetStringAsync("/patient/access-history.csv");

        Assert.Contains(singapore.ToString("d MMM yyyy, HH:mm", System.Globalization.CultureInfo.InvariantCulture), html, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", html, StringComparison.Ordinal);
        Assert.Contains(singapore.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "+08:00", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_holds_exactly_the_visits_the_page_shows_for_the_same_filter()
    {
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.DoctorUserId, _world.OpenPatientId)));
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.NurseUserId, _world.OpenPatientId)));
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.DentistUserId, _world.OpenPatientId)));
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);

        foreach (var query in new[] { "", "?level=Denied", $"?provider={_world.HospitalId}", "?level=Full" })
        {
            var html = await client.GetStringAsync("/patient/history" + query);
            var shown = html.Split("data-testid=\"history-row\"").Length - 1;
            // The page's own export link is the one followed: the filter on screen, not anything else.
            var link = System.Text.RegularExpressions.Regex.Match(html, "href=\"([^\"]*access-history\\.csv[^\"]*)\"").Groups[1].Value;
            var csv = await client.GetStringAsync(WebUtility.HtmlDecode(link));
            var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
            Assert.True(shown > 0, $"nothing shown for '{query}'");
            Assert.Equal(shown, lines);
        }
    }

    [Theory]
    [InlineData("?from=yesterday", "is not a date")]
    [InlineData("?from=2026-12-01&to=2026-11-01", "The first day is after the last day")]
    [InlineData("?level=Everything", "Choose what was seen from the list")]
    [InlineData("?provider=abc", "Choose a provider from the list")]
    public async Task A_filter_that_cannot_be_read_says_why_and_shows_no_other_results(string query, string message)
    {
        await _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(Request(_world.DoctorUserId, _world.OpenPatientId)));
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/patient/history" + query));

        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"history-row\"", html, StringComparison.Ordinal);
    }
}
