using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nehr.Core.Audit;

/// <summary>
/// The proof that one audit event is in the signed log, and so cannot be removed or changed without it showing: the
/// event's hash is a leaf of the Merkle tree of its chain (the path to that tree's root at the chain's signed head),
/// that head is a leaf of the checkpoint's tree of heads (the path to its root), and the checkpoint's signature holds
/// that root. Besides the event's own hash it holds hashes only: nothing of any other event's content, though the
/// checkpoint it rests on names every chain's size and last hash at that moment. Checked with the
/// checkpoint key's public half and nothing else (<see cref="Check"/>), with any implementation of RFC 9162's trees.
/// </summary>
public sealed record InclusionProof(
    long Sequence, int Chain, long Position, string EventHash,
    IReadOnlyList<string> ChainPath, SignedHead Head, IReadOnlyList<string> HeadPath, string Checkpoint)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>
    /// What is wrong with the proof, or null when it holds: the event's leaf leads to its chain's signed root, the
    /// head to the checkpoint's root, and the checkpoint's signature verifies with <paramref name="key"/>. Given the
    /// event as stored, its hash is computed again too.
    /// </summary>
    public string? Check(CheckpointSigner key, AuditEvent? stored = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (stored is not null)
        {
            if (stored.Sequence != Sequence || stored.Chain != Chain || stored.Position != Position)
            {
                return $"the proof is for event {Sequence} (chain {Chain}, position {Position}), not the event given";
            }

            if (!string.Equals(AuditHasher.Hash(stored), EventHash, StringComparison.Ordinal))
            {
                return $"event {Sequence} as stored is not the event the proof is for: it was changed";
            }
        }

        if (!CheckpointLog.TryParse(Checkpoint, out var checkpoint) || checkpoint.Root is null)
        {
            return "the proof's checkpoint cannot be read as a signed tree head";
        }

        if (!CheckpointLog.SignatureVerifies(checkpoint, key))
        {
            return $"the proof's checkpoint {checkpoint.Index} is not signed by the checkpoint key {key.KeyId}";
        }

        if (Head.Chain != Chain || Head.Position < Position || Head.Root is null || checkpoint.Head(Chain) != Head)
        {
            return $"the head in the proof is not the head of chain {Chain} that checkpoint {checkpoint.Index} names";
        }

        if (!TryHashes(ChainPath, out var chainPath) || !TryHashes(HeadPath, out var headPath) || !TryHashes([EventHash, Head.Root, checkpoint.Root], out var hashes))
        {
            return "the proof holds something that is not a SHA-256 hash";
        }

        if (!MerkleTree.VerifyInclusion(Position - 1, Head.Position, MerkleTree.LeafHash(hashes[0]), chainPath, hashes[1]))
        {
            return $"event {Sequence} is not at position {Position} of the tree of chain {Chain} signed in checkpoint {checkpoint.Index}";
        }

        return MerkleTree.VerifyInclusion(Chain - 1, checkpoint.Size, SignedCheckpoint.LeafOf(Head), headPath, hashes[2])
            ? null
            : $"the head of chain {Chain} is not in the tree of heads signed in checkpoint {checkpoint.Index}";
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static InclusionProof? FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<InclusionProof>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryHashes(IReadOnlyList<string> hex, out byte[][] hashes)
    {
        hashes = new byte[hex.Count][];
        for (var i = 0; i < hex.Count; i++)
        {
            if (hex[i] is not { Length: 2 * MerkleTree.HashSize })
            {
                return false;
            }

            try
            {
                hashes[i] = Convert.FromHexString(hex[i]);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return true;
    }
}
