using Nehr.Core.Representatives;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Commands;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

public enum HistoryLevel
{
    Any,
    Full,
    BasicSetOnly,
    Denied,
    EmergencyOverride,
}

/// <summary>What a patient filters their access history by. Dates are inclusive days of the display time zone (<see cref="LocalTime"/>).</summary>
public sealed record HistoryFilter(DateOnly? From = null, DateOnly? To = null, int? ProviderId = null, HistoryLevel Level = HistoryLevel.Any);

/// <summary>
/// One access to a patient's record as the patient sees it. The person's name is shown for emergency overrides
/// (the patient is owed the name of whoever broke the glass); otherwise the role and the provider.
/// </summary>
public sealed record AccessHistoryRow(
    long Sequence, DateTime AtUtc, string EventType, string? ProviderName, string? Role, string? PersonName,
    AccessLevel? Level, bool IsOverride, AuditOutcome Outcome, string? Reason, ReportStatus? Report);

/// <summary>One thing a person acting for the patient did, as the patient sees it.</summary>
public sealed record RepresentativeActivity(
    long Sequence, DateTime AtUtc, string RepresentativeName, Representatives.RepresentationKind? Kind, string EventType, AuditOutcome Outcome)
{
    public string What => EventType switch
    {
        AuditEventTypes.RecordRead => "Looked at your record",
        AuditEventTypes.RecordExported => "Took a summary of your record (download or print)",
        AuditEventTypes.RepresentativeRead => "Looked at your access history",
        AuditEventTypes.RestrictionChanged => "Changed who may see your record",
        AuditEventTypes.AccessReported => "Reported an access to your record",
        AuditEventTypes.RepresentationAccepted => "Accepted your invitation",
        AuditEventTypes.RepresentationDeclined => "Declined your invitation",
        AuditEventTypes.RepresentationEnded => "Stopped acting for you",
        AuditEventTypes.ActionRefused => "Was refused an action for you",
        _ => EventType,
    };
}

public sealed record HistoryPage(IReadOnlyList<AccessHistoryRow> Rows, int Page, int PageSize, int Total)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// A patient's own access history from the audit trail: every read of their record by staff (denied attempts
/// included) and every emergency override. The patient is always the signed-in account, never a parameter.
/// </summary>
public sealed class AccessHistory(IDbContextFactory<NehrDbContext> dbFactory, Commands.Commands commands)
{
    public const int MaxPageSize = 100;
    public const int MaxExportRows = 100_000;

    /// <summary>How many of the latest actions of people acting for the patient the history page shows.</summary>
    public const int RepresentativeActivityShown = 50;

    public async Task<HistoryPage> PageAsync(AuditContext who, HistoryFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (page < 1 || pageSize is < 1 or > MaxPageSize)
        {
            throw new DomainException($"Pages are numbered from 1 and have 1 to {MaxPageSize} rows.");
        }

        return await commands.ReadAsPatientAuditedAsync(who, "read access history", RepresentativePowers.SeeAccessHistory, async command =>
        {
            var (db, patientId) = (command.Db, command.PatientId);
            if (command.Representation is not null)
            {
                await command.AuditAsync(AuditEventTypes.RepresentativeRead, "read=access history", cancellationToken: cancellationToken);
            }

            var query = Query(db, patientId, filter);
            var total = await query.CountAsync(cancellationToken);
            var events = await query
                .OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Sequence)
                .Skip((page - 1) * pageSize).Take(pageSize)
                .ToListAsync(cancellationToken);
            return new HistoryPage(await ToRowsAsync(db, patientId, events, cancellationToken), page, pageSize, total);
        }, cancellationToken);
    }

    /// <summary>
    /// The patient's access history as visits (<see cref="AccessVisit"/>): one per member of staff, provider and day,
    /// newest first. Audited as <see cref="PageAsync"/> is.
    /// </summary>
    public async Task<VisitPage> VisitsAsync(AuditContext who, HistoryFilter filter, int page, int pageSize, CancellationToken cancellationToken = default) =>
        (await HistoryPageAsync(who, filter, page, pageSize, cancellationToken)).Visits;

    /// <summary>
    /// What the access history page shows, in one read of the patient's record, audited once (as
    /// <see cref="VisitsAsync"/>): a page of visits, the providers to filter by, and what people acting for the
    /// patient did.
    /// </summary>
    public async Task<HistoryPageView> HistoryPageAsync(AuditContext who, HistoryFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (page < 1 || pageSize is < 1 or > MaxPageSize)
        {
            throw new DomainException($"Pages are numbered from 1 and have 1 to {MaxPageSize} rows.");
        }

        return await commands.ReadAsPatientAuditedAsync(who, "read access history", RepresentativePowers.SeeAccessHistory, async command =>
        {
            if (command.Representation is not null)
            {
                await command.AuditAsync(AuditEventTypes.RepresentativeRead, "read=access history", cancellationToken: cancellationToken);
            }

            return new HistoryPageView(
                await VisitPageOfAsync(command, filter, page, pageSize, cancellationToken),
                await ProvidersOfAsync(command.Db, command.PatientId, cancellationToken),
                await ActivityOfAsync(command, RepresentativeActivityShown, cancellationToken));
        }, cancellationToken);
    }

    /// <summary>One page of the patient's visits.</summary>
    private static async Task<VisitPage> VisitPageOfAsync(PatientCommand command, HistoryFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        var (db, patientId) = (command.Db, command.PatientId);

        // Which accesses make which visit, from the history's index alone; then the whole events of this page's
        // visits only. (A patient with 1,000 accesses: 1,000 index entries read, not 1,000 rows with their details.)
        var keys = await Query(db, patientId, filter)
            .OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Sequence)
            .Take(MaxExportRows)
            .Select(e => new { e.Sequence, e.OccurredAtUtc, e.ActorPersonnelId, e.ActorProviderId, e.Outcome })
            .ToListAsync(cancellationToken);
        // Newest first in, so each visit comes in the order of its newest access, as the visits are shown.
        var visits = keys.GroupBy(k => AccessVisits.Key(k.ActorPersonnelId, k.ActorProviderId, k.OccurredAtUtc, k.Outcome)).ToList();
        var sequences = visits.Skip((page - 1) * pageSize).Take(pageSize).SelectMany(v => v.Select(k => k.Sequence)).ToList();
        var shown = sequences.Count == 0 ? [] : await VisitsOfAsync(db, patientId, Accesses(db, patientId).Where(e => sequences.Contains(e.Sequence)), cancellationToken);
        return new VisitPage(shown, page, pageSize, visits.Count);
    }

    /// <summary>The visit an access belongs to, for the patient reporting it (null when it is not in their history).</summary>
    public Task<AccessVisit?> VisitOfAsync(AuditContext who, long sequence, CancellationToken cancellationToken = default) =>
        commands.ReadAsPatientAsync(who, "report an access", RepresentativePowers.ReportAccesses, async command =>
            (await VisitsOfAsync(command.Db, command.PatientId, new HistoryFilter(), cancellationToken)).FirstOrDefault(v => v.Sequence == sequence),
            cancellationToken);

    /// <summary>Every matching visit, newest first, for the CSV export: exactly what the history page shows for the filter.</summary>
    public async Task<IReadOnlyList<AccessVisit>> ExportVisitsAsync(AuditContext who, HistoryFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var patientId = await commands.RequirePatientAsync(who, "export access history", RepresentativePowers.SeeAccessHistory, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await VisitsOfAsync(db, patientId, filter, cancellationToken);
    }

    /// <summary>The newest <see cref="MaxExportRows"/> matching accesses, grouped into visits.</summary>
    private static Task<List<AccessVisit>> VisitsOfAsync(NehrDbContext db, int patientId, HistoryFilter filter, CancellationToken cancellationToken) =>
        VisitsOfAsync(db, patientId, Query(db, patientId, filter), cancellationToken);

    /// <summary>The newest <see cref="MaxExportRows"/> of these accesses, grouped into visits.</summary>
    private static async Task<List<AccessVisit>> VisitsOfAsync(NehrDbContext db, int patientId, IQueryable<AuditEvent> accesses, CancellationToken cancellationToken)
    {
        var events = await accesses
            .OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Sequence)
            .Take(MaxExportRows)
            .Select(e => new
            {
                e.Sequence, e.OccurredAtUtc, e.EventType, e.ActorPersonnelId, e.ActorProviderId, e.ActorRole,
                e.Level, e.IsOverride, e.Outcome, e.Reason, e.Details,
            })
            .ToListAsync(cancellationToken);
        var (providers, names) = await NamesAsync(db, events.Select(e => (e.ActorProviderId, e.IsOverride ? e.ActorPersonnelId : null)), cancellationToken);
        var reports = await db.AccessReports.AsNoTracking().Where(r => r.PatientId == patientId)
            .Select(r => new { r.AuditSequence, r.Status }).ToListAsync(cancellationToken);
        var reported = reports.ToDictionary(r => r.AuditSequence, r => r.Status);
        return AccessVisits.Group(events.Select(e => new AccessVisits.Access(
            e.Sequence, e.OccurredAtUtc, e.EventType, e.ActorPersonnelId, e.ActorProviderId,
            e.ActorProviderId is { } p ? providers.GetValueOrDefault(p) : null, e.ActorRole,
            e.IsOverride && e.ActorPersonnelId is { } person ? names.GetValueOrDefault(person) : null,
            e.Level, e.IsOverride, e.Outcome, e.Reason, e.Details,
            reported.TryGetValue(e.Sequence, out var status) ? status : null)));
    }

    /// <summary>Every matching row, newest first, for the CSV export (at most <see cref="MaxExportRows"/>).</summary>
    public async IAsyncEnumerable<AccessHistoryRow> ExportAsync(
        AuditContext who, HistoryFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var patientId = await commands.RequirePatientAsync(who, "export access history", RepresentativePowers.SeeAccessHistory, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ordered = Query(db, patientId, filter).OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Sequence);
        const int chunk = 1_000;
        for (var skip = 0; skip < MaxExportRows; skip += chunk)
        {
            var events = await ordered.Skip(skip).Take(chunk).ToListAsync(cancellationToken);
            foreach (var row in await ToRowsAsync(db, patientId, events, cancellationToken))
            {
                yield return row;
            }

            if (events.Count < chunk)
            {
                yield break;
            }
        }
    }

    /// <summary>The providers that appear in the patient's history, for the provider filter.</summary>
    public Task<IReadOnlyList<(int Id, string Name)>> ProvidersAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsPatientAsync(who, "read access history", RepresentativePowers.SeeAccessHistory,
            command => ProvidersOfAsync(command.Db, command.PatientId, cancellationToken), cancellationToken);

    private static async Task<IReadOnlyList<(int Id, string Name)>> ProvidersOfAsync(NehrDbContext db, int patientId, CancellationToken cancellationToken)
    {
        var ids = await db.PatientProviderAccesses.Where(a => a.PatientId == patientId).Select(a => a.ProviderId).ToListAsync(cancellationToken);
        var denied = await Query(db, patientId, new HistoryFilter(Level: HistoryLevel.Denied))
            .Select(e => e.ActorProviderId).Distinct().ToListAsync(cancellationToken);
        var all = ids.Concat(denied.Where(d => d is not null).Select(d => d!.Value)).Distinct().ToList();
        var providers = await db.Providers.AsNoTracking().Where(p => all.Contains(p.Id)).Select(p => new { p.Id, p.Name }).ToListAsync(cancellationToken);
        return providers.OrderBy(p => p.Name).Select(p => (p.Id, p.Name)).ToList();
    }

    /// <summary>
    /// What people acting for the patient did (a parent, a caregiver, an appointed representative): each look at the
    /// record or the access history and each change; and every summary of the record taken away (downloaded or printed,
    /// by the patient or for them); newest first, with who did it.
    /// </summary>
    public Task<IReadOnlyList<RepresentativeActivity>> RepresentativeActivityAsync(AuditContext who, int max = RepresentativeActivityShown, CancellationToken cancellationToken = default)
    {
        if (max is < 1 or > MaxPageSize)
        {
            throw new DomainException($"Ask for 1 to {MaxPageSize} rows.");
        }

        // Shown with the history page, whose read is the representative's audited look: this one is not audited again.
        return commands.ReadAsPatientAsync(who, "read access history", RepresentativePowers.SeeAccessHistory,
            command => ActivityOfAsync(command, max, cancellationToken), cancellationToken);
    }

    private static async Task<IReadOnlyList<RepresentativeActivity>> ActivityOfAsync(PatientCommand command, int max, CancellationToken cancellationToken)
    {
        var (db, patientId) = (command.Db, command.PatientId);
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.PatientId == patientId && (e.ActorRole == PatientSelf.RepresentativeRole || e.EventType == AuditEventTypes.RecordExported))
            .OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Sequence)
            .Take(max)
            .Select(e => new { e.Sequence, e.OccurredAtUtc, e.EventType, e.ActorUserId, e.Outcome, e.Details })
            .ToListAsync(cancellationToken);
        var userIds = events.Select(e => e.ActorUserId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Join(db.Patients, u => u.PatientId, p => (int?)p.Id, (u, p) => new { u.Id, p.Name })
            .ToDictionaryAsync(x => x.Id, x => x.Name, cancellationToken);
        return events.Select(e => new RepresentativeActivity(e.Sequence, e.OccurredAtUtc,
            e.ActorUserId == command.Who.UserId && command.Representation is null ? "You"
                : e.ActorUserId is { } id && names.TryGetValue(id, out var name) ? name : "(unknown)",
            KindOf(e.Details), e.EventType, e.Outcome)).ToList();
    }

    private static Representatives.RepresentationKind? KindOf(string? details)
    {
        const string key = "kind=";
        var at = details?.IndexOf(key, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return null;
        }

        var rest = details![(at + key.Length)..];
        var end = rest.IndexOf(';', StringComparison.Ordinal);
        return Enum.TryParse<Representatives.RepresentationKind>(end < 0 ? rest : rest[..end], out var kind) ? kind : null;
    }

    internal static async Task<int?> OwnPatientIdAsync(NehrDbContext db, string? userId, CancellationToken cancellationToken) =>
        await db.Users.Where(u => userId != null && u.Id == userId).Select(u => u.PatientId).SingleOrDefaultAsync(cancellationToken);

    /// <summary>The events that are accesses to the patient's record by someone else (staff).</summary>
    internal static IQueryable<AuditEvent> Accesses(NehrDbContext db, int patientId) =>
        db.AuditEvents.AsNoTracking().Where(e =>
            e.PatientId == patientId
            && e.ActorPersonnelId != null
            && (e.EventType == AuditEventTypes.RecordRead || e.EventType == AuditEventTypes.OverrideGranted));

    private static IQueryable<AuditEvent> Query(NehrDbContext db, int patientId, HistoryFilter filter)
    {
        var query = Accesses(db, patientId);
        if (filter.From is { } from)
        {
            var start = LocalTime.StartOfDayUtc(from);
            query = query.Where(e => e.OccurredAtUtc >= start);
        }

        if (filter.To is { } to)
        {
            var end = LocalTime.AfterDayUtc(to);
            query = query.Where(e => e.OccurredAtUtc < end);
        }

        if (filter.ProviderId is { } providerId)
        {
            query = query.Where(e => e.ActorProviderId == providerId);
        }

        return filter.Level switch
        {
            // An emergency override is a view of the full record: "Full record" includes it.
            HistoryLevel.Full => query.Where(e => e.Level == AccessLevel.Full && e.Outcome != AuditOutcome.Denied),
            HistoryLevel.BasicSetOnly => query.Where(e => e.Level == AccessLevel.BasicSetOnly),
            HistoryLevel.Denied => query.Where(e => e.Outcome == AuditOutcome.Denied),
            HistoryLevel.EmergencyOverride => query.Where(e => e.IsOverride),
            _ => query,
        };
    }

    /// <summary>
    /// The names a patient's history shows: each provider's, and the person's for an emergency override (the patient is
    /// owed the name of whoever broke the glass; otherwise the role and the provider).
    /// </summary>
    private static async Task<(Dictionary<int, string> Providers, Dictionary<int, string> OverridePeople)> NamesAsync(
        NehrDbContext db, IEnumerable<(int? ProviderId, int? OverridePersonId)> actors, CancellationToken cancellationToken)
    {
        var list = actors.ToList();
        var providerIds = list.Where(a => a.ProviderId is not null).Select(a => a.ProviderId!.Value).Distinct().ToList();
        var personIds = list.Where(a => a.OverridePersonId is not null).Select(a => a.OverridePersonId!.Value).Distinct().ToList();
        return (await db.Providers.AsNoTracking().Where(p => providerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken),
            await db.Personnel.AsNoTracking().Where(p => personIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken));
    }

    private static async Task<List<AccessHistoryRow>> ToRowsAsync(
        NehrDbContext db, int patientId, List<AuditEvent> events, CancellationToken cancellationToken)
    {
        var (providers, names) = await NamesAsync(db, events.Select(e => (e.ActorProviderId, e.IsOverride ? e.ActorPersonnelId : null)), cancellationToken);
        var sequences = events.Select(e => e.Sequence).ToList();
        var reports = await db.AccessReports.AsNoTracking()
            .Where(r => r.PatientId == patientId && sequences.Contains(r.AuditSequence))
            .ToDictionaryAsync(r => r.AuditSequence, r => r.Status, cancellationToken);
        return events.Select(e => new AccessHistoryRow(
            e.Sequence, e.OccurredAtUtc, e.EventType,
            e.ActorProviderId is { } p ? providers.GetValueOrDefault(p) : null,
            e.ActorRole,
            e.IsOverride && e.ActorPersonnelId is { } person ? names.GetValueOrDefault(person) : null,
            e.Level, e.IsOverride, e.Outcome, e.Reason,
            reports.TryGetValue(e.Sequence, out var status) ? status : null)).ToList();
    }
}
