using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Records;

namespace Nehr.Core.Tests;

/// <summary>How accesses become the visits a patient reads: one per person, provider and day in Singapore.</summary>
public class AccessVisitTests
{
    private static long _sequence;

    private static AccessVisits.Access Access(
        string utc, int person = 1, int provider = 10, string? details = "purpose=TREAT; view=open",
        AuditOutcome outcome = AuditOutcome.Success, AccessLevel? level = AccessLevel.Full, bool isOverride = false, string eventType = AuditEventTypes.RecordRead) =>
        new(++_sequence, DateTime.SpecifyKind(DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc),
            eventType, person, provider, "Central General Hospital", "Doctor", isOverride ? "Dr Lee" : null,
            outcome == AuditOutcome.Denied ? AccessLevel.Denied : level, isOverride, outcome,
            outcome == AuditOutcome.Denied ? nameof(DecisionReason.PurposeNotCare) : null, details, null);

    [Theory]
    // 23:30 and 00:30 in Singapore: two days, two visits, though an hour apart.
    [InlineData("2026-11-26T15:30:00", "2026-11-26T16:30:00", 2)]
    // 08:00 and 23:59 in Singapore: one day (both before 16:00 UTC).
    [InlineData("2026-11-26T00:00:00", "2026-11-26T15:59:00", 1)]
    public void A_day_is_a_day_in_Singapore(string first, string second, int visits) =>
        Assert.Equal(visits, AccessVisits.Group([Access(second), Access(first)]).Count);

    [Fact]
    public void Different_people_or_providers_on_the_same_day_are_different_visits()
    {
        var grouped = AccessVisits.Group([Access("2026-11-26T03:00:00"), Access("2026-11-26T02:00:00", person: 2), Access("2026-11-26T01:00:00", provider: 11)]);

        Assert.Equal(3, grouped.Count);
    }

    [Fact]
    public void A_refused_attempt_is_its_own_visit_with_its_reason_and_nothing_seen()
    {
        var grouped = AccessVisits.Group([
            Access("2026-11-26T03:00:00", details: "purpose=HPAYMT; view=open", outcome: AuditOutcome.Denied),
            Access("2026-11-26T02:00:00"),
        ]);

        var refused = Assert.Single(grouped, v => v.IsRefused);
        Assert.Null(refused.Level);
        Assert.Equal(nameof(DecisionReason.PurposeNotCare), refused.Reason);
        Assert.Equal(["HPAYMT"], refused.Purposes);
        Assert.Equal(AccessLevel.Full, Assert.Single(grouped, v => !v.IsRefused).Level);
    }

    [Fact]
    public void A_visit_keeps_its_parts_in_order_once_each_and_the_most_that_was_seen()
    {
        var grouped = AccessVisits.Group([
            Access("2026-11-26T03:04:00", details: "purpose=TREAT; kind=LabResult; page=2"),
            Access("2026-11-26T03:03:00", details: "purpose=TREAT; kind=Medication; page=1"),
            Access("2026-11-26T03:02:00", details: "purpose=TREAT; kind=LabResult; page=1"),
            Access("2026-11-26T03:01:00", details: "purpose=BTG", isOverride: true, eventType: AuditEventTypes.OverrideGranted),
            Access("2026-11-26T03:00:00", level: AccessLevel.BasicSetOnly),
        ]);

        var visit = Assert.Single(grouped);
        Assert.Equal([EntryKind.LabResult, EntryKind.Medication], visit.Sections);
        Assert.Equal(["TREAT", "BTG"], visit.Purposes);
        Assert.True(visit.IsOverride);
        Assert.True(visit.OpenedRecord);
        Assert.Equal(AccessLevel.Full, visit.Level);
        Assert.Equal("Dr Lee", visit.PersonName);
        Assert.Equal(5, visit.Accesses);
        Assert.Equal(new DateOnly(2026, 11, 26), visit.Day);
    }

    [Fact]
    public void Visits_are_newest_first_and_a_visit_is_named_by_its_newest_access()
    {
        var older = Access("2026-11-25T03:00:00");
        var newer = Access("2026-11-26T03:00:00", person: 2);
        var newest = Access("2026-11-26T05:00:00", person: 2);

        var grouped = AccessVisits.Group([older, newest, newer]);

        Assert.Equal([newest.Sequence, older.Sequence], grouped.Select(v => v.Sequence));
    }

    [Fact]
    public void Local_times_are_Singapore_time_with_the_offset_for_files()
    {
        var utc = new DateTime(2026, 11, 26, 16, 30, 0, DateTimeKind.Utc);

        Assert.Equal("27 Nov 2026, 00:30", LocalTime.Moment(utc));
        Assert.Equal("27 Nov 2026, 00:30 (Singapore time)", LocalTime.MomentNamed(utc));
        Assert.Equal("2026-11-27T00:30:00+08:00", LocalTime.Iso(utc));
        Assert.Equal(new DateTime(2026, 11, 26, 16, 0, 0, DateTimeKind.Utc), LocalTime.StartOfDayUtc(new DateOnly(2026, 11, 27)));
    }
}
