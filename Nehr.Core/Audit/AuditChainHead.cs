namespace Nehr.Core.Audit;

/// <summary>
/// The row that says where one of the trail's hash chains ends. Every append to the chain locks and advances it, so
/// the chain's appends are serialised in the database (also across portal instances), and a removed tail is noticed
/// because the head still names it. The trail has one chain or several (<see cref="AuditChainOptions.Chains"/>): a
/// transaction appends to one chain, any one that no other transaction holds, so appenders on several instances do not
/// wait for each other. Chains are added, never removed: a chain once started is verified for ever.
/// </summary>
public sealed class AuditChainHead
{
    /// <summary>The first chain: the whole trail before it had several.</summary>
    public const int FirstChain = 1;

    private AuditChainHead()
    {
        LastHash = string.Empty;
    }

    internal AuditChainHead(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(id);
        Id = id;
        LastHash = string.Empty;
    }

    /// <summary>The chain's number, from 1.</summary>
    public int Id { get; private set; } = FirstChain;

    /// <summary>The position of the chain's last event (0 for an empty chain).</summary>
    public long LastPosition { get; private set; }

    public string LastHash { get; private set; }

    internal void Advance(long position, string hash)
    {
        if (position != LastPosition + 1)
        {
            throw new InvalidOperationException($"Audit chain {Id} must advance by one (head {LastPosition}, got {position}).");
        }

        LastPosition = position;
        LastHash = hash;
    }
}

/// <summary>
/// A recorded point of one chain: its (position, hash), and, for a signed checkpoint, the root of the chain's Merkle
/// tree there and the tree's right edge (<see cref="MerkleFrontier"/>, from which the next verification goes on). Kept
/// apart from the chain, it shows that nothing before it was rewritten or cut off. A signed checkpoint that finds a
/// chain where an earlier one left it records nothing new for that chain.
/// </summary>
public sealed class AuditCheckpoint
{
    private AuditCheckpoint()
    {
        Hash = string.Empty;
    }

    /// <summary>A point of the first chain (the trail as it was with one chain).</summary>
    public AuditCheckpoint(long position, string hash, DateTime createdAtUtc)
        : this(AuditChainHead.FirstChain, position, hash, createdAtUtc, null, null)
    {
    }

    public AuditCheckpoint(int chain, long position, string hash, DateTime createdAtUtc, string? root, string? frontier)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chain);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(position);
        ArgumentException.ThrowIfNullOrWhiteSpace(hash);
        Chain = chain;
        Position = position;
        Hash = hash;
        CreatedAtUtc = createdAtUtc;
        Root = root;
        Frontier = frontier;
    }

    public int Chain { get; private set; }

    public long Position { get; private set; }

    public string Hash { get; private set; }

    public DateTime CreatedAtUtc { get; private set; }

    /// <summary>The root (hex) of the Merkle tree of the chain's events up to <see cref="Position"/>; null for a checkpoint without one.</summary>
    public string? Root { get; private set; }

    /// <summary>That tree's right edge (<see cref="MerkleFrontier.ToString"/>); null with <see cref="Root"/>.</summary>
    public string? Frontier { get; private set; }
}
