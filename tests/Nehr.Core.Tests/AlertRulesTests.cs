using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Oversight;
using Nehr.Core.Records;

namespace Nehr.Core.Tests;

/// <summary>
/// Each alert rule on synthetic audit trails: a trail on which it must fire, and an ordinary one on which it must
/// not. Times are Singapore's (UTC+8): 02:00 UTC is 10:00 in Singapore.
/// </summary>
public sealed class AlertRulesTests
{
    private const int Doctor = 1;
    private const int Nurse = 2;
    private const int Hospital = 10;
    private const int TanMeiLing = 100;
    private const int Aisyah = 101;
    private const int Priya = 102;
    private const int Kumar = 103;
    private static readonly Nric DoctorNric = Nric.Parse("S7654321F");
    private static readonly Nric KumarNric = Nric.Parse("S2345678H");

    /// <summary>Wednesday 25 November 2026, 10:00 in Singapore.</summary>
    private static readonly DateTime Morning = new(2026, 11, 25, 2, 0, 0, DateTimeKind.Utc);

    private readonly AlertOptions _options = new();
    private long _sequence;

    private static AlertFacts Facts()
    {
        var facts = new AlertFacts();
        facts.Staff[Doctor] = new StaffFacts(Doctor, "Dr Lim Wei Ming", DoctorNric, Hospital, ProfessionalRole.Doctor);
        facts.Staff[Nurse] = new StaffFacts(Nurse, "Sarah Thomas", null, Hospital, ProfessionalRole.Nurse);
        facts.ProviderNames[Hospital] = "Changi General Hospital";
        facts.Patients[TanMeiLing] = new PatientFacts(TanMeiLing, "Tan Mei Ling", Nric.Parse("S1234567D"), null);
        facts.Patients[Aisyah] = new PatientFacts(Aisyah, "Nur Aisyah binti Ahmad", Nric.Parse("S8765432Z"), null);
        facts.Patients[Priya] = new PatientFacts(Priya, "Priya d/o Raman", Nric.Parse("S2345678H"), null);
        facts.Patients[Kumar] = new PatientFacts(Kumar, "Lim Kok Wah", DoctorNric, null);
        return facts;
    }

    private AlertEventView Read(int personnelId, int patientId, DateTime at, AccessLevel level = AccessLevel.Full, bool isOverride = false) =>
        new(++_sequence, AuditEventTypes.RecordRead, at, personnelId, patientId, level, isOverride, AuditOutcome.Success, "purpose=TREAT");

    private List<RaisedAlert> Judge(AlertFacts facts, params AlertEventView[] trail)
    {
        var rules = new AlertRules(_options);
        return trail.SelectMany(e => rules.Judge(e, facts)).ToList();
    }

    /// <summary>A working history: the person read <paramref name="perDay"/> records on each weekday of the last four weeks, in the day.</summary>
    private static void WorkedWeekdays(AlertFacts facts, int personnelId, int perDay, DateTime before)
    {
        var today = LocalTime.Today(before);
        for (var d = today.AddDays(-28); d < today; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                facts.Day(personnelId, d).Opens = perDay;
            }
        }
    }

    [Fact]
    public void An_ordinary_day_of_reads_raises_no_case()
    {
        var facts = Facts();
        WorkedWeekdays(facts, Nurse, 20, Morning);
        var trail = Enumerable.Range(0, 20).Select(i => Read(Nurse, i % 2 == 0 ? TanMeiLing : Aisyah, Morning.AddMinutes(i * 10))).ToArray();

        Assert.Empty(Judge(facts, trail));
    }

    [Theory]
    [InlineData("Tan Mei Ling", "Dr Tan Wei Ming", "TAN")]
    [InlineData("TAN, Mei Ling", "Tan Ah Kow", "TAN")]
    [InlineData("Priya d/o Raman", "Kumar s/o Raman", "RAMAN")]
    [InlineData("Nur Aisyah binti Ahmad", "Muhammad Hafiz bin Ahmad", "AHMAD")]
    [InlineData("Sarah Thomas", "Dr John Thomas", "THOMAS")]
    public void Family_names_are_read_as_Singapore_writes_them(string patient, string staff, string family)
    {
        Assert.Equal(family, FamilyNames.Of(patient));
        Assert.Equal(family, FamilyNames.Of(staff));
    }

    [Theory]
    [InlineData("Tan Mei Ling", "Lim Wei Ming")]
    [InlineData("Priya d/o Raman", "Raman s/o Krishnan")]
    [InlineData("Nur Aisyah binti Ahmad", "Ahmad bin Ismail")]
    [InlineData("Madonna", "Madonna")]
    [InlineData("Siti Nurhaliza", "Siti Aminah")]
    public void Names_that_do_not_share_a_family_name_do_not_match(string patient, string staff) =>
        Assert.Null(FamilyNames.Shared(staff, patient));

    [Fact]
    public void A_read_of_a_patient_who_shares_the_family_name_is_a_high_case_once_a_day_with_each_read_as_evidence()
    {
        var facts = Facts();
        facts.Staff[Nurse] = facts.Staff[Nurse] with { Name = "Tan Ah Kow" };

        var raised = Judge(facts, Read(Nurse, TanMeiLing, Morning), Read(Nurse, TanMeiLing, Morning.AddHours(1)), Read(Nurse, Aisyah, Morning.AddHours(2)));

        Assert.Equal(2, raised.Count);
        Assert.All(raised, r => Assert.Equal((AlertRule.FamilyName, AlertSeverity.High, TanMeiLing), (r.Rule, r.Severity, r.PatientId)));
        Assert.Single(raised.Select(r => r.Key).Distinct());
        Assert.Contains("shares the family name Tan", raised[0].Summary, StringComparison.Ordinal);
        Assert.Contains("Tan Ah Kow (Nurse, Changi General Hospital)", raised[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_ones_own_record_by_nric_is_a_case_and_not_also_a_family_name_case()
    {
        var facts = Facts();

        var raised = Judge(facts, Read(Doctor, Kumar, Morning));

        var alert = Assert.Single(raised);
        Assert.Equal(AlertRule.OwnRecord, alert.Rule);
    }

    [Fact]
    public void Opening_the_record_of_someone_one_represents_is_a_case_and_a_staff_without_an_nric_raises_none()
    {
        var facts = Facts();
        facts.Representations.Add((Priya, DoctorNric));

        Assert.Equal(AlertRule.RepresentedPerson, Assert.Single(Judge(facts, Read(Doctor, Priya, Morning))).Rule);
        Assert.Empty(Judge(facts, Read(Nurse, Priya, Morning)));
        Assert.Empty(Judge(Facts(), Read(Doctor, Priya, Morning)));
    }

    [Fact]
    public void Every_read_of_a_flagged_record_is_a_case_and_an_unflagged_one_is_not()
    {
        var facts = Facts();
        facts.Patients[Aisyah] = facts.Patients[Aisyah] with { Flag = RecordFlag.PublicFigure };

        var raised = Judge(facts, Read(Nurse, Aisyah, Morning), Read(Nurse, Priya, Morning));

        var alert = Assert.Single(raised);
        Assert.Equal((AlertRule.FlaggedRecord, Aisyah), (alert.Rule, alert.PatientId));
        Assert.Contains("Public figure", alert.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_day_far_above_the_persons_own_history_and_their_peers_is_a_volume_case_raised_once_the_threshold_is_passed()
    {
        var facts = Facts();
        WorkedWeekdays(facts, Nurse, 20, Morning);
        facts.PeerMeans[(Hospital, ProfessionalRole.Nurse)] = 22;
        var trail = Enumerable.Range(0, 80).Select(i => Read(Nurse, Aisyah, Morning.AddMinutes(i))).ToArray();

        var raised = Judge(facts, trail);

        // Own mean 20 × 3 = 60, peers 22 × 3 = 66, at least 60: the 67th read is the first over all three.
        Assert.All(raised, r => Assert.Equal((AlertRule.Volume, (int?)null), (r.Rule, r.PatientId))); // a pattern, not one patient's access
        Assert.Equal(trail[66].Sequence, raised[0].Sequence);
        Assert.Equal(80 - 66, raised.Count);
        Assert.Contains("their own mean is 20 a working day", raised[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_busy_day_for_a_person_whose_history_and_peers_are_as_busy_is_no_volume_case()
    {
        var facts = Facts();
        WorkedWeekdays(facts, Nurse, 70, Morning);
        facts.PeerMeans[(Hospital, ProfessionalRole.Nurse)] = 80;
        var trail = Enumerable.Range(0, 150).Select(i => Read(Nurse, Aisyah, Morning.AddMinutes(i))).ToArray();

        Assert.DoesNotContain(Judge(facts, trail), r => r.Rule == AlertRule.Volume);
    }

    [Fact]
    public void A_read_under_an_old_registration_with_no_contribution_since_it_began_is_a_case_and_one_contribution_since_is_a_care_context()
    {
        var facts = Facts();
        facts.RegisteredSince[(Aisyah, Hospital)] = Morning.AddDays(-90);
        facts.LastContribution[(Aisyah, Hospital)] = Morning.AddDays(-91);
        facts.RegisteredSince[(Priya, Hospital)] = Morning.AddDays(-400);
        facts.LastContribution[(Priya, Hospital)] = Morning.AddDays(-200);
        facts.RegisteredSince[(TanMeiLing, Hospital)] = Morning.AddDays(-5);

        var raised = Judge(facts, Read(Nurse, Aisyah, Morning), Read(Nurse, Priya, Morning), Read(Nurse, TanMeiLing, Morning));

        var alert = Assert.Single(raised);
        Assert.Equal((AlertRule.NoCareContext, Aisyah), (alert.Rule, alert.PatientId));
    }

    [Fact]
    public void Repeated_basic_set_views_of_restricted_patients_are_a_case_from_the_threshold_and_fewer_are_not()
    {
        var facts = Facts();
        var fewer = Enumerable.Range(0, _options.BasicSetViewsThreshold - 1)
            .Select(i => Read(Nurse, Priya, Morning.AddDays(-i), AccessLevel.BasicSetOnly)).ToArray();
        Assert.Empty(Judge(facts, fewer));

        var raised = Judge(facts, Read(Nurse, Aisyah, Morning.AddMinutes(5), AccessLevel.BasicSetOnly));

        Assert.Equal((AlertRule.RepeatedBasicSet, (int?)null), (Assert.Single(raised).Rule, raised[0].PatientId));
    }

    [Fact]
    public void Overrides_by_one_clinician_above_the_threshold_are_a_case_and_below_it_are_not()
    {
        var facts = Facts();
        AlertEventView Override(int days) =>
            new(++_sequence, AuditEventTypes.OverrideGranted, Morning.AddDays(-days), Doctor, Priya, AccessLevel.Full, true, AuditOutcome.Success, "reason=Unconscious");

        Assert.Empty(Judge(facts, Override(20), Override(10)));
        Assert.Empty(Judge(facts, Override(40 + 20)));

        var overrides = Assert.Single(Judge(facts, Override(0)));
        Assert.Equal((AlertRule.FrequentOverrides, (int?)null), (overrides.Rule, overrides.PatientId));
    }

    [Fact]
    public void A_read_at_night_by_a_person_who_works_days_is_an_off_hours_case_and_a_night_worker_raises_none()
    {
        var facts = Facts();
        WorkedWeekdays(facts, Nurse, 20, Morning);
        var night = Morning.AddHours(-9); // 01:00 in Singapore, Wednesday
        var offHours = Assert.Single(Judge(facts, Read(Nurse, Aisyah, night)));
        Assert.Equal((AlertRule.OffHours, (int?)null), (offHours.Rule, offHours.PatientId));

        var nightWorker = Facts();
        WorkedWeekdays(nightWorker, Nurse, 20, Morning);
        foreach (var day in nightWorker.Days.Values)
        {
            day.NightOpens = 15;
        }

        Assert.Empty(Judge(nightWorker, Read(Nurse, Aisyah, night)));
    }

    [Fact]
    public void A_read_on_a_weekday_the_person_never_works_is_an_off_hours_case_and_a_person_with_little_history_raises_none()
    {
        var facts = Facts();
        WorkedWeekdays(facts, Nurse, 20, Morning);
        var saturday = new DateTime(2026, 11, 28, 2, 0, 0, DateTimeKind.Utc);

        var alert = Assert.Single(Judge(facts, Read(Nurse, Aisyah, saturday)));
        Assert.Equal(AlertRule.OffHours, alert.Rule);
        Assert.Contains("did not work on a Saturday", alert.Summary, StringComparison.Ordinal);

        Assert.Empty(Judge(Facts(), Read(Nurse, Aisyah, saturday)));
    }

    [Fact]
    public void A_chain_break_event_is_a_critical_case_and_refusals_and_system_events_raise_none()
    {
        var facts = Facts();
        facts.Staff[Nurse] = facts.Staff[Nurse] with { Name = "Tan Ah Kow" };
        var trail = new[]
        {
            new AlertEventView(++_sequence, AuditEventTypes.ChainBreakDetected, Morning, null, null, null, false, AuditOutcome.Failed, "sequence=42; reason=hash"),
            new AlertEventView(++_sequence, AuditEventTypes.RecordRead, Morning, Nurse, TanMeiLing, AccessLevel.Denied, false, AuditOutcome.Denied, null),
            new AlertEventView(++_sequence, AuditEventTypes.AlertRaised, Morning, null, TanMeiLing, null, false, AuditOutcome.Success, "case=1"),
        };

        var alert = Assert.Single(Judge(facts, trail));
        Assert.Equal((AlertRule.IntegrityBreak, AlertSeverity.Critical), (alert.Rule, alert.Severity));
    }
}
