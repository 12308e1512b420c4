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
    /// Chains the context's pending events, in the order they were appended, to one chain's head, and adds them to the
    /// context for the save that called it. The transaction's first chaining picks the chain: on PostgreSQL any one whose
    /// head no other transaction holds (FOR UPDATE SKIP LOCKED), or, when every head is held, one at random, waiting for
    /// it; the head's row stays locked until the transaction ends, which orders the chain's appends. On SQLite the
    /// transaction holds the database's one writer lock, and the chain is any one. A later chaining in the same
    /// transaction uses the same head, tracked. Each event also takes the trail's next number: on PostgreSQL from a
    /// sequence, before any head is locked (so the numbers of one chain rise with its positions only roughly); on SQLite
    /// the next after the highest.
    /// </summary>
    internal static async Task ChainPendingAsync(NehrDbContext db, CancellationToken cancellationToken)
    {
        var appends = db.Appends;
        var pending = appends.Pending;
        if (pending.Count == 0)
        {
            return;
        }

        // A head is appended to only by the transaction that locked it: one tracked from before (another transaction
        // of this context, or the chains being added) is let go, so that the head is read again, locked.
        var head = appends.Head;
        if (head is null)
        {
            foreach (var stale in db.ChangeTracker.Entries<AuditChainHead>().ToList())
            {
                stale.State = EntityState.Detached;
            }
        }

        long[] numbers;
        if (db.Database.IsNpgsql())
        {
            numbers = await db.Database.SqlQuery<long>($"""SELECT nextval('"AuditEventNumbers"') AS "Value" FROM generate_series(1, {pending.Count})""")
                .ToArrayAsync(cancellationToken);
            head ??= await db.AuditChainHeads.FromSql($"""
                SELECT * FROM "AuditChainHead" WHERE "Id" = COALESCE(
                    (SELECT "Id" FROM "AuditChainHead" ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED),
                    (SELECT "Id" FROM "AuditChainHead" ORDER BY random() LIMIT 1))
                FOR UPDATE
                """).SingleOrDefaultAsync(cancellationToken);
            Array.Sort(numbers);
        }
        else
        {
            head ??= await db.AuditChainHeads.FromSql($"""SELECT * FROM "AuditChainHead" ORDER BY random() LIMIT 1""").SingleOrDefaultAsync(cancellationToken);
            var last = await db.AuditEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
            numbers = [.. Enumerable.Range(1, pending.Count).Select(i => last + i)];
        }

        if (head is null)
        {
            throw new InvalidOperationException("The audit trail has no chain head: it cannot be appended to.");
        }

        appends.Head = head;
        appends.HeadLockedAt ??= System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < pending.Count; i++)
        {
            var e = pending[i];
            var position = head.LastPosition + 1;
            var hash = AuditHasher.Hash(e, numbers[i], head.Id, position, head.LastHash);
            e.Link(numbers[i], head.Id, position, head.LastHash, hash);
            head.Advance(position, hash);
            db.AuditEvents.Add(e);
        }

        pending.Clear();
    }

    /// <summary>Adds chains up to <paramref name="chains"/> (none when the trail has that many or more); returns how many.</summary>
    public static async Task<int> AddChainsAsync(NehrDbContext db, int chains, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chains);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        await db.ClaimAsync(DataClaim.Named("audit-chains"), cancellationToken);
        var existing = await db.AuditChainHeads.Select(h => h.Id).ToListAsync(cancellationToken);
        var added = Enumerable.Range(1, chains).Except(existing).Select(id => new AuditChainHead(id)).ToList();
        if (added.Count == 0)
        {
            return 0;
        }

        db.AuditChainHeads.AddRange(added);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return added.Count;
    }

    /// <summary>Records every chain's head that moved since its last checkpoint (in its own transaction); the points recorded.</summary>
    public async Task<IReadOnlyList<AuditCheckpoint>> CheckpointAsync(NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        var heads = await db.AuditChainHeads.AsNoTracking().Where(h => h.LastPosition > 0).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var recorded = new List<AuditCheckpoint>();
        foreach (var head in heads)
        {
            if (!await db.AuditCheckpoints.AnyAsync(c => c.Chain == head.Id && c.Position == head.LastPosition, cancellationToken))
            {
                recorded.Add(new AuditCheckpoint(head.Id, head.LastPosition, head.LastHash, now, null, null));
            }
        }

        db.AuditCheckpoints.AddRange(recorded);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return recorded;
    }

    /// <summary>Verifies every stored chain against its head and checkpoints, streaming each in position order.</summary>
    public static async Task<AuditVerification> VerifyAsync(NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var snapshot = await db.BeginReadSnapshotAsync(cancellationToken);
        var heads = await db.AuditChainHeads.AsNoTracking().OrderBy(h => h.Id).ToListAsync(cancellationToken);
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().ToListAsync(cancellationToken);
        return (await AuditChainVerifier.VerifyChainsAsync(db, heads, checkpoints, from: null, cancellationToken)).Result;
    }
}
