using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Nehr.Core.Oversight;

/// <summary>What in the audit trail raised a case for the MOH auditors.</summary>
public enum AlertRule
{
    /// <summary>A member of staff opened the record of a patient who shares their family name.</summary>
    FamilyName,

    /// <summary>A member of staff opened their own record (matched by NRIC).</summary>
    OwnRecord,

    /// <summary>A member of staff opened the record of a person they are a caregiver or representative of (matched by NRIC).</summary>
    RepresentedPerson,

    /// <summary>An access to a record MOH flagged (a VIP, a public figure, a member of staff).</summary>
    FlaggedRecord,

    /// <summary>A person's record opens in a day far above their own history and their role's peers at their provider.</summary>
    Volume,

    /// <summary>An access under a registration older than the set days with no contribution from that provider since.</summary>
    NoCareContext,

    /// <summary>Repeated basic-set views of restricted patients by one person.</summary>
    RepeatedBasicSet,

    /// <summary>Emergency overrides by one clinician above the set number.</summary>
    FrequentOverrides,

    /// <summary>An access at night or on a day the person does not usually work, from their own history.</summary>
    OffHours,

    /// <summary>The audit trail's integrity check found a break.</summary>
    IntegrityBreak,
}

public enum AlertSeverity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>Where a case stands: open, or closed by an auditor with one of three outcomes.</summary>
public enum AlertStatus
{
    Open,
    Justified,
    Misuse,
    FalseAlarm,
}

/// <summary>Why MOH flagged a person's record: every access to it becomes a case.</summary>
public enum RecordFlag
{
    Vip,
    PublicFigure,
    Staff,
}

/// <summary>
/// A case in the MOH auditors' queue, raised by <see cref="Audit.AlertScanner"/> from the audit trail: one per rule and
/// subject (the person, the patient) and day, so that a repeat adds evidence to the open case rather than a new case.
/// </summary>
public sealed class AlertCase
{
    /// <summary>The column's length: a raised case's key has 21 characters fewer, room for a closed case's id.</summary>
    public const int MaxKeyLength = 120;
    public const int MaxSummaryLength = 1000;
    public const int MaxFindingsLength = 4000;

    /// <summary>Between a closed case's key and its id: the key an open case of the same subject and day may take.</summary>
    public const char ClosedKeySeparator = '~';

    /// <summary>Evidence kept per case; <see cref="EventCount"/> counts every event.</summary>
    public const int MaxEvidence = 100;

    private AlertCase()
    {
        DedupKey = string.Empty;
        Summary = string.Empty;
    }

    public AlertCase(
        AlertRule rule, AlertSeverity severity, string dedupKey, DateTime raisedAtUtc, long sequence, DateTime eventAtUtc, int? personnelId,
        int? providerId, int? patientId, string summary)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dedupKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        Rule = rule;
        Severity = severity;
        DedupKey = dedupKey.Length <= MaxKeyLength - 21 ? dedupKey : throw new ArgumentException("The key is too long.", nameof(dedupKey));
        RaisedAtUtc = raisedAtUtc;
        FirstEventAtUtc = eventAtUtc;
        LastEventAtUtc = eventAtUtc;
        LastSequence = sequence;
        PersonnelId = personnelId;
        ProviderId = providerId;
        PatientId = patientId;
        Summary = summary.Length <= MaxSummaryLength ? summary : summary[..MaxSummaryLength];
        EventCount = 1;
    }

    public long Id { get; private set; }

    public AlertRule Rule { get; private set; }

    public AlertSeverity Severity { get; private set; }

    /// <summary>
    /// The rule, its subject and day: a second event with the same key is evidence for this case while it is open.
    /// Closed, the key ends with <see cref="ClosedKeySeparator"/> and the case's id.
    /// </summary>
    public string DedupKey { get; private set; }

    /// <summary>When the scanner raised the case.</summary>
    public DateTime RaisedAtUtc { get; private set; }

    public DateTime FirstEventAtUtc { get; private set; }

    public DateTime LastEventAtUtc { get; private set; }

    public int EventCount { get; private set; }

    /// <summary>The audit sequence of the last event counted: an event judged again (a recomputed period) is not counted twice.</summary>
    public long LastSequence { get; private set; }

    /// <summary>The member of staff whose actions raised it (none for an integrity break).</summary>
    public int? PersonnelId { get; private set; }

    public int? ProviderId { get; private set; }

    /// <summary>
    /// The patient of a case about one access to one record (own record, represented person, family name, flagged record,
    /// no care context), who is told of a misuse verdict; none for a case about a pattern (volume, hours, repeated
    /// basic-set views, overrides), whose evidence names the records read.
    /// </summary>
    public int? PatientId { get; private set; }

    /// <summary>What the rule found, in words (names, counts and thresholds).</summary>
    public string Summary { get; private set; }

    public AlertStatus Status { get; private set; }

    public string? Findings { get; private set; }

    public string? ClosedBy { get; private set; }

    public DateTime? ClosedAtUtc { get; private set; }

    /// <summary>Concurrency token: two auditors closing one case at once cannot both succeed.</summary>
    [ConcurrencyCheck]
    public int Version { get; private set; }

    /// <summary>
    /// Another event of the same rule, subject and day; false when it was already counted. The scanner judges each
    /// event once (<paramref name="judgedOnce"/>: its positions on the chains say so), and events' numbers need not
    /// arrive in order (several chains, numbers taken before a chain's head), so only a period judged again is told
    /// what was counted by the numbers.
    /// </summary>
    public bool Repeat(long sequence, DateTime eventAtUtc, bool judgedOnce = false)
    {
        if (!judgedOnce && sequence <= LastSequence)
        {
            return false;
        }

        LastSequence = Math.Max(LastSequence, sequence);
        EventCount++;
        if (eventAtUtc > LastEventAtUtc)
        {
            LastEventAtUtc = eventAtUtc;
        }

        return true;
    }

    public void Close(AlertStatus outcome, string? findings, string closedBy, DateTime atUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(closedBy);
        if (Status != AlertStatus.Open)
        {
            throw new DomainException("This case is already closed.");
        }

        if (outcome == AlertStatus.Open)
        {
            throw new DomainException("Choose an outcome: justified, misuse or false alarm.");
        }

        var text = findings?.Trim() ?? string.Empty;
        if (text.Length > MaxFindingsLength)
        {
            throw new DomainException($"Findings have at most {MaxFindingsLength} characters.");
        }

        if (outcome == AlertStatus.Misuse && text.Length == 0)
        {
            throw new DomainException("Say what the misuse was: the findings are kept with the case and support any corrective action.");
        }

        Status = outcome;
        Findings = text.Length == 0 ? null : text;
        // The key is freed: a later event of the same rule, subject and day raises a new case rather than being
        // filed, unseen, under a closed one. The closed case keeps it with its id (see ClosedKeySeparator).
        DedupKey = string.Create(CultureInfo.InvariantCulture, $"{DedupKey}{ClosedKeySeparator}{Id}");
        ClosedBy = closedBy;
        ClosedAtUtc = atUtc;
        Version++;
    }
}

/// <summary>An audit event that is evidence for a case.</summary>
public sealed class AlertEvidence
{
    public AlertEvidence(long caseId, long sequence)
    {
        CaseId = caseId;
        Sequence = sequence;
    }

    public long CaseId { get; private set; }

    public long Sequence { get; private set; }
}

/// <summary>How far the scanner has read the audit trail (one row).</summary>
public sealed class AlertScanState
{
    public const int SingletonId = 1;

    public int Id { get; private set; } = SingletonId;

    /// <summary>The highest event number judged (for reading; what was judged is <see cref="Positions"/>).</summary>
    public long LastSequence { get; private set; }

    /// <summary>
    /// Where the scanner has judged each chain of the trail to, as "chain:position" pairs ("1:120,2:87"): events of
    /// different chains commit in no order of their numbers, so a chain's position is the only safe mark. A chain not
    /// named is judged from its start.
    /// </summary>
    public string Positions { get; private set; } = string.Empty;

    public DateTime? LastScanAtUtc { get; private set; }

    /// <summary>The last position judged on each chain named.</summary>
    public IReadOnlyDictionary<int, long> PositionsByChain() => Parse(Positions);

    public void Advance(IReadOnlyDictionary<int, long> positions, long lastSequence, DateTime atUtc)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var merged = new SortedDictionary<int, long>(Parse(Positions).ToDictionary());
        foreach (var (chain, position) in positions)
        {
            merged[chain] = Math.Max(position, merged.GetValueOrDefault(chain));
        }

        Positions = string.Join(',', merged.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}:{p.Value}")));
        LastSequence = Math.Max(LastSequence, lastSequence);
        LastScanAtUtc = atUtc;
    }

    private static Dictionary<int, long> Parse(string positions)
    {
        var parsed = new Dictionary<int, long>();
        foreach (var pair in positions.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':');
            parsed[int.Parse(pair.AsSpan(0, colon), CultureInfo.InvariantCulture)] = long.Parse(pair.AsSpan(colon + 1), CultureInfo.InvariantCulture);
        }

        return parsed;
    }
}

/// <summary>
/// A member of staff's record accesses on one day (Singapore), kept by the scanner: the history the volume and
/// off-hours rules compare a day against, and the counts the repeat rules add up.
/// </summary>
public sealed class StaffActivityDay
{
    public StaffActivityDay(int personnelId, DateOnly day)
    {
        PersonnelId = personnelId;
        Day = day;
    }

    public int PersonnelId { get; private set; }

    public DateOnly Day { get; private set; }

    /// <summary>Successful record reads (and exports); overrides are counted apart.</summary>
    public int Opens { get; set; }

    /// <summary>Of <see cref="Opens"/>, those at night (Singapore time).</summary>
    public int NightOpens { get; set; }

    /// <summary>Reads of the basic set only, of patients who restrict the reader's provider.</summary>
    public int BasicSetViews { get; set; }

    public int Overrides { get; set; }
}

/// <summary>A record MOH flagged: every access to it becomes a case.</summary>
public sealed class FlaggedRecord
{
    public const int MaxNoteLength = 500;

    private FlaggedRecord()
    {
        FlaggedBy = string.Empty;
    }

    public FlaggedRecord(int patientId, RecordFlag flag, string? note, string flaggedBy, DateTime atUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(flaggedBy);
        var text = note?.Trim();
        if (text?.Length > MaxNoteLength)
        {
            throw new DomainException($"The note has at most {MaxNoteLength} characters.");
        }

        PatientId = patientId;
        Flag = flag;
        Note = string.IsNullOrEmpty(text) ? null : text;
        FlaggedBy = flaggedBy;
        FlaggedAtUtc = atUtc;
    }

    public int PatientId { get; private set; }

    public RecordFlag Flag { get; private set; }

    public string? Note { get; private set; }

    public string FlaggedBy { get; private set; }

    public DateTime FlaggedAtUtc { get; private set; }
}

/// <summary>The rules' and outcomes' names, in words.</summary>
public static class AlertWords
{
    public static string Rule(AlertRule rule) => rule switch
    {
        AlertRule.FamilyName => "Shares the patient's family name",
        AlertRule.OwnRecord => "Opened their own record",
        AlertRule.RepresentedPerson => "Opened the record of someone they represent",
        AlertRule.FlaggedRecord => "Flagged record",
        AlertRule.Volume => "Unusual number of records opened",
        AlertRule.NoCareContext => "No sign of care (old registration, no contribution)",
        AlertRule.RepeatedBasicSet => "Repeated basic-set views of restricted patients",
        AlertRule.FrequentOverrides => "Frequent emergency overrides",
        AlertRule.OffHours => "At night or on an unusual day",
        AlertRule.IntegrityBreak => "Audit trail integrity break",
        _ => rule.ToString(),
    };

    public static string Severity(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Low => "Low",
        AlertSeverity.Medium => "Medium",
        AlertSeverity.High => "High",
        AlertSeverity.Critical => "Critical",
        _ => severity.ToString(),
    };

    public static string Status(AlertStatus status) => status switch
    {
        AlertStatus.Open => "Open",
        AlertStatus.Justified => "Justified",
        AlertStatus.Misuse => "Misuse",
        AlertStatus.FalseAlarm => "False alarm",
        _ => status.ToString(),
    };

    public static string Flag(RecordFlag flag) => flag switch
    {
        RecordFlag.Vip => "VIP",
        RecordFlag.PublicFigure => "Public figure",
        RecordFlag.Staff => "Member of staff",
        _ => flag.ToString(),
    };
}
