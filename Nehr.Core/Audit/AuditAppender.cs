using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>
/// Group commit of the audit events of reads (a record read changes nothing, so its event need not share a transaction
/// with anything). Callers hand their event in and wait; one writer commits every event waiting at that moment in one
/// transaction — one chain-head update and one flush to disk for the whole batch — and only then answers each caller
/// with its chained event. Events that arrive while a batch commits form the next one, so under load a batch grows
/// with the number of waiting requests and the cost of a durable commit is shared among them.
/// </summary>
/// <remarks>
/// <para>A caller learns of its event only after the batch's commit returned: a read that waits for
/// <see cref="AppendAsync"/> before showing anything discloses nothing before its event is durable. If the batch
/// fails, every caller in it gets the exception (nothing is shown to any of them) and none of its events is kept.</para>
/// <para>State changes do not come here: their event commits in their own transaction (<see cref="AuditTrail.AppendAsync"/>).</para>
/// <para>With several audit chains (<see cref="NehrDataOptions.AuditChains"/>) there is a writer per chain, up to
/// <see cref="MaxWriters"/>: each takes the events waiting when it is free and commits them on a chain no other
/// transaction holds, so one instance's batches do not queue behind one chain head's lock.</para>
/// </remarks>
public sealed partial class AuditAppender : IAsyncDisposable
{
    /// <summary>At most this many events in one transaction (a batch that waits longer than a commit would gain nothing).</summary>
    public const int MaxBatch = 1000;

    /// <summary>At most this many writers (batches committing at once) in one instance.</summary>
    public const int MaxWriters = 4;

    private readonly IDbContextFactory<NehrDbContext> _dbFactory;
    private readonly AuditTrail _trail;
    private readonly ILogger<AuditAppender> _logger;
    private readonly Channel<Pending> _queue;
    private readonly Lock _startLock = new();
    private readonly int _writers;
    private Task? _writer;
    private long _batches;
    private long _events;
    private long _heldTicks;
    private int _waiting;

    public AuditAppender(IDbContextFactory<NehrDbContext> dbFactory, AuditTrail trail, ILogger<AuditAppender> logger)
        : this(dbFactory, trail, logger, writers: 1)
    {
    }

    /// <summary>An appender with <paramref name="writers"/> writers (1 to <see cref="MaxWriters"/>): as many as the trail has chains, at most.</summary>
    public AuditAppender(IDbContextFactory<NehrDbContext> dbFactory, AuditTrail trail, ILogger<AuditAppender> logger, int writers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(writers);
        _dbFactory = dbFactory;
        _trail = trail;
        _logger = logger;
        _writers = Math.Min(writers, MaxWriters);
        _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = _writers == 1 });
    }

    /// <summary>Batches committed and events in them since the start (for benchmarks and tests).</summary>
    public (long Batches, long Events) Committed => (Interlocked.Read(ref _batches), Interlocked.Read(ref _events));

    /// <summary>
    /// How long this instance's batches held the chain head's row locked, in all: from the moment the lock was granted
    /// to the end of the commit (waiting for the lock not counted). Divided by <see cref="Committed"/>'s events, it is the
    /// lock time per event, which bounds what one chain can take: 1 / (lock time per event).
    /// </summary>
    public TimeSpan ChainHeadHeld => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _heldTicks));

    /// <summary>How many batches may commit at once (a writer per audit chain, up to <see cref="MaxWriters"/>).</summary>
    public int Writers => _writers;

    /// <summary>Events handed in whose batch has not yet committed or failed.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Appends the event in the next batch and returns it, chained, once that batch has committed. Cancelling stops
    /// the wait, not the append: an event handed in is written (an access that was decided is on record).
    /// </summary>
    public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        EnsureStarted();
        var pending = new Pending(entry);
        Interlocked.Increment(ref _waiting);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _waiting);
            throw new InvalidOperationException("The audit trail is shutting down: nothing more can be recorded, so nothing is shown.");
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private void EnsureStarted()
    {
        if (_writer is not null)
        {
            return;
        }

        lock (_startLock)
        {
            // The writer serves every request: it must not carry the first one's activity and logging scopes.
            using (ExecutionContext.SuppressFlow())
            {
                _writer ??= Task.WhenAll(Enumerable.Range(0, _writers).Select(_ => Task.Run(WriteAsync)));
            }
        }
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                var events = await CommitAsync(batch);
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _events, batch.Count);
                Interlocked.Add(ref _waiting, -batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(events[i]);
                }
            }
            catch (Exception e)
            {
                LogBatchFailed(e, batch.Count);
                Interlocked.Add(ref _waiting, -batch.Count);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(new InvalidOperationException("The audit event of this read could not be recorded, so nothing is shown.", e));
                }
            }

            batch.Clear();
        }
    }

    private async Task<List<AuditEvent>> CommitAsync(List<Pending> batch)
    {
        // Not cancelled by any one caller: the batch belongs to all of them.
        await using var db = await _dbFactory.CreateDbContextAsync(CancellationToken.None);
        await using var transaction = await db.BeginWriteTransactionAsync(CancellationToken.None);
        var events = new List<AuditEvent>(batch.Count);
        foreach (var pending in batch)
        {
            events.Add(await _trail.AppendAsync(db, pending.Entry, CancellationToken.None));
        }

        await db.SaveChangesAsync(CancellationToken.None);
        var locked = db.Appends.HeadLockedAt;
        await transaction.CommitAsync(CancellationToken.None);
        if (locked is not null)
        {
            Interlocked.Add(ref _heldTicks, Stopwatch.GetTimestamp() - locked.Value);
        }

        return events;
    }

    /// <summary>Stops taking events, commits those already handed in, and waits for the writer to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is { } writer)
        {
            await writer;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} audit events could not be committed; every read in it was refused.")]
    private partial void LogBatchFailed(Exception exception, int count);

    private sealed class Pending(AuditEntry entry)
    {
        public AuditEntry Entry { get; } = entry;

        public TaskCompletionSource<AuditEvent> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
