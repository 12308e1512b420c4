using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
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

/// <summary>What a patient filters their access history by. Dates are inclusive, in UTC.</summary>
public sealed record HistoryFilter(DateOnly? From = null, DateOnly? To = null, int? ProviderId = null, HistoryLevel Level = HistoryLevel.Any);

/// <summary>
/// One access to a patient's record as the patient sees it. The person's name is shown for emergency overrides
/// (the patient is owed the name of whoever broke the glass); otherwise the role and the provider.
/// </summary>
public sealed record AccessHistoryRow(
    long Sequence, DateTime AtUtc, string EventType, string? ProviderName, string? Role, string? PersonName,
    AccessLevel? Level, bool IsOverride, AuditOutcome Outcome, string? Reason, ReportStatus? Report);

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

    public async Task<HistoryPage> PageAsync(AuditContext who, HistoryFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (page < 1 || pageSize is < 1 or > MaxPageSize)
        {
            throw new DomainException($"Pages are numbered from 1 and have 1 to {MaxPageSize} rows.");
        }

        return await commands.ReadAsPatientAsync(who, "read access history", async command =>
        {
            var (db, patientId) = (command.Db, command.PatientId);
            var query = Query(db, patientId, filter);
            var total = await query.CountAsync(cancellationToken);
            var events = await query
                .OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Sequence)
                .Skip((page - 1) * pageSize).Take(pageSize)
                .ToListAsync(cancellationToken);
            return new HistoryPage(await ToRowsAsync(db, patientId, events, cancellationToken), page, pageSize, total);
        }, cancellationToken);
    }

    /// <summary>Every matching row, newest first, for the CSV export (at most <see cref="MaxExportRows"/>).</summary>
    public async IAsyncEnumerable<AccessHistoryRow> ExportAsync(
        AuditContext who, HistoryFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var patientId = await commands.RequirePatientAsync(who, "export access history", cancellationToken);
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
        commands.ReadAsPatientAsync<IReadOnlyList<(int Id, string Name)>>(who, "read access history", async command =>
    {
        var (db, patientId) = (command.Db, command.PatientId);

        var ids = await db.PatientProviderAccesses.Where(a => a.PatientId == patientId).Select(a => a.ProviderId).ToListAsync(cancellationToken);
        var denied = await Query(db, patientId, new HistoryFilter(Level: HistoryLevel.Denied))
            .Select(e => e.ActorProviderId).Distinct().ToListAsync(cancellationToken);
        var all = ids.Concat(denied.Where(d => d is not null).Select(d => d!.Value)).Distinct().ToList();
        var providers = await db.Providers.AsNoTracking().Where(p => all.Contains(p.Id)).Select(p => new { p.Id, p.Name }).ToListAsync(cancellationToken);
        return providers.OrderBy(p => p.Name).Select(p => (p.Id, p.Name)).ToList();
    }, cancellationToken);

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
            var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(e => e.OccurredAtUtc >= start);
        }

        if (filter.To is { } to)
        {
            var end = NehrCalendar.AfterUtcDay(to);
            query = query.Where(e => e.OccurredAtUtc < end);
        }

        if (filter.ProviderId is { } providerId)
        {
            query = query.Where(e => e.ActorProviderId == providerId);
        }

        return filter.Level switch
        {
            HistoryLevel.Full => query.Where(e => e.Level == AccessLevel.Full && !e.IsOverride),
            HistoryLevel.BasicSetOnly => query.Where(e => e.Level == AccessLevel.BasicSetOnly),
            HistoryLevel.Denied => query.Where(e => e.Outcome == AuditOutcome.Denied),
            HistoryLevel.EmergencyOverride => query.Where(e => e.IsOverride),
            _ => query,
        };
    }

    private static async Task<List<AccessHistoryRow>> ToRowsAsync(
        NehrDbContext db, int patientId, List<AuditEvent> events, CancellationToken cancellationToken)
    {
        var providerIds = events.Where(e => e.ActorProviderId is not null).Select(e => e.ActorProviderId!.Value).Distinct().ToList();
        var providers = await db.Providers.AsNoTracking().Where(p => providerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var overridePeople = events.Where(e => e.IsOverride && e.ActorPersonnelId is not null).Select(e => e.ActorPersonnelId!.Value).Distinct().ToList();
        var names = await db.Personnel.AsNoTracking().Where(p => overridePeople.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
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
