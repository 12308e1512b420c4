using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>
/// Appends events to the chain. It only ever runs inside the caller's transaction, so an event is committed
/// together with what it records, or not at all.
/// </summary>
public sealed class AuditTrail(TimeProvider clock)
{
    /// <summary>Adds the event to the context, chained to the head; the caller's SaveChanges and Commit persist both.</summary>
    public async Task<AuditEvent> AppendAsync(NehrDbContext db, AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("An audit event is written in the same transaction as what it records: begin one first.");
        }

        // The head read in this transaction is current for as long as it lasts (the transaction holds the write
        // lock; on PostgreSQL the row is also locked, for a transaction begun some other way), so a second append in
        // the same transaction uses the tracked row.
        var head = await ReadHeadForAppendAsync(db, cancellationToken)
            ?? throw new InvalidOperationException("The audit chain head is missing: the audit trail cannot be appended to.");
        var e = new AuditEvent(entry, entry.OccurredAtUtc ?? clock.GetUtcNow().UtcDateTime);
        var sequence = head.LastSequence + 1;
        var hash = AuditHasher.Hash(e, sequence, head.LastHash);
        e.Chain(sequence, head.LastHash, hash);
        head.Advance(sequence, hash);
        db.AuditEvents.Add(e);
        return e;
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
