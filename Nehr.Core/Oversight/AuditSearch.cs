using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;
using Nehr.Core.Records;

namespace Nehr.Core.Oversight;

/// <summary>
/// What an auditor searches the trail by. Patient is an NRIC/FIN; person is an account's e-mail address or part of a
/// member of staff's name; dates are inclusive days as people in Singapore count them (the
/// trail itself is in UTC).
/// </summary>
public sealed record AuditQuery(
    string? PatientNric = null, string? Person = null, int? ProviderId = null, DateOnly? From = null, DateOnly? To = null, string? EventType = null);

public sealed record AuditRow(
    long Sequence, DateTime AtUtc, string EventType, string? Actor, string? ActorRole, string? ProviderName, string? PatientNric,
    AccessLevel? Level, bool IsOverride, AuditOutcome Outcome, string? Reason, string? ClientAddress, string CorrelationId, string? Details);

/// <summary>A page of results; <see cref="Total"/> is exact unless <see cref="MoreThanTotal"/> (then there are more).</summary>
public sealed record AuditPage(IReadOnlyList<AuditRow> Rows, int Page, int PageSize, int Total, bool MoreThanTotal = false)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>Settings of the auditors' search (section Nehr:Audit:Search).</summary>
public sealed class AuditSearchOptions
{
    public const string Section = "Nehr:Audit:Search";

    /// <summary>
    /// False (the default): a search counts at most <see cref="AuditSearch.CountLimit"/> matches and pages newest first
    /// by time, which the time indexes serve. True: it counts every match and orders by sequence, the way it was
    /// before; the national benchmark sets it to measure the difference.
    /// </summary>
    public bool CountEveryMatch { get; set; }
}

/// <summary>
/// The auditors' search over the whole trail, its CSV export and the verification of the chain. Auditors only;
/// every search, export and verification is itself audited.
/// </summary>
public sealed class AuditSearch(
    IDbContextFactory<NehrDbContext> dbFactory, Commands.Commands commands, IOptions<AuditSearchOptions> options, AuditIntegrity integrity)
{
    public const int PageSize = 50;
    public const int MaxExportRows = 100_000;

    /// <summary>How far a search counts its matches (beyond, the page says "more than").</summary>
    public const int CountLimit = 10_000;

    public async Task<AuditPage> SearchAsync(AuditContext who, AuditQuery query, int page, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (page < 1)
        {
            throw new DomainException("Pages are numbered from 1.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var filter = await AuthoriseAsync(db, who, query, AuditEventTypes.AuditSearched, cancellationToken);
        if (filter is null)
        {
            return new AuditPage([], page, PageSize, 0);
        }

        // Counting every match of a broad search over a national trail costs seconds; past the limit the auditor is
        // told "more than" and narrows the search. Newest first by time: the time indexes then serve filter and order.
        if (options.Value.CountEveryMatch)
        {
            var all = await filter.CountAsync(cancellationToken);
            var bySequence = await filter.OrderByDescending(e => e.Sequence).Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
            return new AuditPage(await ToRowsAsync(db, bySequence, cancellationToken), page, PageSize, all);
        }

        // Ordered by the key only so that the limit is well defined: the count is the same whatever the order.
        var counted = await filter.OrderBy(e => e.Sequence).Take(CountLimit + 1).CountAsync(cancellationToken);
        var events = await filter.OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Sequence)
            .Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        return new AuditPage(await ToRowsAsync(db, events, cancellationToken), page, PageSize, Math.Min(counted, CountLimit), counted > CountLimit);
    }

    /// <summary>Every matching event, newest first (at most <see cref="MaxExportRows"/>), for the CSV export.</summary>
    public async IAsyncEnumerable<AuditRow> ExportAsync(
        AuditContext who, AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var filter = await AuthoriseAsync(db, who, query, AuditEventTypes.AuditExported, cancellationToken);
        if (filter is null)
        {
            yield break;
        }

        var ordered = filter.OrderByDescending(e => e.Sequence);
        const int chunk = 1_000;
        long? before = null;
        for (var done = 0; done < MaxExportRows; done += chunk)
        {
            var from = before;
            var events = await (from is null ? ordered : ordered.Where(e => e.Sequence < from)).Take(chunk).ToListAsync(cancellationToken);
            foreach (var row in await ToRowsAsync(db, events, cancellationToken))
            {
                yield return row;
            }

            if (events.Count < chunk)
            {
                yield break;
            }

            before = events[^1].Sequence;
        }
    }

    /// <summary>
    /// Verifies the whole chain against its head and the signed checkpoints kept outside the database, and records
    /// that it was verified, with the result; a break also raises the integrity alarm (<see cref="AuditIntegrity"/>).
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        await commands.RequireStaffAsync(who, "audit.verify", Auditors, cancellationToken);
        var result = (await integrity.VerifyAsync(full: true, cancellationToken)).Chain;

        await commands.RunAsync(who, "audit.verify", Auditors, command => command.AuditAsync(command.Actor.Entry(
            AuditEventTypes.AuditVerified, who, string.Create(CultureInfo.InvariantCulture,
                $"intact={result.Intact}; events={result.EventsChecked}; broken-at={(result.Intact ? null : result.BrokenAt)}; {result.Problem}")) with
        {
            Outcome = result.Intact ? AuditOutcome.Success : AuditOutcome.Failed,
        }, cancellationToken), cancellationToken);
        return result;
    }

    /// <summary>
    /// The proof that audit event <paramref name="sequence"/> is in the signed log (<see cref="AuditIntegrity.ProveAsync"/>),
    /// e.g. to show a patient that an access to their record is on record and cannot be removed; recorded as done.
    /// </summary>
    public async Task<InclusionProof> ProveAsync(AuditContext who, long sequence, CancellationToken cancellationToken = default)
    {
        await commands.RequireStaffAsync(who, "audit.prove", Auditors, cancellationToken);

        // Built outside any write transaction (it reads the event's chain up to its signed head), then recorded, and
        // only then given out; a proof that cannot be made is recorded too, with why.
        InclusionProof? proof = null;
        DomainException? refused = null;
        string details;
        try
        {
            proof = await integrity.ProveAsync(sequence, cancellationToken);
            var index = CheckpointLog.TryParse(proof.Checkpoint, out var checkpoint) ? checkpoint.Index : 0;
            details = string.Create(CultureInfo.InvariantCulture, $"sequence={sequence}; chain={proof.Chain}; position={proof.Position}; checkpoint={index}");
        }
        catch (DomainException e)
        {
            refused = e;
            details = string.Create(CultureInfo.InvariantCulture, $"sequence={sequence}; {e.Message}");
        }

        await commands.RunAsync(who, "audit.prove", Auditors, command => command.AuditAsync(command.Actor.Entry(AuditEventTypes.AuditProved, who, details) with
        {
            Outcome = proof is null ? AuditOutcome.Failed : AuditOutcome.Success,
        }, cancellationToken), cancellationToken);
        return proof ?? throw refused!;
    }

    private static readonly string[] Auditors = [Roles.MohAuditor];

    /// <summary>Checks the auditor, audits the search, and builds the filter (null when it can match nothing).</summary>
    private async Task<IQueryable<AuditEvent>?> AuthoriseAsync(
        NehrDbContext db, AuditContext who, AuditQuery query, string eventType, CancellationToken cancellationToken)
    {
        Nric? nric = null;
        if (!string.IsNullOrWhiteSpace(query.PatientNric))
        {
            nric = Nric.TryParse(query.PatientNric, out var parsed, out var error) ? parsed : throw new DomainException(error);
        }

        if (query.From is { } f && query.To is { } t && t < f)
        {
            throw new DomainException("The end date is before the start date.");
        }

        if (query.EventType is { Length: > 0 } type && !AuditEventTypes.All.Contains(type))
        {
            throw new DomainException("Unknown event type.");
        }

        // The search is audited, and committed, before anything is read.
        await commands.RunAsync(who, eventType, Auditors, command => command.AuditAsync(eventType, Describe(query), cancellationToken: cancellationToken), cancellationToken);
        var events = db.AuditEvents.AsNoTracking();
        if (nric is { } n)
        {
            var patientId = await db.Patients.Where(p => p.Nric == n).Select(p => (int?)p.Id).SingleOrDefaultAsync(cancellationToken);
            if (patientId is null)
            {
                return null;
            }

            events = events.Where(e => e.PatientId == patientId);
        }

        if (query.Person?.Trim() is { Length: > 0 } person)
        {
            var normalized = person.ToUpperInvariant();
            var users = await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).ToListAsync(cancellationToken);
            var pattern = TextSearch.ContainsPattern(person);
            var people = await db.Personnel.Where(p => EF.Functions.Like(p.Name.ToUpper(), pattern, TextSearch.Escape)).OrderBy(p => p.Id).Select(p => (int?)p.Id).Take(500).ToListAsync(cancellationToken);
            if (users.Count == 0 && people.Count == 0)
            {
                return null;
            }

            events = events.Where(e => users.Contains(e.ActorUserId!) || people.Contains(e.ActorPersonnelId));
        }

        if (query.ProviderId is { } providerId)
        {
            events = events.Where(e => e.ActorProviderId == providerId);
        }

        if (query.From is { } from)
        {
            var start = from == DateOnly.MinValue ? DateTime.MinValue : NehrCalendar.StartOfDayUtc(from);
            events = events.Where(e => e.OccurredAtUtc >= start);
        }

        if (query.To is { } to)
        {
            var end = to == DateOnly.MaxValue ? DateTime.MaxValue : NehrCalendar.EndOfDayUtc(to);
            events = events.Where(e => e.OccurredAtUtc < end);
        }

        if (query.EventType is { Length: > 0 } eventTypeFilter)
        {
            events = events.Where(e => e.EventType == eventTypeFilter);
        }

        return events;
    }

    private static string Describe(AuditQuery q) => string.Create(CultureInfo.InvariantCulture,
        $"patient={q.PatientNric?.Trim().ToUpperInvariant() ?? "-"}; person={q.Person?.Trim() ?? "-"}; provider={q.ProviderId?.ToString(CultureInfo.InvariantCulture) ?? "-"}; from={q.From:yyyy-MM-dd}; to={q.To:yyyy-MM-dd}; type={q.EventType ?? "-"}");

    private static async Task<List<AuditRow>> ToRowsAsync(NehrDbContext db, List<AuditEvent> events, CancellationToken cancellationToken)
    {
        var providerIds = events.Where(e => e.ActorProviderId is not null).Select(e => e.ActorProviderId!.Value).Distinct().ToList();
        var providers = await db.Providers.AsNoTracking().Where(p => providerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var patientIds = events.Where(e => e.PatientId is not null).Select(e => e.PatientId!.Value).Distinct().ToList();
        var patients = await db.Patients.AsNoTracking().Where(p => patientIds.Contains(p.Id))
            .Select(p => new { p.Id, p.Nric }).ToDictionaryAsync(p => p.Id, p => p.Nric.Value, cancellationToken);
        var userIds = events.Where(e => e.ActorUserId is not null).Select(e => e.ActorUserId!).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? u.Id, cancellationToken);
        return events.Select(e => new AuditRow(
            e.Sequence, e.OccurredAtUtc, e.EventType,
            e.ActorUserId is { } u ? users.GetValueOrDefault(u, u) : e.SystemId is { } s ? $"system {s}" : null,
            e.ActorRole,
            e.ActorProviderId is { } p ? providers.GetValueOrDefault(p) : null,
            e.PatientId is { } pat ? patients.GetValueOrDefault(pat) : null,
            e.Level, e.IsOverride, e.Outcome, e.Reason, e.ClientAddress, e.CorrelationId, e.Details)).ToList();
    }
}
