using Nehr.Core.Audit;

namespace Nehr.Core.Tests;

/// <summary>
/// The Merkle tree must be RFC 9162's to the bit: an auditor checks an inclusion proof with any implementation of the
/// RFC, so roots and proofs are compared with the Certificate Transparency reference vectors and with the RFC's
/// recursive definitions, over every tree shape up to 70 leaves.
/// </summary>
public sealed class MerkleTreeTests
{
    // The reference leaves and tree heads of RFC 6962's test vectors (the hashing is RFC 9162's too).
    private static readonly byte[][] ReferenceData =
        [.. new[] { "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" }.Select(Convert.FromHexString)];

    private static readonly string[] ReferenceRoots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static readonly byte[][] ManyLeaves = [.. Enumerable.Range(0, 70).Select(i => MerkleTree.LeafHash([(byte)i, (byte)(i * 7)]))];

    [Fact]
    public void Roots_are_the_reference_tree_heads()
    {
        var leaves = ReferenceData.Select(d => MerkleTree.LeafHash(d)).ToList();
        for (var size = 0; size <= leaves.Count; size++)
        {
            Assert.Equal(ReferenceRoots[size], Convert.ToHexStringLower(MerkleTree.Root(leaves.Take(size))));
        }
    }

    [Theory]
    [InlineData(0, new[] { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" })]
    [InlineData(5, new[] { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" })]
    public void Inclusion_proofs_are_the_reference_ones(int index, string[] expected)
    {
        var leaves = ReferenceData.Select(d => MerkleTree.LeafHash(d)).ToList();

        var proof = MerkleTree.InclusionProof(index, 8, leaves);

        Assert.Equal(expected, proof.Select(Convert.ToHexStringLower));
        Assert.True(MerkleTree.VerifyInclusion(index, 8, leaves[index], proof, Convert.FromHexString(ReferenceRoots[8])));
    }

    [Fact]
    public void The_frontier_root_is_the_recursive_definition_at_every_size()
    {
        var frontier = new MerkleFrontier();
        Assert.Equal(Recursive.Root([]), frontier.Root());
        for (var size = 1; size <= ManyLeaves.Length; size++)
        {
            frontier.Add(ManyLeaves[size - 1]);
            Assert.Equal(Recursive.Root(ManyLeaves[..size]), frontier.Root());
            Assert.Equal(size, frontier.Size);
        }
    }

    [Fact]
    public void Every_leaf_proof_is_the_recursive_path_and_verifies_at_every_size()
    {
        for (var size = 1; size <= 40; size++)
        {
            var tree = ManyLeaves[..size];
            var root = Recursive.Root(tree);
            for (var index = 0; index < size; index++)
            {
                var proof = MerkleTree.InclusionProof(index, size, ManyLeaves);

                Assert.Equal(Recursive.Path(index, tree), proof);
                Assert.True(MerkleTree.VerifyInclusion(index, size, tree[index], proof, root), $"leaf {index} of {size}");
            }
        }
    }

    [Fact]
    public void A_proof_shows_nothing_else()
    {
        const int size = 13;
        var tree = ManyLeaves[..size];
        var root = MerkleTree.Root(tree);
        for (var index = 0; index < size; index++)
        {
            var proof = MerkleTree.InclusionProof(index, size, tree);

            // Another leaf at that place, the leaf at another place, under another root. (The size is bound to the root
            // by the signed tree head, not by the proof.)
            Assert.False(MerkleTree.VerifyInclusion(index, size, ManyLeaves[size], proof, root));
            Assert.False(MerkleTree.VerifyInclusion((index + 1) % size, size, tree[index], proof, root));
            Assert.False(MerkleTree.VerifyInclusion(index, size, tree[index], proof, MerkleTree.Root(ManyLeaves[..(size + 1)])));
            // A proof with one hash changed, one hash missing, or one too many.
            for (var i = 0; i < proof.Count; i++)
            {
                var changed = proof.Select(p => p.ToArray()).ToList();
                changed[i][0] ^= 1;
                Assert.False(MerkleTree.VerifyInclusion(index, size, tree[index], changed, root));
            }

            Assert.False(MerkleTree.VerifyInclusion(index, size, tree[index], proof.Take(proof.Count - 1).ToList(), root));
            Assert.False(MerkleTree.VerifyInclusion(index, size, tree[index], [.. proof, root], root));
        }
    }

    [Fact]
    public void A_proof_is_asked_of_a_tree_that_has_the_leaves()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.InclusionRanges(5, 5));
        Assert.Throws<ArgumentException>(() => MerkleTree.InclusionProof(2, 8, ManyLeaves[..6]));
    }

    [Fact]
    public void A_frontier_is_written_and_read_back()
    {
        var frontier = new MerkleFrontier();
        foreach (var leaf in ManyLeaves[..45])
        {
            frontier.Add(leaf);
        }

        Assert.True(MerkleFrontier.TryParse(frontier.ToString(), out var read));
        Assert.Equal(45, read.Size);
        Assert.Equal(frontier.Root(), read.Root());
        read.Add(ManyLeaves[45]);
        Assert.Equal(MerkleTree.Root(ManyLeaves[..46]), read.Root());
        Assert.True(MerkleFrontier.TryParse(new MerkleFrontier().ToString(), out var empty));
        Assert.Equal(0, empty.Size);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("3:")]
    [InlineData("x:00")]
    [InlineData("1:zz")]
    [InlineData("2:00")]
    public void What_is_not_a_frontier_is_refused(string? text) => Assert.False(MerkleFrontier.TryParse(text, out _));

    [Fact]
    public void A_frontier_with_one_subtree_too_many_is_refused()
    {
        var one = Convert.ToHexStringLower(ManyLeaves[0]);
        Assert.False(MerkleFrontier.TryParse($"2:{one},{one}", out _));
        Assert.True(MerkleFrontier.TryParse($"2:{one}", out _));
    }

    /// <summary>RFC 9162's definitions, word for word: MTH and PATH.</summary>
    private static class Recursive
    {
        public static byte[] Root(byte[][] leaves) => leaves.Length switch
        {
            0 => MerkleTree.EmptyRoot(),
            1 => leaves[0],
            _ => MerkleTree.NodeHash(Root(leaves[..Split(leaves.Length)]), Root(leaves[Split(leaves.Length)..])),
        };

        public static List<byte[]> Path(int m, byte[][] leaves)
        {
            if (leaves.Length <= 1)
            {
                return [];
            }

            var k = Split(leaves.Length);
            return m < k
                ? [.. Path(m, leaves[..k]), Root(leaves[k..])]
                : [.. Path(m - k, leaves[k..]), Root(leaves[..k])];
        }

        private static int Split(int n)
        {
            var k = 1;
            while (k * 2 < n)
            {
                k *= 2;
            }

            return k;
        }
    }
}
