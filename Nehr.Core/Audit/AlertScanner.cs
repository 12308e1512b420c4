using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nehr.Core.Administration;
using Nehr.Core.Data;
using Nehr.Core.Oversight;
using Nehr.Core.Representatives;

namespace Nehr.Core.Audit;

/// <summary>
/// Reads the audit trail as it grows and judges every new event by the <see cref="AlertRules"/>, batch by batch: the
/// cases raised, their evidence, the staff activity counts, an <see cref="AuditEventTypes.AlertRaised"/> event per new
/// case and the position reached commit in one transaction, so a batch is judged once whatever stops the portal.
/// The facts of a batch are read before its write transaction, so clinicians' audited reads wait for the write only.
/// A system process beside the trail, as <see cref="AnonymousEventRecorder"/>: it has no actor, so it writes in its own
/// transaction rather than through the commands of <see cref="Oversight"/>.
/// </summary>
public sealed class AlertScanner(
    IDbContextFactory<NehrDbContext> contexts, AuditTrail audit, TimeProvider clock, IOptionsMonitor<AlertOptions> options,
    ILogger<AlertScanner> logger) : BackgroundService
{
    /// <summary>What judging a batch claims (<see cref="DataClaim"/>).</summary>
    internal static readonly DataClaim ScanClaim = DataClaim.Named("alert-scan");

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Judges every event after the last judged one, until it has caught up; returns how many it judged.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var total = 0;
            while (await ScanBatchAsync(cancellationToken) is var judged and > 0)
            {
                total += judged;
            }

            return total;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Judges again the events of the days from <paramref name="from"/> to <paramref name="to"/> (Singapore days, up to
    /// where the scanner has read): the staff activity of those days is counted afresh, and a case already raised gains
    /// no duplicate. For new rules or thresholds over a past period. Returns the events judged.
    /// </summary>
    internal async Task<int> RecomputeAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            IReadOnlyDictionary<int, long> judged;
            long upTo;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                var state = await db.AlertScanStates.AsNoTracking().SingleAsync(cancellationToken);
                (judged, upTo) = (state.PositionsByChain(), state.LastSequence);
                await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
                await db.ClaimAsync(ScanClaim, cancellationToken);
                await db.StaffActivityDays.Where(d => d.Day >= from && d.Day <= to).ExecuteDeleteAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            // The period's range of numbers, found once by time: the batches then page by number alone, and judge
            // again only the events the scanner had judged (up to its position on their chain).
            var (start, end) = (LocalTime.StartOfDayUtc(from), LocalTime.AfterDayUtc(to));
            long after;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                var range = await db.AuditEvents.AsNoTracking().Where(e => e.OccurredAtUtc >= start && e.OccurredAtUtc < end && e.Sequence <= upTo)
                    .GroupBy(e => 1).Select(g => new { First = g.Min(e => e.Sequence), Last = g.Max(e => e.Sequence) })
                    .SingleOrDefaultAsync(cancellationToken);
                (after, upTo) = range is null ? (0, 0) : (range.First - 1, range.Last);
            }

            var total = 0;
            while (true)
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                var page = await Events(db.AuditEvents.AsNoTracking()
                        .Where(e => e.Sequence > after && e.Sequence <= upTo && e.OccurredAtUtc >= start && e.OccurredAtUtc < end)
                        .OrderBy(e => e.Sequence))
                    .ToListAsync(cancellationToken);
                if (page.Count == 0)
                {
                    return total;
                }

                after = page[^1].View.Sequence;
                var events = page.Where(e => e.Position <= judged.GetValueOrDefault(e.Chain)).Select(e => e.View).ToList();
                if (events.Count > 0)
                {
                    await JudgeAndApplyAsync(db, events, null, cancellationToken);
                    total += events.Count;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.CurrentValue.ScanEverySeconds), clock);
        do
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The batch is judged again at the next scan (its position did not move); an exception out of a
                // background service would stop the whole portal.
                logger.LogError(e, "The alert scanner could not judge the new audit events; trying again at the next scan.");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// The next batch: from each chain, the events after the scanner's position on it, merged in time order and cut at
    /// the batch size so that what is taken of each chain is a run from its position (a chain's events commit in
    /// position order; the numbers of different chains do not).
    /// </summary>
    private async Task<int> ScanBatchAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var positions = (await db.AlertScanStates.AsNoTracking().SingleAsync(cancellationToken)).PositionsByChain();
        var chains = await db.AuditChainHeads.AsNoTracking().Where(h => h.LastPosition > 0).Select(h => h.Id).ToListAsync(cancellationToken);
        var size = options.CurrentValue.BatchSize;
        var runs = new List<Queue<ScannedEvent>>();
        foreach (var chain in chains)
        {
            var after = positions.GetValueOrDefault(chain);
            var run = await Events(db.AuditEvents.AsNoTracking().Where(e => e.Chain == chain && e.Position > after).OrderBy(e => e.Position))
                .ToListAsync(cancellationToken);
            if (run.Count > 0)
            {
                runs.Add(new Queue<ScannedEvent>(run));
            }
        }

        var batch = new List<ScannedEvent>(size);
        while (batch.Count < size && runs.Count > 0)
        {
            var next = runs.MinBy(r => (r.Peek().View.AtUtc, r.Peek().View.Sequence))!;
            batch.Add(next.Dequeue());
            if (next.Count == 0)
            {
                runs.Remove(next);
            }
        }

        if (batch.Count == 0)
        {
            return 0;
        }

        var from = batch.GroupBy(e => e.Chain).ToDictionary(g => g.Key, g => (From: positions.GetValueOrDefault(g.Key), To: g.Max(e => e.Position)));
        return await JudgeAndApplyAsync(db, [.. batch.Select(e => e.View)], from, cancellationToken) ? batch.Count : 0;
    }

    private IQueryable<ScannedEvent> Events(IOrderedQueryable<AuditEvent> events) =>
        events.Take(options.CurrentValue.BatchSize)
            .Select(e => new ScannedEvent(
                new AlertEventView(e.Sequence, e.EventType, e.OccurredAtUtc, e.ActorPersonnelId, e.PatientId, e.Level, e.IsOverride, e.Outcome, e.Details),
                e.Chain, e.Position));

    private sealed record ScannedEvent(AlertEventView View, int Chain, long Position);

    /// <summary>Judges a batch and writes what it raised; false when another scanner judged it first.</summary>
    /// <remarks>
    /// <paramref name="advance"/>: the run of each chain the batch is (from the scanner's position, to the last
    /// position taken), which the scanner's positions move to; null for a period judged again.
    /// </remarks>
    private async Task<bool> JudgeAndApplyAsync(
        NehrDbContext db, List<AlertEventView> events, Dictionary<int, (long From, long To)>? advance, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var facts = await FactsAsync(db, settings, events, cancellationToken);
        var rules = new AlertRules(settings);
        var raised = events.SelectMany(e => rules.Judge(e, facts)).ToList();

        var keys = raised.Select(r => r.Key).Distinct().ToList();
        var cases = await db.AlertCases.Where(c => keys.Contains(c.DedupKey)).ToDictionaryAsync(c => c.DedupKey, cancellationToken);
        var closed = advance is not null ? new Dictionary<string, long>() : await ClosedUpToAsync(db, events, keys, cancellationToken);
        var caseIds = cases.Values.Select(c => c.Id).ToList();
        var evidence = await db.AlertEvidence.AsNoTracking().Where(e => caseIds.Contains(e.CaseId))
            .GroupBy(e => e.CaseId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);

        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        // One scanner judges a batch at a time, across instances: the position read next is the last committed.
        await db.ClaimAsync(ScanClaim, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var state = await db.AlertScanStates.SingleAsync(cancellationToken);
        if (advance is not null && state.PositionsByChain() is var positions && advance.Any(run => positions.GetValueOrDefault(run.Key) != run.Value.From))
        {
            return false;
        }

        var added = new List<(AlertCase Case, List<long> Sequences)>();
        var more = new List<(long CaseId, long Sequence)>();
        foreach (var alert in raised)
        {
            if (closed.TryGetValue(alert.Key, out var judged) && alert.Sequence <= judged)
            {
                // Judged again (a recomputed period): already evidence of a case an auditor has closed.
                continue;
            }

            if (cases.TryGetValue(alert.Key, out var existing))
            {
                if (!existing.Repeat(alert.Sequence, alert.AtUtc, judgedOnce: advance is not null))
                {
                    continue;
                }

                if (existing.Id == 0)
                {
                    var sequences = added.Single(a => a.Case == existing).Sequences;
                    if (sequences.Count < AlertCase.MaxEvidence)
                    {
                        sequences.Add(alert.Sequence);
                    }
                }
                else if (evidence.GetValueOrDefault(existing.Id) + more.Count(m => m.CaseId == existing.Id) < AlertCase.MaxEvidence)
                {
                    more.Add((existing.Id, alert.Sequence));
                }

                continue;
            }

            var raisedCase = new AlertCase(alert.Rule, alert.Severity, alert.Key, now, alert.Sequence, alert.AtUtc, alert.PersonnelId, alert.ProviderId, alert.PatientId, alert.Summary);
            db.AlertCases.Add(raisedCase);
            cases[alert.Key] = raisedCase;
            added.Add((raisedCase, [alert.Sequence]));
        }

        // The activity rows the rules counted: new ones added, loaded ones already tracked.
        foreach (var day in facts.Days.Values.Where(d => db.Entry(d).State == EntityState.Detached && (d.Opens | d.Overrides | d.BasicSetViews) > 0))
        {
            db.StaffActivityDays.Add(day);
        }

        if (advance is not null)
        {
            state.Advance(advance.ToDictionary(run => run.Key, run => run.Value.To), events.Max(e => e.Sequence), now);
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var (raisedCase, sequences) in added)
        {
            db.AlertEvidence.AddRange(sequences.Select(s => new AlertEvidence(raisedCase.Id, s)));
            await audit.AppendAsync(db, new AuditEntry
            {
                EventType = AuditEventTypes.AlertRaised,
                CorrelationId = Guid.NewGuid().ToString("N"),
                Details = string.Create(CultureInfo.InvariantCulture,
                    $"case={raisedCase.Id}; rule={raisedCase.Rule}; severity={raisedCase.Severity}; personnel={raisedCase.PersonnelId}; patient={raisedCase.PatientId}; evidence={string.Join(',', sequences)}"),
            }, cancellationToken);
        }

        db.AlertEvidence.AddRange(more.Select(m => new AlertEvidence(m.CaseId, m.Sequence)));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (added.Count > 0)
        {
            logger.LogInformation("The alert scanner raised {Count} cases from audit events {From} to {To}.", added.Count, events.Min(e => e.Sequence), events.Max(e => e.Sequence));
        }

        return true;
    }

    /// <summary>
    /// For a period judged again: the last event of each closed case among <paramref name="keys"/> (a closed case keeps
    /// its key with its id after <see cref="AlertCase.ClosedKeySeparator"/>). Every key names its day, so the closed
    /// cases to look at are those whose events began within a day of the batch's.
    /// </summary>
    private static async Task<Dictionary<string, long>> ClosedUpToAsync(
        NehrDbContext db, List<AlertEventView> events, List<string> keys, CancellationToken cancellationToken)
    {
        var (from, to) = (events[0].AtUtc.AddDays(-1), events[^1].AtUtc.AddDays(1));
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        return (await db.AlertCases.AsNoTracking()
                .Where(c => c.Status != AlertStatus.Open && c.FirstEventAtUtc >= from && c.FirstEventAtUtc <= to)
                .Select(c => new { c.DedupKey, c.LastSequence }).ToListAsync(cancellationToken))
            .Select(c => (Key: c.DedupKey[..Math.Max(0, c.DedupKey.LastIndexOf(AlertCase.ClosedKeySeparator))], c.LastSequence))
            .Where(c => wanted.Contains(c.Key))
            .GroupBy(c => c.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(c => c.LastSequence), StringComparer.Ordinal);
    }

    /// <summary>Everything the rules need about the batch's staff and patients, in a few queries.</summary>
    private static async Task<AlertFacts> FactsAsync(NehrDbContext db, AlertOptions settings, List<AlertEventView> events, CancellationToken cancellationToken)
    {
        var facts = new AlertFacts();
        var relevant = events.Where(e => e.PersonnelId is not null).ToList();
        if (relevant.Count == 0)
        {
            return facts;
        }

        var staffIds = relevant.Select(e => e.PersonnelId!.Value).Distinct().ToList();
        var patientIds = relevant.Where(e => e.PatientId is not null).Select(e => e.PatientId!.Value).Distinct().ToList();
        foreach (var s in await db.Personnel.AsNoTracking().Where(p => staffIds.Contains(p.Id))
                     .Select(p => new StaffFacts(p.Id, p.Name, p.Nric, p.ProviderId, p.Role)).ToListAsync(cancellationToken))
        {
            facts.Staff[s.Id] = s;
        }

        var providerIds = facts.Staff.Values.Select(s => s.ProviderId).Distinct().ToList();
        foreach (var p in await db.Providers.AsNoTracking().Where(p => providerIds.Contains(p.Id)).Select(p => new { p.Id, p.Name }).ToListAsync(cancellationToken))
        {
            facts.ProviderNames[p.Id] = p.Name;
        }

        var flags = await db.FlaggedRecords.AsNoTracking().Where(f => patientIds.Contains(f.PatientId)).ToDictionaryAsync(f => f.PatientId, f => f.Flag, cancellationToken);
        foreach (var p in await db.Patients.AsNoTracking().Where(p => patientIds.Contains(p.Id)).Select(p => new { p.Id, p.Name, p.Nric }).ToListAsync(cancellationToken))
        {
            facts.Patients[p.Id] = new PatientFacts(p.Id, p.Name, p.Nric, flags.TryGetValue(p.Id, out var flag) ? flag : null);
        }

        var nrics = facts.Staff.Values.Where(s => s.Nric is not null).Select(s => s.Nric!.Value).Distinct().ToList();
        if (nrics.Count > 0)
        {
            foreach (var r in await db.Representations.AsNoTracking()
                         .Where(r => patientIds.Contains(r.PatientId) && nrics.Contains(r.RepresentativeNric) && r.State != RepresentationState.Declined)
                         .Select(r => new { r.PatientId, r.RepresentativeNric }).ToListAsync(cancellationToken))
            {
                facts.Representations.Add((r.PatientId, r.RepresentativeNric));
            }
        }

        var at = events[^1].AtUtc;
        foreach (var r in await db.CareRegistrations.AsNoTracking().CurrentAt(at)
                     .Where(r => patientIds.Contains(r.PatientId) && providerIds.Contains(r.ProviderId))
                     .GroupBy(r => new { r.PatientId, r.ProviderId }).Select(g => new { g.Key.PatientId, g.Key.ProviderId, Since = g.Max(r => r.RegisteredAtUtc) })
                     .ToListAsync(cancellationToken))
        {
            facts.RegisteredSince[(r.PatientId, r.ProviderId)] = r.Since;
        }

        foreach (var c in await db.ClinicalEntries.AsNoTracking()
                     .Where(c => patientIds.Contains(c.PatientId) && providerIds.Contains(c.SourceProviderId))
                     .GroupBy(c => new { c.PatientId, c.SourceProviderId }).Select(g => new { g.Key.PatientId, g.Key.SourceProviderId, Last = g.Max(c => c.ContributedAtUtc) })
                     .ToListAsync(cancellationToken))
        {
            facts.LastContribution[(c.PatientId, c.SourceProviderId)] = c.Last;
        }

        var firstDay = LocalTime.Today(events[0].AtUtc);
        var lookBack = Math.Max(settings.HistoryDays, Math.Max(settings.OverridesDays, settings.BasicSetViewsDays));
        var since = firstDay.AddDays(-lookBack);
        foreach (var d in await db.StaffActivityDays.Where(d => staffIds.Contains(d.PersonnelId) && d.Day >= since).ToListAsync(cancellationToken))
        {
            facts.Days[(d.PersonnelId, d.Day)] = d;
        }

        var historyFrom = firstDay.AddDays(-settings.HistoryDays);
        foreach (var peer in await (
                     from d in db.StaffActivityDays.AsNoTracking()
                     join p in db.Personnel on d.PersonnelId equals p.Id
                     where providerIds.Contains(p.ProviderId) && d.Day >= historyFrom && d.Day < firstDay && d.Opens > 0
                     group d by new { p.ProviderId, p.Role } into g
                     select new { g.Key.ProviderId, g.Key.Role, Mean = g.Average(d => (double)d.Opens) })
                 .ToListAsync(cancellationToken))
        {
            facts.PeerMeans[(peer.ProviderId, peer.Role)] = peer.Mean;
        }

        return facts;
    }
}
