using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Notifications;
using Nehr.Core.Records;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Integration.Tests;

/// <summary>
/// Care registration from the feed: an encounter registers the patient with the provider for the episode and for
/// Nehr:Registration:DaysAfterEpisode (90) days after it ends; the patient is told of a provider they were never
/// registered with. Each test has its own portal, because they move its clock — by hours, not months: the portal's
/// background services tick on the same clock, and the test clock fires every tick it passes.
/// </summary>
public sealed class RegistrationFromFeedTests : IAsyncLifetime
{
    private readonly FeedPortal _feed = new();

    public Task InitializeAsync() => _feed.InitializeAsync();

    public Task DisposeAsync() => _feed.DisposeAsync();

    private DateTime Now => _feed.Portal.Clock.GetUtcNow().UtcDateTime;

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    private static Encounter Episode(string id, Encounter.EncounterStatus status, DateTime start, DateTime? end = null)
    {
        var encounter = FhirBundles.Visit(id);
        encounter.Status = status;
        encounter.Period = new Period { Start = Iso(start), End = end is { } e ? Iso(e) : null };
        return encounter;
    }

    /// <summary>A new person (not registered anywhere) and whether the hospital's doctor may open their record.</summary>
    private async Task<(FhirPerson Person, int PatientId)> EnrolAsync(string name)
    {
        var person = new FhirPerson(Fixture.NewNric(), name, new DateOnly(1981, 2, 3), Sex.Female);
        var answer = await _feed.PostAsync(FhirBundles.Transaction(person, FhirBundles.Diagnosis($"enrol-{Guid.NewGuid():N}")));
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return (person, (await _feed.PersonAsync(person.Nric))!.Id);
    }

    private async Task<AccessLevel> DoctorSeesAsync(int patientId) => (await _feed.OpenAsDoctorAsync(patientId)).Decision.Level;

    [Fact]
    public async Task An_encounter_under_way_registers_the_patient_for_at_most_a_year_from_its_start_and_tells_the_patient_once()
    {
        var (person, patientId) = await EnrolAsync("Pang Hui Ling");
        Assert.Equal(AccessLevel.Denied, await DoctorSeesAsync(patientId));

        var answer = await _feed.PostAsync(FhirBundles.Transaction(person, Episode($"ep-{Guid.NewGuid():N}", Encounter.EncounterStatus.InProgress, Now.AddHours(-2))));
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var second = await _feed.PostAsync(FhirBundles.Transaction(person, Episode($"ep-{Guid.NewGuid():N}", Encounter.EncounterStatus.Arrived, Now.AddHours(-1))));
        Assert.Equal(HttpStatusCode.OK, second.Status);

        Assert.Equal(AccessLevel.Full, await DoctorSeesAsync(patientId));
        await using var db = _feed.Portal.CreateDbContext();
        var registrations = await db.CareRegistrations.Where(r => r.PatientId == patientId).ToListAsync();
        Assert.Equal(2, registrations.Count);
        Assert.All(registrations, r => Assert.Equal((RegistrationSource.Encounter, _feed.World.HospitalId), (r.Source, r.ProviderId)));
        Assert.Equal([Now.AddHours(-2).AddDays(365), Now.AddHours(-1).AddDays(365)], registrations.Select(r => r.ExpiresAtUtc!.Value).Order());
        var notice = Assert.Single(await db.PatientNotices.Where(n => n.PatientId == patientId && n.Kind == NoticeKind.RegisteredByProvider).ToListAsync());
        Assert.Contains("Central General Hospital", notice.Message, StringComparison.Ordinal);
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.PatientId == patientId && e.EventType == AuditEventTypes.CareRegistered));
    }

    [Fact]
    public async Task A_finished_episode_registers_for_the_set_days_after_it_ends_and_then_the_registration_lapses()
    {
        var (person, patientId) = await EnrolAsync("Quek Siew Mei");
        var ended = Now.AddDays(-90).AddHours(3);

        var answer = await _feed.PostAsync(FhirBundles.Transaction(person, Episode($"ep-{Guid.NewGuid():N}", Encounter.EncounterStatus.Finished, ended.AddHours(-3), ended)));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        await using (var db = _feed.Portal.CreateDbContext())
        {
            Assert.Equal(ended.AddDays(90), (await db.CareRegistrations.SingleAsync(r => r.PatientId == patientId)).ExpiresAtUtc);
        }

        Assert.Equal(AccessLevel.Full, await DoctorSeesAsync(patientId));
        _feed.Portal.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(AccessLevel.Full, await DoctorSeesAsync(patientId));
        _feed.Portal.Clock.Advance(TimeSpan.FromHours(2));
        var lapsed = await _feed.OpenAsDoctorAsync(patientId);
        Assert.Equal((AccessLevel.Denied, DecisionReason.PatientNotRegistered), (lapsed.Decision.Level, lapsed.Decision.Reason));
    }

    [Fact]
    public async Task An_encounter_left_in_progress_for_more_than_a_year_registers_nobody_and_its_end_moves_a_registration_audited()
    {
        var (person, patientId) = await EnrolAsync("Tay Bee Lian");

        // An old export whose encounter was never closed: no registration for ever.
        var stale = await _feed.PostAsync(FhirBundles.Transaction(person, Episode($"ep-{Guid.NewGuid():N}", Encounter.EncounterStatus.InProgress, Now.AddDays(-400))));
        Assert.True(stale.Status == HttpStatusCode.OK, stale.ToString());
        await using var db = _feed.Portal.CreateDbContext();
        Assert.False(await db.CareRegistrations.AnyAsync(r => r.PatientId == patientId));

        // A visit under way, then sent again with its end: the registration's end moves, and the move is audited.
        var id = $"ep-{Guid.NewGuid():N}";
        var start = Now.AddHours(-5);
        Assert.Equal(HttpStatusCode.OK, (await _feed.PostAsync(FhirBundles.Transaction(person, Episode(id, Encounter.EncounterStatus.InProgress, start)))).Status);
        Assert.Equal(HttpStatusCode.OK, (await _feed.PostAsync(FhirBundles.Transaction(person, Episode(id, Encounter.EncounterStatus.Finished, start, start.AddHours(2))))).Status);

        var registration = await db.CareRegistrations.AsNoTracking().SingleAsync(r => r.PatientId == patientId);
        Assert.Equal(start.AddHours(2).AddDays(90), registration.ExpiresAtUtc);
        var changed = await db.AuditEvents.SingleAsync(e => e.PatientId == patientId && e.EventType == AuditEventTypes.CareRegistrationChanged);
        Assert.Contains($"registration={registration.Id}", changed.Details, StringComparison.Ordinal);
        Assert.Contains(Iso(start.AddHours(2).AddDays(90)), changed.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_episode_that_ended_long_ago_registers_nobody()
    {
        var (person, patientId) = await EnrolAsync("Rahimah binte Salleh");

        var answer = await _feed.PostAsync(FhirBundles.Transaction(person, Episode($"ep-{Guid.NewGuid():N}", Encounter.EncounterStatus.Finished, Now.AddYears(-3), Now.AddYears(-3).AddHours(1))));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(AccessLevel.Denied, await DoctorSeesAsync(patientId));
        await using var db = _feed.Portal.CreateDbContext();
        Assert.Equal(0, await db.CareRegistrations.CountAsync(r => r.PatientId == patientId));
    }

    [Fact]
    public async Task A_visit_after_the_registration_ended_registers_again_and_tells_the_patient_again()
    {
        var (person, patientId) = await EnrolAsync("Low Siew Lan");
        var first = $"ep-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await _feed.PostAsync(FhirBundles.Transaction(person, Episode(first, Encounter.EncounterStatus.Planned, Now.AddDays(3))))).Status);
        Assert.Equal(HttpStatusCode.OK, (await _feed.PostAsync(FhirBundles.Transaction(person, Episode(first, Encounter.EncounterStatus.Cancelled, Now.AddDays(3))))).Status);
        Assert.Equal(AccessLevel.Denied, await DoctorSeesAsync(patientId));

        var again = await _feed.PostAsync(FhirBundles.Transaction(person, Episode($"ep-{Guid.NewGuid():N}", Encounter.EncounterStatus.InProgress, Now.AddHours(-1))));

        Assert.True(again.Status == HttpStatusCode.OK, again.ToString());
        Assert.Equal(AccessLevel.Full, await DoctorSeesAsync(patientId));
        await using var db = _feed.Portal.CreateDbContext();
        Assert.Equal(2, await db.PatientNotices.CountAsync(n => n.PatientId == patientId && n.Kind == NoticeKind.RegisteredByProvider));
    }

    [Fact]
    public async Task A_planned_visit_registers_without_filing_a_visit_and_a_cancelled_one_ends_the_registration()
    {
        var (person, patientId) = await EnrolAsync("Seah Poh Choo");
        var id = $"ep-{Guid.NewGuid():N}";

        var planned = await _feed.PostAsync(FhirBundles.Transaction(person, Episode(id, Encounter.EncounterStatus.Planned, Now.AddDays(3))));
        Assert.True(planned.Status == HttpStatusCode.OK, planned.ToString());
        Assert.Contains(planned.EntryIssues(1), i => i.Diagnostics.Contains("planned visit", StringComparison.Ordinal));
        Assert.Empty((await _feed.EntriesAsync(patientId)).OfType<VisitEntry>());
        Assert.Equal(AccessLevel.Full, await DoctorSeesAsync(patientId));

        var cancelled = await _feed.PostAsync(FhirBundles.Transaction(person, Episode(id, Encounter.EncounterStatus.Cancelled, Now.AddDays(3))));

        Assert.True(cancelled.Status == HttpStatusCode.OK, cancelled.ToString());
        Assert.Equal(AccessLevel.Denied, await DoctorSeesAsync(patientId));
        await using var db = _feed.Portal.CreateDbContext();
        Assert.NotNull((await db.CareRegistrations.SingleAsync(r => r.PatientId == patientId)).EndedAtUtc);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.PatientId == patientId && e.EventType == AuditEventTypes.CareRegistrationEnded));
    }

    [Fact]
    public async Task The_administrators_registration_has_an_end_date_and_tells_a_new_patient()
    {
        var (person, patientId) = await EnrolAsync("Teo Ai Ling");
        var nric = person.Nric;
        var endsOn = Nehr.Core.NehrCalendar.Today(Now).AddDays(1);

        var row = await _feed.Portal.WithAsync<ProviderAdministration, RegistrationRow>(a => a.RegisterPatientAsync(DemoWorld.As(_feed.World.AdminUserId), nric, endsOn));

        Assert.Equal(Nehr.Core.NehrCalendar.EndOfDayUtc(endsOn), row.ExpiresAtUtc);
        Assert.Equal(AccessLevel.Full, await DoctorSeesAsync(patientId));
        await using var db = _feed.Portal.CreateDbContext();
        Assert.Contains("until", (await db.PatientNotices.SingleAsync(n => n.PatientId == patientId && n.Kind == NoticeKind.RegisteredByProvider)).Message, StringComparison.Ordinal);
        _feed.Portal.Clock.Advance(row.ExpiresAtUtc!.Value - Now - TimeSpan.FromMinutes(5));
        Assert.Equal(AccessLevel.Full, await DoctorSeesAsync(patientId));
        _feed.Portal.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(AccessLevel.Denied, await DoctorSeesAsync(patientId));
        await Assert.ThrowsAsync<Nehr.Core.DomainException>(() => _feed.Portal.WithAsync<ProviderAdministration, RegistrationRow>(a =>
            a.RegisterPatientAsync(DemoWorld.As(_feed.World.AdminUserId), nric, Nehr.Core.NehrCalendar.Today(Now).AddYears(6))));
    }
}
