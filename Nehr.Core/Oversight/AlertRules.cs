using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Records;

namespace Nehr.Core.Oversight;

/// <summary>The alert rules' thresholds (section <c>Nehr:Alerts</c>); validated at start.</summary>
public sealed class AlertOptions
{
    public const string Section = "Nehr:Alerts";

    /// <summary>Whether the scanner runs in the background (it can still be run on demand, as the tests do).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the scanner reads the new audit events.</summary>
    [Range(1, 300)]
    public int ScanEverySeconds { get; set; } = 2;

    /// <summary>Events read and judged in one transaction.</summary>
    [Range(100, 50_000)]
    public int BatchSize { get; set; } = 5_000;

    /// <summary>The days before the day judged that make a person's own history (volume, off-hours) and their peers'.</summary>
    [Range(7, 365)]
    public int HistoryDays { get; set; } = 28;

    /// <summary>Volume: never a case below this many record reads in a day.</summary>
    [Range(1, 100_000)]
    public int VolumeMinimumReads { get; set; } = 60;

    /// <summary>Volume: a case when the day's reads exceed this many times the person's own mean per working day...</summary>
    [Range(1.5, 100)]
    public double VolumeOwnFactor { get; set; } = 3;

    /// <summary>...and this many times the mean per working day of their role's peers at their provider.</summary>
    [Range(1.5, 100)]
    public double VolumePeerFactor { get; set; } = 3;

    /// <summary>Volume: the person's own mean counts only with at least this many working days of history.</summary>
    [Range(1, 365)]
    public int VolumeMinimumHistoryDays { get; set; } = 5;

    /// <summary>No care context: a registration older than this many days, and no contribution from the provider since it began.</summary>
    [Range(1, 3650)]
    public int NoCareContextDays { get; set; } = 30;

    /// <summary>Repeated basic-set views: a case at this many basic-set views of restricted patients...</summary>
    [Range(2, 10_000)]
    public int BasicSetViewsThreshold { get; set; } = 5;

    /// <summary>...within this many days (the day judged included).</summary>
    [Range(1, 90)]
    public int BasicSetViewsDays { get; set; } = 7;

    /// <summary>Frequent overrides: a case at this many emergency overrides by one clinician...</summary>
    [Range(2, 1_000)]
    public int OverridesThreshold { get; set; } = 3;

    /// <summary>...within this many days (the day judged included).</summary>
    [Range(1, 365)]
    public int OverridesDays { get; set; } = 30;

    /// <summary>Night, in Singapore time: from this hour...</summary>
    [Range(0, 23)]
    public int NightStartsAtHour { get; set; } = 22;

    /// <summary>...to this hour.</summary>
    [Range(0, 23)]
    public int NightEndsAtHour { get; set; } = 6;

    /// <summary>Off-hours: a person's usual hours and days are known from this many working days of history.</summary>
    [Range(1, 365)]
    public int UsualMinimumWorkingDays { get; set; } = 10;

    /// <summary>Off-hours: night is unusual for a person whose share of reads at night in their history is below this.</summary>
    [Range(0.0, 0.5)]
    public double UsualNightShare { get; set; } = 0.05;

    public bool IsNight(DateTime utc)
    {
        var hour = LocalTime.ToLocal(utc).Hour;
        return NightStartsAtHour > NightEndsAtHour
            ? hour >= NightStartsAtHour || hour < NightEndsAtHour
            : hour >= NightStartsAtHour && hour < NightEndsAtHour;
    }
}

/// <summary>An audit event as the rules read it.</summary>
public sealed record AlertEventView(
    long Sequence, string EventType, DateTime AtUtc, int? PersonnelId, int? PatientId, AccessLevel? Level, bool IsOverride,
    AuditOutcome Outcome, string? Details);

public sealed record StaffFacts(int Id, string Name, Nric? Nric, int ProviderId, ProfessionalRole Role);

public sealed record PatientFacts(int Id, string Name, Nric Nric, RecordFlag? Flag);

/// <summary>A case a rule raised (or more evidence for it, when its key is already a case).</summary>
public sealed record RaisedAlert(
    AlertRule Rule, AlertSeverity Severity, string Key, long Sequence, DateTime AtUtc, int? PersonnelId, int? ProviderId, int? PatientId,
    string Summary);

/// <summary>
/// What the rules need to know about the people and records of a batch of events: loaded by the scanner for the batch,
/// or written by hand in a unit test.
/// </summary>
public sealed class AlertFacts
{
    public Dictionary<int, StaffFacts> Staff { get; } = [];

    public Dictionary<int, PatientFacts> Patients { get; } = [];

    public Dictionary<int, string> ProviderNames { get; } = [];

    /// <summary>Representations (any state but declined) of a patient by a person, by that person's NRIC.</summary>
    public HashSet<(int PatientId, Nric RepresentativeNric)> Representations { get; } = [];

    /// <summary>The start of the newest registration of the patient with the provider current at the batch's time.</summary>
    public Dictionary<(int PatientId, int ProviderId), DateTime> RegisteredSince { get; } = [];

    /// <summary>The newest contribution of the provider for the patient.</summary>
    public Dictionary<(int PatientId, int ProviderId), DateTime> LastContribution { get; } = [];

    /// <summary>Staff activity by day: the history, and the days being judged (updated as events are judged).</summary>
    public Dictionary<(int PersonnelId, DateOnly Day), StaffActivityDay> Days { get; } = [];

    /// <summary>The mean reads per working day of a provider's role over the history (days before the batch's first).</summary>
    public Dictionary<(int ProviderId, ProfessionalRole Role), double> PeerMeans { get; } = [];

    public StaffActivityDay Day(int personnelId, DateOnly day)
    {
        if (!Days.TryGetValue((personnelId, day), out var row))
        {
            row = new StaffActivityDay(personnelId, day);
            Days[(personnelId, day)] = row;
        }

        return row;
    }
}

/// <summary>
/// The alert rules: each audit event is judged against the facts, in sequence order, and may raise cases. Pure: the
/// scanner does the reading and writing, so every rule is tested on synthetic trails.
/// </summary>
public sealed class AlertRules(AlertOptions options)
{
    /// <summary>Reads of a record: what the record rules judge and the volume counts.</summary>
    public static bool IsRead(AlertEventView e) =>
        e.Outcome == AuditOutcome.Success && e.PersonnelId is not null && e.PatientId is not null
        && e.EventType is AuditEventTypes.RecordRead or AuditEventTypes.RecordExported;

    public IEnumerable<RaisedAlert> Judge(AlertEventView e, AlertFacts facts)
    {
        if (e.EventType == AuditEventTypes.ChainBreakDetected)
        {
            yield return new RaisedAlert(AlertRule.IntegrityBreak, AlertSeverity.Critical, $"integrity:{e.Sequence}", e.Sequence, e.AtUtc, null, null, null,
                $"The audit trail's integrity check found a break: {e.Details}");
            yield break;
        }

        if (e.PersonnelId is not { } personnelId || !facts.Staff.TryGetValue(personnelId, out var staff))
        {
            yield break;
        }

        var day = LocalTime.Today(e.AtUtc);
        var today = facts.Day(personnelId, day);
        var who = $"{staff.Name} ({ProfessionalRoles.Display(staff.Role)}, {ProviderName(facts, staff.ProviderId)})";
        var dayText = day.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

        if (e.EventType == AuditEventTypes.OverrideGranted && e.Outcome == AuditOutcome.Success)
        {
            today.Overrides++;
            var overrides = Sum(facts, personnelId, day, options.OverridesDays, d => d.Overrides);
            if (overrides >= options.OverridesThreshold)
            {
                yield return Raise(AlertRule.FrequentOverrides, AlertSeverity.Medium, $"overrides:{personnelId}:{day:yyyyMMdd}", e, staff, null,
                    $"{who} has made {overrides} emergency overrides in {options.OverridesDays} days (a case from {options.OverridesThreshold}).");
            }

            yield break;
        }

        if (!IsRead(e) || !facts.Patients.TryGetValue(e.PatientId!.Value, out var patient))
        {
            yield break;
        }

        var night = options.IsNight(e.AtUtc);
        var (workingDays, reads, nightReads, sameWeekday) = History(facts, personnelId, day);
        today.Opens++;
        if (night)
        {
            today.NightOpens++;
        }

        var whose = $"the record of {patient.Name}";
        if (staff.Nric is { } nric && nric == patient.Nric)
        {
            yield return Raise(AlertRule.OwnRecord, AlertSeverity.High, $"own:{personnelId}:{patient.Id}:{day:yyyyMMdd}", e, staff, patient.Id,
                $"{who} opened their own record (the same NRIC) on {dayText}.");
        }
        else
        {
            if (staff.Nric is { } staffNric && facts.Representations.Contains((patient.Id, staffNric)))
            {
                yield return Raise(AlertRule.RepresentedPerson, AlertSeverity.High, $"represented:{personnelId}:{patient.Id}:{day:yyyyMMdd}", e, staff, patient.Id,
                    $"{who} opened {whose}, for whom they are a caregiver or representative, on {dayText}.");
            }

            if (FamilyNames.Shared(staff.Name, patient.Name) is { } family)
            {
                yield return Raise(AlertRule.FamilyName, AlertSeverity.High, $"family:{personnelId}:{patient.Id}:{day:yyyyMMdd}", e, staff, patient.Id,
                    $"{who} opened {whose}, who shares the family name {family}, on {dayText}.");
            }
        }

        if (patient.Flag is { } flag)
        {
            yield return Raise(AlertRule.FlaggedRecord, AlertSeverity.High, $"flagged:{personnelId}:{patient.Id}:{day:yyyyMMdd}", e, staff, patient.Id,
                $"{who} opened {whose}, flagged by MOH ({AlertWords.Flag(flag)}), on {dayText}.");
        }

        if (!e.IsOverride && facts.RegisteredSince.TryGetValue((patient.Id, staff.ProviderId), out var since)
            && since < e.AtUtc.AddDays(-options.NoCareContextDays)
            && (!facts.LastContribution.TryGetValue((patient.Id, staff.ProviderId), out var contributed) || contributed < since))
        {
            yield return Raise(AlertRule.NoCareContext, AlertSeverity.Medium, $"nocare:{personnelId}:{patient.Id}:{day:yyyyMMdd}", e, staff, patient.Id,
                $"{who} opened {whose} under a registration from {LocalTime.Today(since).ToString("d MMM yyyy", CultureInfo.InvariantCulture)}, "
                + $"and {ProviderName(facts, staff.ProviderId)} has contributed nothing for the patient since.");
        }

        if (e.Level == AccessLevel.BasicSetOnly)
        {
            today.BasicSetViews++;
            var views = Sum(facts, personnelId, day, options.BasicSetViewsDays, d => d.BasicSetViews);
            if (views >= options.BasicSetViewsThreshold)
            {
                yield return Raise(AlertRule.RepeatedBasicSet, AlertSeverity.Low, $"basicset:{personnelId}:{day:yyyyMMdd}", e, staff, null,
                    $"{who} has viewed the basic set of restricted patients {views} times in {options.BasicSetViewsDays} days (a case from {options.BasicSetViewsThreshold}).");
            }
        }

        var ownMean = workingDays >= options.VolumeMinimumHistoryDays ? (double)reads / workingDays : (double?)null;
        var peerMean = facts.PeerMeans.TryGetValue((staff.ProviderId, staff.Role), out var peers) && peers > 0 ? peers : (double?)null;
        if (today.Opens > options.VolumeMinimumReads
            && (ownMean is null || today.Opens > options.VolumeOwnFactor * ownMean)
            && (peerMean is null || today.Opens > options.VolumePeerFactor * peerMean))
        {
            yield return Raise(AlertRule.Volume, AlertSeverity.Medium, $"volume:{personnelId}:{day:yyyyMMdd}", e, staff, null,
                FormattableString.Invariant($"{who} read {today.Opens} records or parts of records on {dayText}; ")
                + (ownMean is { } own ? FormattableString.Invariant($"their own mean is {own:0.#} a working day; ") : "they have little history; ")
                + (peerMean is { } peer ? FormattableString.Invariant($"their role's mean at their provider is {peer:0.#}.") : "they have no peers to compare with."));
        }

        if (workingDays >= options.UsualMinimumWorkingDays)
        {
            var unusualNight = night && (double)nightReads / Math.Max(reads, 1) < options.UsualNightShare;
            var unusualDay = sameWeekday == 0;
            if (unusualNight || unusualDay)
            {
                var when = LocalTime.ToLocal(e.AtUtc).ToString("HH:mm", CultureInfo.InvariantCulture);
                yield return Raise(AlertRule.OffHours, AlertSeverity.Low, $"offhours:{personnelId}:{day:yyyyMMdd}", e, staff, null,
                    $"{who} opened {whose} at {when} on {day.DayOfWeek}, {dayText}: "
                    + (unusualNight ? FormattableString.Invariant($"{nightReads} of their {reads} reads in {options.HistoryDays} days were at night") : $"they did not work on a {day.DayOfWeek} in {options.HistoryDays} days")
                    + ".");
            }
        }
    }

    /// <summary>A case raised by <paramref name="e"/>; <paramref name="patientId"/> only when it is about that one access (see <see cref="AlertCase.PatientId"/>).</summary>
    private static RaisedAlert Raise(AlertRule rule, AlertSeverity severity, string key, AlertEventView e, StaffFacts staff, int? patientId, string summary) =>
        new(rule, severity, key, e.Sequence, e.AtUtc, staff.Id, staff.ProviderId, patientId, summary);


    private static string ProviderName(AlertFacts facts, int providerId) =>
        facts.ProviderNames.TryGetValue(providerId, out var name) ? name : "their provider";

    /// <summary>The person's working days, reads and night reads in the history before <paramref name="day"/>, and their working days on its weekday.</summary>
    private (int WorkingDays, int Reads, int NightReads, int SameWeekday) History(AlertFacts facts, int personnelId, DateOnly day)
    {
        var (workingDays, reads, nightReads, sameWeekday) = (0, 0, 0, 0);
        for (var d = day.AddDays(-options.HistoryDays); d < day; d = d.AddDays(1))
        {
            if (facts.Days.TryGetValue((personnelId, d), out var row) && row.Opens > 0)
            {
                workingDays++;
                reads += row.Opens;
                nightReads += row.NightOpens;
                sameWeekday += d.DayOfWeek == day.DayOfWeek ? 1 : 0;
            }
        }

        return (workingDays, reads, nightReads, sameWeekday);
    }

    private static int Sum(AlertFacts facts, int personnelId, DateOnly day, int days, Func<StaffActivityDay, int> count)
    {
        var total = 0;
        for (var d = day.AddDays(1 - days); d <= day; d = d.AddDays(1))
        {
            total += facts.Days.TryGetValue((personnelId, d), out var row) ? count(row) : 0;
        }

        return total;
    }
}

/// <summary>
/// Family names as Singapore writes them, for the family-name rule. A name's family key is: the father's name after
/// a patronymic marker (bin, binte, binti, s/o, d/o, a/l, a/p), which siblings share; the part before a comma
/// ("TAN, Mei Ling"); the first word when it is a common Chinese surname ("Tan Mei Ling"); otherwise the last word
/// ("Sarah Thomas"). Titles are ignored; a one-word name has no family key.
/// </summary>
public static class FamilyNames
{
    private static readonly HashSet<string> Markers = new(StringComparer.Ordinal) { "BIN", "BINTE", "BINTI", "S/O", "D/O", "A/L", "A/P" };

    private static readonly HashSet<string> Titles = new(StringComparer.Ordinal)
    {
        "DR", "PROF", "NURSE", "MR", "MRS", "MS", "MDM", "MISS", "SIR", "ASSOC", "A/PROF", "ADJ",
    };

    private static readonly HashSet<string> ChineseSurnames = new(StringComparer.Ordinal)
    {
        "ANG", "AU", "AW", "CAI", "CAO", "CHAN", "CHANG", "CHEAH", "CHEN", "CHENG", "CHEONG", "CHEW", "CHIA", "CHIANG", "CHIN", "CHNG",
        "CHOO", "CHONG", "CHOW", "CHOY", "CHUA", "CHUNG", "DENG", "DING", "DONG", "FENG", "FOO", "FONG", "GAN", "GOH", "GUO", "HAN", "HENG",
        "HO", "HOE", "HONG", "HOO", "HU", "HUANG", "JIANG", "KAN", "KEE", "KHOO", "KOH", "KOK", "KONG", "KOO", "KWAN", "KWEK", "LAI", "LAM",
        "LAU", "LAW", "LEE", "LEONG", "LEOW", "LEUNG", "LI", "LIANG", "LIAO", "LIEW", "LIM", "LIN", "LING", "LIU", "LOH", "LOKE", "LOO", "LOW",
        "LU", "LUM", "LUO", "MA", "MAK", "MOK", "NEO", "NG", "OH", "ONG", "OOI", "OW", "PAN", "PANG", "PEH", "PENG", "PHUA", "POH", "QUAH",
        "QUEK", "SEAH", "SEE", "SEET", "SEOW", "SIA", "SIM", "SIN", "SNG", "SOH", "SONG", "SOO", "SU", "SUN", "TAN", "TANG", "TAY", "TEH",
        "TEO", "THAM", "TING", "TOH", "TOK", "TSANG", "WAN", "WANG", "WEE", "WEI", "WONG", "WU", "XIE", "XU", "YAN", "YANG", "YAO", "YAP",
        "YE", "YEAP", "YEO", "YEOH", "YIN", "YIP", "YONG", "YU", "YUAN", "ZENG", "ZHANG", "ZHAO", "ZHENG", "ZHOU", "ZHU",
    };

    /// <summary>The family key of a name, upper case; null when it has none.</summary>
    public static string? Of(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var upper = name.ToUpperInvariant();
        var comma = upper.IndexOf(',', StringComparison.Ordinal);
        if (comma > 0)
        {
            var before = Words(upper[..comma]);
            return before.Count > 0 ? string.Join(' ', before) : null;
        }

        var words = Words(upper);
        var marker = words.FindIndex(Markers.Contains);
        if (marker >= 0)
        {
            return marker < words.Count - 1 ? string.Join(' ', words.Skip(marker + 1)) : null;
        }

        if (words.Count < 2)
        {
            return null;
        }

        return ChineseSurnames.Contains(words[0]) ? words[0] : words[^1];
    }

    /// <summary>The family name two names share, in the first name's spelling; null when they share none.</summary>
    public static string? Shared(string? first, string? second)
    {
        var a = Of(first);
        return a is not null && a == Of(second) ? CultureInfo.InvariantCulture.TextInfo.ToTitleCase(a.ToLowerInvariant()) : null;
    }

    private static List<string> Words(string text) =>
        text.Split([' ', '\t', '.', '-'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(w => !Titles.Contains(w))
            .ToList();
}
