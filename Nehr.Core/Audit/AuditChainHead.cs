namespace Nehr.Core.Audit;

/// <summary>
/// The one row that says where the chain ends. Every append locks and advances it, so appends are serialised in the
/// database (also across portal instances), and a removed tail is noticed because the head still names it.
/// </summary>
public sealed class AuditChainHead
{
    public const int SingletonId = 1;

    private AuditChainHead()
    {
        LastHash = string.Empty;
    }

    public int Id { get; private set; } = SingletonId;

    public long LastSequence { get; private set; }

    public string LastHash { get; private set; }

    internal void Advance(long sequence, string hash)
    {
        if (sequence != LastSequence + 1)
        {
            throw new InvalidOperationException($"The audit chain must advance by one (head {LastSequence}, got {sequence}).");
        }

        LastSequence = sequence;
        LastHash = hash;
    }
}

/// <summary>A recorded (sequence, hash) pair. Kept apart from the chain, it shows that nothing before it was rewritten or cut off.</summary>
public sealed class AuditCheckpoint
{
    private AuditCheckpoint()
    {
        Hash = string.Empty;
    }

    public AuditCheckpoint(long sequence, string hash, DateTime createdAtUtc)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        ArgumentException.ThrowIfNullOrWhiteSpace(hash);
        Sequence = sequence;
        Hash = hash;
        CreatedAtUtc = createdAtUtc;
    }

    public long Sequence { get; private set; }

    public string Hash { get; private set; }

    public DateTime CreatedAtUtc { get; private set; }
}
