using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>Settings of section "Nehr:Audit".</summary>
public sealed class AnonymousEventOptions
{
    public const string Section = "Nehr:Audit";

    /// <summary>Events naming nobody written in full per minute, per kind and client address.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int AnonymousPerAddressPerMinute { get; set; } = 20;

    /// <summary>Events naming nobody written in full per minute from all addresses together.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int AnonymousPerMinute { get; set; } = 600;
}

/// <summary>A count of events of one kind that were not written one by one.</summary>
/// <param name="ClientAddress">The address they came from (null if unknown).</param>
/// <param name="FromManyAddresses">They came from any address, beyond the overall limit (no address is kept).</param>
public sealed record SuppressedEvents(string EventType, string? ClientAddress, bool FromManyAddresses, DateTime FromUtc, DateTime ToUtc, int Count);

/// <summary>
/// Keeps a flood of requests that name nobody (an anonymous request refused, a sign-in or reset for an account that
/// does not exist, a token request for an unknown client) from growing the audit trail without bound. In each minute
/// the first <see cref="AnonymousEventOptions.AnonymousPerAddressPerMinute"/> events of a kind from an address, and
/// <see cref="AnonymousEventOptions.AnonymousPerMinute"/> from all addresses, are written in full; the others are
/// counted, and when the minute is over one <c>audit.events-aggregated</c> event per kind and address (or for all
/// addresses beyond the overall limit) records how many there were, from when to when. An auditor sees every kind of
/// attempt, where from and how many; at most the limits plus one event per kind and address a minute are written.
/// Events about a real account or system are never held back: lockout and the rate limits bound those.
/// </summary>
public sealed class AnonymousEventGuard(IOptions<AnonymousEventOptions> options, TimeProvider clock)
{
    /// <summary>The address of the count of events beyond the overall limit, from any address.</summary>
    private const string ManyAddresses = "*";

    private readonly Lock _lock = new();
    private readonly Dictionary<(DateTime Minute, string EventType, string? Address), int> _written = [];
    private readonly Dictionary<(DateTime Minute, string EventType, string? Address), (int Count, DateTime First, DateTime Last)> _held = [];
    private readonly Dictionary<DateTime, int> _writtenInMinute = [];

    /// <summary>True when the event is to be written in full; false when it is counted instead.</summary>
    public bool Admit(string eventType, string? clientAddress)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var minute = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        var limits = options.Value;
        lock (_lock)
        {
            var overall = _writtenInMinute.GetValueOrDefault(minute);
            var key = (minute, eventType, clientAddress);
            var fromAddress = _written.GetValueOrDefault(key);
            if (overall < limits.AnonymousPerMinute && fromAddress < limits.AnonymousPerAddressPerMinute)
            {
                _writtenInMinute[minute] = overall + 1;
                _written[key] = fromAddress + 1;
                return true;
            }

            // Beyond the overall limit the address is not kept: a flood from many addresses holds one count per kind.
            var heldKey = overall < limits.AnonymousPerMinute ? key : (minute, eventType, ManyAddresses);
            _held[heldKey] = _held.TryGetValue(heldKey, out var held) ? (held.Count + 1, held.First, now) : (1, now, now);
            return false;
        }
    }

    /// <summary>Takes the counts of the minutes that are over (all of them when <paramref name="all"/>), to be recorded.</summary>
    public IReadOnlyList<SuppressedEvents> TakeCounts(bool all = false)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var current = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        lock (_lock)
        {
            var over = _held.Where(h => all || h.Key.Minute < current).ToList();
            foreach (var (key, _) in over)
            {
                _held.Remove(key);
            }

            foreach (var minute in _writtenInMinute.Keys.Where(m => m < current).ToList())
            {
                _writtenInMinute.Remove(minute);
            }

            foreach (var key in _written.Keys.Where(k => k.Minute < current).ToList())
            {
                _written.Remove(key);
            }

            return over.OrderBy(h => h.Value.First)
                .Select(h => new SuppressedEvents(
                    h.Key.EventType, h.Key.Address == ManyAddresses ? null : h.Key.Address, h.Key.Address == ManyAddresses, h.Value.First, h.Value.Last, h.Value.Count))
                .ToList();
        }
    }
}

/// <summary>Writes the counts of <see cref="AnonymousEventGuard"/> to the audit trail every 15 seconds, and at shutdown.</summary>
public sealed class AnonymousEventRecorder(
    AnonymousEventGuard guard, IDbContextFactory<NehrDbContext> contexts, AuditTrail audit, TimeProvider clock,
    ILogger<AnonymousEventRecorder> logger) : BackgroundService
{
    /// <summary>Records the counts of the minutes that are over; returns how many aggregate events it wrote.</summary>
    public async Task<int> RecordAsync(bool all = false, CancellationToken cancellationToken = default)
    {
        var counts = guard.TakeCounts(all);
        if (counts.Count == 0)
        {
            return 0;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        foreach (var count in counts)
        {
            await audit.AppendAsync(db, new AuditEntry
            {
                EventType = AuditEventTypes.EventsAggregated,
                CorrelationId = Guid.NewGuid().ToString("N"),
                ClientAddress = count.ClientAddress,
                Outcome = AuditOutcome.Denied,
                Details = FormattableString.Invariant(
                    $"event={count.EventType}; count={count.Count}; from={count.FromUtc:O}; to={count.ToUtc:O}; addresses={(count.FromManyAddresses ? "many (beyond the overall limit)" : "one")}"),
            }, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return counts.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryRecordAsync(all: false, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryRecordAsync(all: true, cancellationToken);
    }

    private async Task TryRecordAsync(bool all, CancellationToken cancellationToken)
    {
        try
        {
            await RecordAsync(all, cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            logger.LogError(e, "The counts of anonymous events could not be written to the audit trail; trying again later.");
        }
    }
}
