namespace Nehr.Core.Audit;

/// <summary>The verifier's finding: intact, or the first position where the chain is broken and how.</summary>
public sealed record AuditVerification(bool Intact, long EventsChecked, long? FirstBrokenSequence, string? Problem)
{
    public static AuditVerification Ok(long checkedCount) => new(true, checkedCount, null, null);

    public static AuditVerification Broken(long checkedCount, long position, string problem) => new(false, checkedCount, position, problem);
}

/// <summary>
/// Walks the chain in sequence order and recomputes every hash. Any edit, deletion, insertion or reordering breaks
/// a hash link or the 1, 2, 3... numbering; a removed tail is caught by the head row and by stored checkpoints.
/// Pure: it reads what it is given and nothing else.
/// </summary>
public sealed class AuditChainVerifier
{
    private readonly Dictionary<long, string> _checkpoints;
    private readonly long _start;
    private long _expected;
    private string _previousHash;
    private AuditVerification? _broken;

    public AuditChainVerifier(IEnumerable<AuditCheckpoint> checkpoints)
        : this(checkpoints, 0, string.Empty)
    {
    }

    /// <summary>
    /// A walk that goes on from a point verified before (its sequence and hash): the next event fed must be the one
    /// after it and link to that hash. 0 and "" start at the beginning.
    /// </summary>
    public AuditChainVerifier(IEnumerable<AuditCheckpoint> checkpoints, long verifiedThrough, string verifiedHash)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentOutOfRangeException.ThrowIfNegative(verifiedThrough);
        ArgumentNullException.ThrowIfNull(verifiedHash);
        _checkpoints = checkpoints.ToDictionary(c => c.Sequence, c => c.Hash);
        _start = verifiedThrough;
        _expected = verifiedThrough + 1;
        _previousHash = verifiedHash;
    }

    /// <summary>How many events this walk checked (from the point it started at).</summary>
    public long Checked => _expected - 1 - _start;

    /// <summary>The last event verified so far (its sequence and hash): where a later walk can go on from.</summary>
    public (long Sequence, string Hash) VerifiedThrough => (_expected - 1, _previousHash);

    /// <summary>Feeds the next stored event; false once the chain is found broken (stop feeding then).</summary>
    public bool Add(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (_broken is not null)
        {
            return false;
        }

        var position = _expected;
        if (e.Sequence != position)
        {
            return Fail(position, e.Sequence < position
                ? $"event {e.Sequence} appears again or out of order at position {position}"
                : $"events {position} to {e.Sequence - 1} are missing");
        }

        if (!string.Equals(e.PreviousHash, _previousHash, StringComparison.Ordinal))
        {
            return Fail(position, $"event {position} does not link to the event before it");
        }

        var hash = AuditHasher.Hash(e, e.Sequence, e.PreviousHash);
        if (!string.Equals(hash, e.Hash, StringComparison.Ordinal))
        {
            return Fail(position, $"event {position} was changed after it was written");
        }

        if (_checkpoints.TryGetValue(position, out var checkpoint) && !string.Equals(checkpoint, hash, StringComparison.Ordinal))
        {
            return Fail(position, $"event {position} does not match the checkpoint recorded for it");
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

    /// <summary>Verifies a whole chain held in memory.</summary>
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

    private bool Fail(long position, string problem)
    {
        Break(position, problem);
        return false;
    }

    private AuditVerification Break(long position, string problem) =>
        _broken = AuditVerification.Broken(Checked, position, problem);
}
