using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>
/// Appends events to the chain. It only ever runs inside the caller's transaction, so an event is committed
/// together with what it records, or not at all.
/// </summary>
public sealed class AuditTrail(TimeProvider clock)
{
    /// <summary>
    /// Adds the event to the context's transaction. It is chained when the context saves (<see cref="ChainPendingAsync"/>),
    /// after the transaction's other changes are written: the chain head is locked only from then until the commit, not
    /// for the whole of the command. Its sequence and hash are set by that save.
    /// </summary>
    public Task<AuditEvent> AppendAsync(NehrDbContext db, AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(entry);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("An audit event is written in the same transaction as what it records: begin one first.");
        }

        var e = new AuditEvent(entry, entry.OccurredAtUtc ?? clock.GetUtcNow().UtcDateTime);
        db.Appends.Pending.Add(e);
        return Task.FromResult(e);
    }

    /// <summary>
    /// Chains the context's pending events, in the order they were appended, to the head, and adds them to the context
    /// for the save that called it. On PostgreSQL the head's row is locked by the first read of a transaction, which
    /// orders this transaction's events with every other appender's until it ends; on SQLite the transaction holds the
    /// database's one writer lock. A later chaining in the same transaction uses the tracked row.
    /// </summary>
    internal static async Task ChainPendingAsync(NehrDbContext db, CancellationToken cancellationToken)
    {
        var appends = db.Appends;
        var pending = appends.Pending;
        if (pending.Count == 0)
        {
            return;
        }

        var head = await ReadHeadForAppendAsync(db, cancellationToken)
            ?? throw new InvalidOperationException("The audit chain head is missing: the audit trail cannot be appended to.");
        appends.HeadLockedAt ??= System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var e in pending)
        {
            var sequence = head.LastSequence + 1;
            var hash = AuditHasher.Hash(e, sequence, head.LastHash);
            e.Chain(sequence, head.LastHash, hash);
            head.Advance(sequence, hash);
            db.AuditEvents.Add(e);
        }

        pending.Clear();
    }

    /// <summary>The head, tracked after the first read (Find looks there first); on PostgreSQL its row locked by that read.</summary>
    private static async ValueTask<AuditChainHead?> ReadHeadForAppendAsync(NehrDbContext db, CancellationToken cancellationToken) =>
        db.Database.IsNpgsql() && db.AuditChainHeads.Local.FirstOrDefault(h => h.Id == AuditChainHead.SingletonId) is null
            ? await db.AuditChainHeads.FromSql($"""SELECT * FROM "AuditChainHead" WHERE "Id" = {AuditChainHead.SingletonId} FOR UPDATE""").SingleOrDefaultAsync(cancellationToken)
            : await db.AuditChainHeads.FindAsync([AuditChainHead.SingletonId], cancellationToken);

    /// <summary>Records the current head as a checkpoint (in its own transaction).</summary>
    public async Task<AuditCheckpoint?> CheckpointAsync(NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        var head = await db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
        if (head.LastSequence == 0 || await db.AuditCheckpoints.AnyAsync(c => c.Sequence == head.LastSequence, cancellationToken))
        {
            return null;
        }

        var checkpoint = new AuditCheckpoint(head.LastSequence, head.LastHash, clock.GetUtcNow().UtcDateTime);
        db.AuditCheckpoints.Add(checkpoint);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return checkpoint;
    }

    /// <summary>Verifies the whole stored chain against its head and checkpoints, streaming it in sequence order.</summary>
    public static async Task<AuditVerification> VerifyAsync(NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var snapshot = await db.BeginReadSnapshotAsync(cancellationToken);
        var head = await db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().ToListAsync(cancellationToken);
        var verifier = new AuditChainVerifier(checkpoints);
        await foreach (var e in db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (!verifier.Add(e))
            {
                break;
            }
        }

        return verifier.Complete(head.LastSequence, head.LastHash);
    }
}
