using Nehr.Core.Access;
using Nehr.Core.Records;

namespace Nehr.Core.Audit;

/// <summary>
/// One visit to a patient's record as the patient reads it: everything one member of staff of one provider did with
/// the record on one day (in the display time zone), refused attempts apart from what was allowed. A clinician who
/// opens the record and looks at four parts of it is one visit, not five rows.
/// </summary>
/// <param name="Sequence">The newest access of the visit: the one a report from the patient names.</param>
/// <param name="Purposes">The purposes of use the reader gave (codes, <see cref="PurposeOfUse"/>), in the order first given.</param>
/// <param name="Sections">The parts of the record the reader turned to, besides the overview that opening it shows.</param>
/// <param name="Level">The most the reader saw (null for a refused attempt).</param>
/// <param name="Reason">For a refused attempt, why (a <see cref="DecisionReason"/> name).</param>
public sealed record AccessVisit(
    long Sequence, DateOnly Day, DateTime FirstAtUtc, DateTime LastAtUtc,
    string? ProviderName, string? Role, string? PersonName,
    IReadOnlyList<string> Purposes, bool OpenedRecord, IReadOnlyList<EntryKind> Sections,
    AccessLevel? Level, bool IsOverride, AuditOutcome Outcome, string? Reason, ReportStatus? Report, int Accesses)
{
    public bool IsRefused => Outcome == AuditOutcome.Denied;
}

public sealed record VisitPage(IReadOnlyList<AccessVisit> Visits, int Page, int PageSize, int Total)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>What the access history page shows: a page of visits, the providers to filter by, what people acting for the patient did.</summary>
public sealed record HistoryPageView(VisitPage Visits, IReadOnlyList<(int Id, string Name)> Providers, IReadOnlyList<RepresentativeActivity> Activity);

/// <summary>Groups a patient's accesses (newest first) into visits; pure, so its rule is tested with tables.</summary>
public static class AccessVisits
{
    /// <summary>One access, as much of its audit event as a visit needs.</summary>
    public sealed record Access(
        long Sequence, DateTime AtUtc, string EventType, int? PersonnelId, int? ProviderId, string? ProviderName,
        string? Role, string? PersonName, AccessLevel? Level, bool IsOverride, AuditOutcome Outcome, string? Reason,
        string? Details, ReportStatus? Report);

    public static List<AccessVisit> Group(IEnumerable<Access> accesses)
    {
        ArgumentNullException.ThrowIfNull(accesses);
        var visits = new List<AccessVisit>();
        foreach (var group in accesses
            .GroupBy(a => Key(a.PersonnelId, a.ProviderId, a.AtUtc, a.Outcome))
            .Select(g => g.OrderByDescending(a => a.AtUtc).ThenByDescending(a => a.Sequence).ToList())
            .OrderByDescending(g => g[0].AtUtc).ThenByDescending(g => g[0].Sequence))
        {
            var newest = group[0];
            var oldestFirst = Enumerable.Reverse(group).ToList();
            var allowed = group.Where(a => a.Outcome != AuditOutcome.Denied && a.Level is not null).ToList();
            visits.Add(new AccessVisit(
                newest.Sequence, LocalTime.Today(newest.AtUtc), group[^1].AtUtc, newest.AtUtc,
                newest.ProviderName, newest.Role, group.Select(a => a.PersonName).FirstOrDefault(n => n is not null),
                oldestFirst.Select(a => Value(a.Details, "purpose")).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
                group.Any(a => a.EventType == AuditEventTypes.OverrideGranted || Value(a.Details, "view") == "open"),
                oldestFirst.Select(a => Enum.TryParse<EntryKind>(Value(a.Details, "kind"), out var k) ? k : (EntryKind?)null)
                    .OfType<EntryKind>().Distinct().ToList(),
                allowed.Count == 0 ? null : allowed.Max(a => a.Level),
                group.Any(a => a.IsOverride),
                newest.Outcome,
                newest.Outcome == AuditOutcome.Denied ? newest.Reason : null,
                group.Select(a => a.Report).OfType<ReportStatus>().Cast<ReportStatus?>().OrderBy(s => s == ReportStatus.Open ? 0 : 1).FirstOrDefault(),
                group.Count));
        }

        return visits;
    }

    /// <summary>Which visit an access belongs to: who, for which provider, on which day, refused or not.</summary>
    public static (int? PersonnelId, int? ProviderId, DateOnly Day, bool Refused) Key(int? personnelId, int? providerId, DateTime atUtc, AuditOutcome outcome) =>
        (personnelId, providerId, LocalTime.Today(atUtc), outcome == AuditOutcome.Denied);

    /// <summary>A value of the audit details' "key=value; key=value" form.</summary>
    internal static string? Value(string? details, string key)
    {
        if (details is null)
        {
            return null;
        }

        foreach (var part in details.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && part.AsSpan(0, eq).SequenceEqual(key))
            {
                return part[(eq + 1)..];
            }
        }

        return null;
    }
}
