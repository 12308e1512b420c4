using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Core.Audit;

/// <summary>
/// The verifier's finding: intact, or the first place where a chain is broken (its chain and position; on a trail with
/// one chain, the position is the event's number) and how.
/// </summary>
public sealed record AuditVerification(bool Intact, long EventsChecked, long? FirstBrokenSequence, string? Problem, int? BrokenChain = null)
{
    public static AuditVerification Ok(long checkedCount) => new(true, checkedCount, null, null);

    public static AuditVerification Broken(long checkedCount, long position, string problem, int? chain = null) => new(false, checkedCount, position, problem, chain);

    /// <summary>The number of the event at the broken place, when there is one (<see cref="FirstBrokenSequence"/> is its position on its chain).</summary>
    public long? BrokenSequence { get; init; }

    /// <summary>
    /// Where the break is, for people: "event 12" (the first chain, at the position of its number), "event 1,204
    /// (position 97 of chain 3)", or "position 97 of chain 3" when no event is there.
    /// </summary>
    public string BrokenAt
    {
        get
        {
            var chain = BrokenChain ?? AuditChainHead.FirstChain;
            var place = string.Create(CultureInfo.InvariantCulture, $"position {FirstBrokenSequence:N0} of chain {chain}");
            return BrokenSequence is { } number
                ? number == FirstBrokenSequence && chain == AuditChainHead.FirstChain
                    ? string.Create(CultureInfo.InvariantCulture, $"event {number}")
                    : string.Create(CultureInfo.InvariantCulture, $"event {number:N0} ({place})")
                : place;
        }
    }
}

/// <summary>Where a chain was verified to: the last event's position and hash, and the Merkle tree of its events so far when kept.</summary>
public sealed record ChainPoint(long Position, string Hash, MerkleFrontier? Tree);

/// <summary>What a walk of every chain found, and where each chain was verified to.</summary>
public sealed record ChainsVerification(AuditVerification Result, IReadOnlyDictionary<int, ChainPoint> VerifiedThrough);

/// <summary>
/// Walks one chain in position order and recomputes every hash. Any edit, deletion, insertion or reordering breaks
/// a hash link or the 1, 2, 3... numbering; a removed tail is caught by the head row and by stored checkpoints.
/// Given the chain's Merkle tree where the walk starts, it grows it with every event verified (the roots that signed
/// checkpoints commit to). Pure: it reads what it is given and nothing else.
/// </summary>
public sealed class AuditChainVerifier
{
    private readonly int _chain;
    private readonly Dictionary<long, AuditCheckpoint> _checkpoints;
    private readonly long _start;
    private long _expected;
    private string _previousHash;
    private AuditVerification? _broken;
    private long? _at;

    public AuditChainVerifier(IEnumerable<AuditCheckpoint> checkpoints)
        : this(AuditChainHead.FirstChain, checkpoints, 0, string.Empty)
    {
    }

    public AuditChainVerifier(IEnumerable<AuditCheckpoint> checkpoints, long verifiedThrough, string verifiedHash)
        : this(AuditChainHead.FirstChain, checkpoints, verifiedThrough, verifiedHash)
    {
    }

    /// <summary>
    /// A walk of <paramref name="chain"/> that goes on from a point verified before (its position and hash, and the
    /// Merkle tree of the events up to it, when one is kept): the next event fed must be the one after it and link to
    /// that hash. 0 and "" start at the beginning. Checkpoints of other chains are ignored; a checkpoint's Merkle root is
    /// checked when the walk keeps the tree.
    /// </summary>
    public AuditChainVerifier(int chain, IEnumerable<AuditCheckpoint> checkpoints, long verifiedThrough, string verifiedHash, MerkleFrontier? tree = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentOutOfRangeException.ThrowIfNegative(verifiedThrough);
        ArgumentNullException.ThrowIfNull(verifiedHash);
        if (tree is not null && tree.Size != verifiedThrough)
        {
            throw new ArgumentException($"The Merkle tree given has {tree.Size} events, not the {verifiedThrough} verified.", nameof(tree));
        }

        _chain = chain;
        _checkpoints = checkpoints.Where(c => c.Chain == chain).DistinctBy(c => c.Position).ToDictionary(c => c.Position);
        _start = verifiedThrough;
        _expected = verifiedThrough + 1;
        _previousHash = verifiedHash;
        Tree = tree?.Copy();
    }

    /// <summary>How many events this walk checked (from the point it started at).</summary>
    public long Checked => _expected - 1 - _start;

    /// <summary>The last event verified so far (its position and hash): where a later walk can go on from.</summary>
    public (long Sequence, string Hash) VerifiedThrough => (_expected - 1, _previousHash);

    /// <summary>The Merkle tree of the chain's events verified so far (null when the walk keeps none).</summary>
    public MerkleFrontier? Tree { get; }

    /// <summary>Feeds the next stored event; false once the chain is found broken (stop feeding then).</summary>
    public bool Add(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (_broken is not null)
        {
            return false;
        }

        var position = _expected;
        _at = e.Sequence;
        if (e.Chain != _chain)
        {
            return Fail(position, $"event {e.Sequence} of chain {e.Chain} was read as one of chain {_chain}");
        }

        if (e.Position != position)
        {
            _at = null;
            return Fail(position, e.Position < position
                ? $"event {e.Position} appears again or out of order at position {position}"
                : $"events {position} to {e.Position - 1} are missing");
        }

        if (!string.Equals(e.PreviousHash, _previousHash, StringComparison.Ordinal))
        {
            return Fail(position, $"event {position} does not link to the event before it");
        }

        var hash = AuditHasher.Hash(e);
        if (!string.Equals(hash, e.Hash, StringComparison.Ordinal))
        {
            return Fail(position, $"event {position} was changed after it was written");
        }

        _checkpoints.TryGetValue(position, out var checkpoint);
        if (checkpoint is not null && !string.Equals(checkpoint.Hash, hash, StringComparison.Ordinal))
        {
            return Fail(position, $"event {position} does not match the checkpoint recorded for it");
        }

        if (Tree is not null)
        {
            Tree.Add(MerkleTree.LeafHash(Convert.FromHexString(hash)));
            if (checkpoint?.Root is { } root && !string.Equals(Convert.ToHexStringLower(Tree.Root()), root, StringComparison.Ordinal))
            {
                return Fail(position, $"the Merkle tree of the chain up to event {position} is not the one its checkpoint signed");
            }
        }

        _previousHash = hash;
        _expected++;
        return true;
    }

    /// <summary>Closes the walk: the chain must reach the head and every checkpoint.</summary>
    public AuditVerification Complete(long headSequence, string headHash)
    {
        if (_broken is not null)
        {
            return _broken;
        }

        _at = null;
        var last = _expected - 1;
        if (last < headSequence)
        {
            return Break(last + 1, $"the chain ends at {last} but its head says {headSequence}: events were removed from the end");
        }

        if (last > headSequence || (last > 0 && !string.Equals(_previousHash, headHash, StringComparison.Ordinal)))
        {
            return Break(Math.Min(last, headSequence + 1), $"the chain does not end where its head says ({headSequence})");
        }

        var beyond = _checkpoints.Keys.Where(k => k > last).Order().FirstOrDefault();
        return beyond > 0
            ? Break(last + 1, $"a checkpoint was recorded at {beyond} but the chain ends at {last}: events were removed from the end")
            : AuditVerification.Ok(Checked);
    }

    /// <summary>Verifies a whole chain (the first) held in memory.</summary>
    public static AuditVerification Verify(
        IEnumerable<AuditEvent> events, long headSequence, string headHash, IEnumerable<AuditCheckpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(events);
        var verifier = new AuditChainVerifier(checkpoints);
        foreach (var e in events)
        {
            if (!verifier.Add(e))
            {
                break;
            }
        }

        return verifier.Complete(headSequence, headHash);
    }

    /// <summary>
    /// Verifies every chain of the database, each from where <paramref name="from"/> says it was verified before (from
    /// the start when it does not name it), against its head and <paramref name="checkpoints"/>. The heads must be the
    /// chains 1 to K without a gap, every checkpoint must name one of them, and no event may be on another chain.
    /// Read inside the caller's snapshot.
    /// </summary>
    public static async Task<ChainsVerification> VerifyChainsAsync(
        NehrDbContext db, IReadOnlyList<AuditChainHead> heads, IReadOnlyList<AuditCheckpoint> checkpoints,
        IReadOnlyDictionary<int, ChainPoint>? from, CancellationToken cancellationToken, bool keepTrees = false)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(checkpoints);
        var through = new Dictionary<int, ChainPoint>();
        var total = 0L;
        ChainsVerification Done(AuditVerification result) => new(result with { EventsChecked = total + result.EventsChecked }, through);

        var ids = heads.Select(h => h.Id).Order().ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] != i + 1)
            {
                return Done(AuditVerification.Broken(0, 1, $"the head of chain {i + 1} is missing: its events cannot be verified", i + 1));
            }
        }

        var count = ids.Count;
        if (await db.AuditEvents.AsNoTracking().Where(e => e.Chain > count || e.Chain < 1).Select(e => (int?)e.Chain).FirstOrDefaultAsync(cancellationToken) is { } stray)
        {
            return Done(AuditVerification.Broken(0, 1, $"chain {stray} has events but no head", stray));
        }

        if (checkpoints.FirstOrDefault(c => c.Chain > count || c.Chain < 1) is { } orphan)
        {
            return Done(AuditVerification.Broken(0, orphan.Position, $"a checkpoint was recorded on chain {orphan.Chain}, which has no head: the chain was removed", orphan.Chain));
        }

        foreach (var head in heads.OrderBy(h => h.Id))
        {
            var start = from?.GetValueOrDefault(head.Id) ?? new ChainPoint(0, string.Empty, keepTrees ? new MerkleFrontier() : null);
            var verifier = new AuditChainVerifier(head.Id, checkpoints, start.Position, start.Hash, start.Tree);
            var chain = head.Id;
            var after = start.Position;
            await foreach (var e in db.AuditEvents.AsNoTracking().Where(e => e.Chain == chain && e.Position > after).OrderBy(e => e.Position)
                .AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                if (!verifier.Add(e))
                {
                    break;
                }
            }

            var result = verifier.Complete(head.LastPosition, head.LastHash);
            if (!result.Intact)
            {
                return Done(result with { BrokenChain = chain });
            }

            total += result.EventsChecked;
            var (position, hash) = verifier.VerifiedThrough;
            through[chain] = new ChainPoint(position, hash, verifier.Tree);
        }

        return new(AuditVerification.Ok(total), through);
    }

    private bool Fail(long position, string problem)
    {
        Break(position, problem);
        return false;
    }

    /// <summary>The break at <paramref name="position"/>; from <see cref="Add"/>, with the number of the event found there.</summary>
    private AuditVerification Break(long position, string problem) =>
        _broken = AuditVerification.Broken(Checked, position, problem, _chain) with { BrokenSequence = _at };
}
