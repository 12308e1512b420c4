using System.Security.Cryptography;

namespace Nehr.Core.Audit;

/// <summary>
/// The Merkle tree of RFC 9162 (Certificate Transparency 2.0, section 2.1), with SHA-256: a leaf is hashed as
/// SHA-256(0x00 || data), two nodes as SHA-256(0x01 || left || right), and a tree of n leaves is split at the largest
/// power of two below n. So the roots and proofs are those any other implementation of the RFC computes, and an auditor
/// can check them with any of them. Pure: hashes in, hashes out.
/// </summary>
public static class MerkleTree
{
    public const int HashSize = 32;

    /// <summary>The root of the empty tree: SHA-256 of nothing.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData([]);

    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        Span<byte> input = data.Length <= 256 ? stackalloc byte[data.Length + 1] : new byte[data.Length + 1];
        input[0] = 0x00;
        data.CopyTo(input[1..]);
        return SHA256.HashData(input);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + (2 * HashSize)];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        return SHA256.HashData(input);
    }

    /// <summary>The root of a tree over the given leaf hashes, in order.</summary>
    public static byte[] Root(IEnumerable<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var frontier = new MerkleFrontier();
        foreach (var leaf in leafHashes)
        {
            frontier.Add(leaf);
        }

        return frontier.Root();
    }

    /// <summary>
    /// The leaf ranges [start, end) whose roots make the inclusion proof of leaf <paramref name="index"/> in a tree of
    /// <paramref name="size"/> leaves, in the proof's order (the sibling nearest the leaf first): RFC 9162's PATH.
    /// </summary>
    public static IReadOnlyList<(long Start, long End)> InclusionRanges(long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var ranges = new List<(long, long)>();
        Path(index, 0, size, ranges);
        return ranges;

        static void Path(long index, long start, long end, List<(long, long)> ranges)
        {
            var n = end - start;
            if (n <= 1)
            {
                return;
            }

            var k = LargestPowerOfTwoBelow(n);
            if (index - start < k)
            {
                Path(index, start, start + k, ranges);
                ranges.Add((start + k, end));
            }
            else
            {
                Path(index, start + k, end, ranges);
                ranges.Add((start, start + k));
            }
        }
    }

    /// <summary>
    /// The inclusion proof of leaf <paramref name="index"/> in the tree of the first <paramref name="size"/> of
    /// <paramref name="leafHashes"/> (read once, in order, and only as far as <paramref name="size"/>).
    /// </summary>
    public static IReadOnlyList<byte[]> InclusionProof(long index, long size, IEnumerable<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var builder = new ProofBuilder(index, size);
        foreach (var leaf in leafHashes)
        {
            if (!builder.Add(leaf))
            {
                break;
            }
        }

        return builder.Proof(nameof(leafHashes));
    }

    /// <summary>As <see cref="InclusionProof(long, long, IEnumerable{byte[]})"/>, the leaves streamed (a chain of millions of events is never held whole).</summary>
    public static async Task<IReadOnlyList<byte[]>> InclusionProofAsync(long index, long size, IAsyncEnumerable<byte[]> leafHashes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var builder = new ProofBuilder(index, size);
        await foreach (var leaf in leafHashes.WithCancellation(cancellationToken))
        {
            if (!builder.Add(leaf))
            {
                break;
            }
        }

        return builder.Proof(nameof(leafHashes));
    }

    /// <summary>Folds the leaves, in order, into the roots of the proof's ranges, one range at a time.</summary>
    private sealed class ProofBuilder
    {
        private readonly long _size;
        private readonly List<(long Start, long End, int Order)> _byStart;
        private readonly byte[][] _proof;
        private long _position;
        private int _next;
        private MerkleFrontier? _current;

        public ProofBuilder(long index, long size)
        {
            var ranges = InclusionRanges(index, size);
            _size = size;
            _byStart = [.. ranges.Select((r, i) => (r.Start, r.End, Order: i)).OrderBy(r => r.Start)];
            _proof = new byte[ranges.Count][];
        }

        /// <summary>Takes the next leaf; false once the tree's size is reached (no more are needed).</summary>
        public bool Add(byte[] leaf)
        {
            if (_position >= _size)
            {
                return false;
            }

            if (_next < _byStart.Count && _position == _byStart[_next].Start)
            {
                _current = new MerkleFrontier();
            }

            _current?.Add(leaf);
            _position++;
            if (_current is not null && _position == _byStart[_next].End)
            {
                _proof[_byStart[_next].Order] = _current.Root();
                _current = null;
                _next++;
            }

            return _position < _size;
        }

        public byte[][] Proof(string parameter) => _position < _size
            ? throw new ArgumentException($"The tree has {_position} leaves, not the {_size} the proof is for.", parameter)
            : _proof;
    }

    /// <summary>
    /// Whether <paramref name="proof"/> shows the leaf <paramref name="leafHash"/> at <paramref name="index"/> in the
    /// tree of <paramref name="size"/> leaves whose root is <paramref name="root"/> (RFC 9162, 2.1.3.2).
    /// </summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (index < 0 || index >= size || leafHash.Length != HashSize || root.Length != HashSize)
        {
            return false;
        }

        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0 || p is not { Length: HashSize })
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = NodeHash(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    private static long LargestPowerOfTwoBelow(long n) => 1L << (63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(n - 1)));
}

/// <summary>
/// The right edge of a growing Merkle tree: the roots of its perfect subtrees, largest first (one per bit set in its
/// size). Leaves are added one at a time and the root of the tree so far is folded from it, without keeping the leaves:
/// a chain of ten million events needs 24 hashes. Kept with a checkpoint, it lets the next walk go on from there.
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<byte[]> _subtrees = [];

    public MerkleFrontier()
    {
    }

    private MerkleFrontier(long size, List<byte[]> subtrees)
    {
        Size = size;
        _subtrees = subtrees;
    }

    /// <summary>How many leaves the tree has.</summary>
    public long Size { get; private set; }

    public void Add(byte[] leafHash)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        if (leafHash.Length != MerkleTree.HashSize)
        {
            throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        }

        var node = leafHash;
        for (var size = Size; (size & 1) == 1; size >>= 1)
        {
            node = MerkleTree.NodeHash(_subtrees[^1], node);
            _subtrees.RemoveAt(_subtrees.Count - 1);
        }

        _subtrees.Add(node);
        Size++;
    }

    /// <summary>The root of the tree so far.</summary>
    public byte[] Root()
    {
        if (_subtrees.Count == 0)
        {
            return MerkleTree.EmptyRoot();
        }

        var root = _subtrees[^1];
        for (var i = _subtrees.Count - 2; i >= 0; i--)
        {
            root = MerkleTree.NodeHash(_subtrees[i], root);
        }

        return root;
    }

    public MerkleFrontier Copy() => new(Size, [.. _subtrees]);

    /// <summary>"size:hash,hash,…" (hex), as stored beside a checkpoint.</summary>
    public override string ToString() =>
        $"{Size}:{string.Join(',', _subtrees.Select(Convert.ToHexStringLower))}";

    /// <summary>Reads what <see cref="ToString"/> wrote; false when it is not a frontier of that size.</summary>
    public static bool TryParse(string? text, out MerkleFrontier frontier)
    {
        frontier = new MerkleFrontier();
        var colon = text?.IndexOf(':') ?? -1;
        if (text is null || colon < 1 || !long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
        {
            return false;
        }

        var hashes = text.Length == colon + 1 ? [] : text[(colon + 1)..].Split(',');
        if (hashes.Length != System.Numerics.BitOperations.PopCount((ulong)size))
        {
            return false;
        }

        var subtrees = new List<byte[]>(hashes.Length);
        foreach (var hex in hashes)
        {
            if (hex.Length != 2 * MerkleTree.HashSize)
            {
                return false;
            }

            try
            {
                subtrees.Add(Convert.FromHexString(hex));
            }
            catch (FormatException)
            {
                return false;
            }
        }

        frontier = new MerkleFrontier(size, subtrees);
        return true;
    }
}
