using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Nehr.Core.Audit;

/// <summary>
/// The key that signs the audit chain's checkpoints: ECDSA on P-256 with SHA-256. A signature, not an HMAC, because
/// whoever checks a checkpoint then needs only the public key: an auditor, or the store that keeps the checkpoints,
/// can verify them without being able to make one. The key is read from a PEM file (never from the database), so
/// someone who can rewrite the database and its hash chain cannot sign checkpoints that agree with the rewrite.
/// </summary>
public sealed class CheckpointSigner : IDisposable
{
    private readonly ECDsa _key;

    private CheckpointSigner(ECDsa key)
    {
        _key = key;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }

    /// <summary>The start of the SHA-256 of the public key: written in each checkpoint, so a checkpoint names the key it needs.</summary>
    public string KeyId { get; }

    private const string NewKeyCommand = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256";

    /// <summary>A signer from a PEM private key (PKCS#8 or SEC1) on the P-256 curve.</summary>
    public static CheckpointSigner FromPem(string pem, string where) =>
        Import(pem, $"{where} is not a P-256 key: the checkpoints are signed with ECDSA on P-256 ({NewKeyCommand}).",
            $"{where} is not a PEM private key ({NewKeyCommand})");

    /// <summary>
    /// A key that only verifies, from the public half (SubjectPublicKeyInfo PEM) of a P-256 key: what someone outside
    /// the portal checks a proof with (<see cref="InclusionProof.Check"/>).
    /// </summary>
    public static CheckpointSigner FromPublicPem(string pem, string where) =>
        Import(pem, $"{where} is not a P-256 key: the checkpoints are signed with ECDSA on P-256.", $"{where} is not a PEM public key");

    /// <summary>The key in <paramref name="pem"/> (private or public), on P-256, or the error named for its file.</summary>
    private static CheckpointSigner Import(string pem, string notP256, string notPem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new InvalidOperationException(notP256);
            }

            return new CheckpointSigner(key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{notPem}: {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A new P-256 private key as PKCS#8 PEM.</summary>
    public static string NewKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>The public key (SubjectPublicKeyInfo PEM): what anyone checking a checkpoint or a proof needs, and all they need.</summary>
    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    public string Sign(ReadOnlySpan<byte> data) => Convert.ToBase64String(_key.SignData(data, HashAlgorithmName.SHA256));

    public bool Verifies(ReadOnlySpan<byte> data, string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var bytes = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, bytes, out var length)
            && _key.VerifyData(data, bytes.AsSpan(0, length), HashAlgorithmName.SHA256);
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>
/// The checkpoint keys: the one that signs now, and the retired ones, whose public halves still verify what they
/// signed. A retired key verifies only the lines before the first one signed with the current key: a retired key that
/// leaks cannot add checkpoints after the rotation.
/// </summary>
public sealed class CheckpointKeyRing
{
    private readonly Dictionary<string, CheckpointSigner> _retired;

    public CheckpointKeyRing(CheckpointSigner current, IEnumerable<CheckpointSigner>? retired = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        Current = current;
        _retired = (retired ?? []).Where(k => k.KeyId != current.KeyId).DistinctBy(k => k.KeyId).ToDictionary(k => k.KeyId, StringComparer.Ordinal);
    }

    /// <summary>The key that signs new checkpoints.</summary>
    public CheckpointSigner Current { get; }

    public IReadOnlyCollection<CheckpointSigner> Retired => _retired.Values;

    /// <summary>The key with <paramref name="keyId"/>, current or retired; null when the ring has none.</summary>
    public CheckpointSigner? Find(string keyId) =>
        string.Equals(keyId, Current.KeyId, StringComparison.Ordinal) ? Current : _retired.GetValueOrDefault(keyId);
}

/// <summary>
/// One chain's head as a signed checkpoint names it: its position and hash, and the root (hex) of the Merkle tree of
/// the chain's events up to there (null in a checkpoint written before the trail had several chains).
/// </summary>
public sealed record SignedHead(int Chain, long Position, string Hash, string? Root);

/// <summary>
/// One signed checkpoint: every chain's head at a moment, numbered, and linked to the checkpoint before it. Its signed
/// part is a tree head in the manner of RFC 9162: the number of chains (<see cref="Size"/>) and the root of the Merkle
/// tree whose leaves are the heads (<see cref="Root"/>), with the time, the number, the link and the key. A checkpoint
/// of the log as it was with one chain has no root and signs that chain's head itself.
/// </summary>
public sealed record SignedCheckpoint(long Index, IReadOnlyList<SignedHead> Heads, string? Root, DateTime AtUtc, string Previous, string KeyId, string Signature)
{
    public int Size => Heads.Count;

    /// <summary>The head of <paramref name="chain"/>, or null when the checkpoint names none.</summary>
    public SignedHead? Head(int chain) => Heads.FirstOrDefault(h => h.Chain == chain);

    /// <summary>The leaf of the tree of heads for one head: the hash of its canonical form.</summary>
    public static byte[] LeafOf(SignedHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var buffer = new ArrayBufferWriter<byte>(192);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("chain", head.Chain);
            json.WriteNumber("position", head.Position);
            json.WriteString("hash", head.Hash);
            json.WriteString("root", head.Root);
            json.WriteEndObject();
        }

        return MerkleTree.LeafHash(buffer.WrittenSpan);
    }

    /// <summary>The root of the tree of heads, in chain order (hex).</summary>
    public static string RootOf(IEnumerable<SignedHead> heads) =>
        Convert.ToHexStringLower(MerkleTree.Root(heads.OrderBy(h => h.Chain).Select(LeafOf)));
}

/// <summary>Where a walk of the checkpoint log stopped: how many lines were verified and the hash of the last one.</summary>
public sealed record CheckpointLogPosition(int Lines, string LastLineHash);

/// <summary>What a walk of the checkpoint log found: the checkpoints it holds, or the first problem with it.</summary>
public sealed record CheckpointLogReading(
    IReadOnlyList<SignedCheckpoint> Checkpoints, CheckpointLogPosition Position, long? BrokenNearSequence, string? Problem)
{
    public bool Intact => Problem is null;
}

/// <summary>
/// The checkpoint log: one JSON object a line, each every chain's head (position, hash, Merkle root) at a moment, under
/// a tree head signed by <see cref="CheckpointSigner"/>. Each line carries its number (1, 2, 3…) and the SHA-256 of the
/// line before it, so a line removed from the middle, replaced, or moved is found by the walk; a line removed from the
/// end is found by the database, which keeps every checkpoint it had signed (<see cref="AuditCheckpoint"/>). Lines
/// written when the trail had one chain (a "sequence" and a "hash", signed as they are) are read as they were. Pure:
/// text in, findings out.
/// </summary>
public static class CheckpointLog
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>The line of the next checkpoint after <paramref name="previousLine"/> (null for the first): the heads of chains 1 to K.</summary>
    public static string Line(string? previousLine, long index, IReadOnlyList<SignedHead> heads, DateTime atUtc, CheckpointSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        if (heads.Count == 0 || heads.Select((h, i) => h.Chain != i + 1 || h.Position < 0 || h.Root is null).Any(bad => bad))
        {
            throw new ArgumentException("A checkpoint names the heads of chains 1 to K, in order, each with its Merkle root.", nameof(heads));
        }

        if (atUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("Checkpoint times are UTC.", nameof(atUtc));
        }

        var unsigned = new SignedCheckpoint(index, heads, SignedCheckpoint.RootOf(heads), atUtc,
            previousLine is null ? string.Empty : LineHash(previousLine), signer.KeyId, string.Empty);
        return Write(unsigned with { Signature = signer.Sign(Payload(unsigned)) });
    }

    /// <summary>A line as the log was written when the trail had one chain (its head's sequence and hash, signed as such).</summary>
    public static string SingleChainLine(string? previousLine, long index, long sequence, string hash, DateTime atUtc, CheckpointSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        ArgumentException.ThrowIfNullOrWhiteSpace(hash);
        if (atUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("Checkpoint times are UTC.", nameof(atUtc));
        }

        var unsigned = new SignedCheckpoint(index, [new SignedHead(AuditChainHead.FirstChain, sequence, hash, null)], null, atUtc,
            previousLine is null ? string.Empty : LineHash(previousLine), signer.KeyId, string.Empty);
        return Write(unsigned with { Signature = signer.Sign(Payload(unsigned)) });
    }

    /// <summary>The SHA-256 of a line as written (what the next line names as its previous one).</summary>
    public static string LineHash(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line)));
    }

    /// <summary>Whether the checkpoint's signature over its tree head verifies with <paramref name="signer"/>'s key.</summary>
    public static bool SignatureVerifies(SignedCheckpoint checkpoint, CheckpointSigner signer)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(signer);
        return string.Equals(checkpoint.KeyId, signer.KeyId, StringComparison.Ordinal) && signer.Verifies(Payload(checkpoint), checkpoint.Signature);
    }

    /// <summary>
    /// Walks the log. Numbering, links, and every chain going forward are checked on every line; signatures and tree
    /// roots from <paramref name="verifiedBefore"/> on (lines verified before are held by the hash of the last of them,
    /// which the links of the others lead to).
    /// </summary>
    public static CheckpointLogReading Read(IReadOnlyList<string> lines, CheckpointSigner signer, CheckpointLogPosition? verifiedBefore = null) =>
        Read(lines, new CheckpointKeyRing(signer), verifiedBefore);

    /// <summary>Walks the log with a key ring: each line is verified with the key it names, current or retired (<see cref="CheckpointKeyRing"/>).</summary>
    public static CheckpointLogReading Read(IReadOnlyList<string> lines, CheckpointKeyRing keys, CheckpointLogPosition? verifiedBefore = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(keys);
        var signer = keys.Current;
        var rotated = false;
        var usedKeys = new HashSet<string>(StringComparer.Ordinal);
        var checkpoints = new List<SignedCheckpoint>(lines.Count);
        var start = new CheckpointLogPosition(0, string.Empty);
        CheckpointLogReading Broken(long? nearSequence, string problem) => new(checkpoints, start, nearSequence, problem);

        if (verifiedBefore is { Lines: > 0 })
        {
            if (lines.Count < verifiedBefore.Lines)
            {
                return Broken(null, $"the checkpoint log has {lines.Count} checkpoints but had {verifiedBefore.Lines} when last verified: checkpoints were removed");
            }

            if (!string.Equals(LineHash(lines[verifiedBefore.Lines - 1]), verifiedBefore.LastLineHash, StringComparison.Ordinal))
            {
                return Broken(null, $"checkpoint {verifiedBefore.Lines} of the log is not the one verified before: the log was rewritten");
            }
        }

        var previousLine = string.Empty;
        SignedCheckpoint? previous = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var number = i + 1;
            if (!TryParse(lines[i], out var checkpoint))
            {
                return Broken(previous?.Heads[0].Position + 1 ?? 1, $"checkpoint {number} of the log cannot be read");
            }

            var near = checkpoint.Heads[0].Position;
            if (checkpoint.Index != number)
            {
                return Broken(near, checkpoint.Index > number
                    ? $"checkpoints {number} to {checkpoint.Index - 1} are missing from the log"
                    : $"checkpoint {checkpoint.Index} appears again or out of order at line {number} of the log");
            }

            var expectedPrevious = i == 0 ? string.Empty : LineHash(previousLine);
            if (!string.Equals(checkpoint.Previous, expectedPrevious, StringComparison.Ordinal))
            {
                return Broken(near, $"checkpoint {number} of the log does not follow checkpoint {number - 1}: one of them was removed, replaced or changed");
            }

            if (previous is not null && Backwards(previous, checkpoint) is { } problem)
            {
                return Broken(near, $"checkpoint {number} of the log {problem}");
            }

            // Keys follow each other: a key that has been followed by another never signs again.
            if (previous is not null && !string.Equals(checkpoint.KeyId, previous.KeyId, StringComparison.Ordinal) && usedKeys.Contains(checkpoint.KeyId))
            {
                return Broken(near, $"checkpoint {number} of the log was signed with key {checkpoint.KeyId} again, after key {previous.KeyId} had followed it");
            }

            usedKeys.Add(checkpoint.KeyId);
            var key = keys.Find(checkpoint.KeyId);
            if (key is not null && key != signer && rotated)
            {
                return Broken(near, $"checkpoint {number} of the log was signed with the retired key {checkpoint.KeyId} after the current key {signer.KeyId} had signed: a retired key signs only what came before the rotation");
            }

            rotated |= key == signer;
            if (number > (verifiedBefore?.Lines ?? 0))
            {
                if (key is null)
                {
                    return Broken(near, $"checkpoint {number} of the log was signed with key {checkpoint.KeyId}, not the checkpoint key {signer.KeyId}{(keys.Retired.Count > 0 ? " nor a retired one" : string.Empty)}");
                }

                signer = key;

                if (checkpoint.Root is not null && !string.Equals(SignedCheckpoint.RootOf(checkpoint.Heads), checkpoint.Root, StringComparison.Ordinal))
                {
                    return Broken(near, $"checkpoint {number} of the log names heads whose tree is not the one signed: a head was changed");
                }

                if (!signer.Verifies(Payload(checkpoint), checkpoint.Signature))
                {
                    return Broken(near, $"checkpoint {number} of the log was changed after it was signed (its signature does not verify)");
                }

                signer = keys.Current;
            }

            checkpoints.Add(checkpoint);
            previousLine = lines[i];
            previous = checkpoint;
        }

        return new(checkpoints, new CheckpointLogPosition(lines.Count, lines.Count == 0 ? string.Empty : LineHash(previousLine)), null, null);
    }

    /// <summary>What is wrong when a checkpoint does not go on from the one before it: a chain dropped or gone back.</summary>
    private static string? Backwards(SignedCheckpoint before, SignedCheckpoint after)
    {
        var advanced = false;
        foreach (var earlier in before.Heads)
        {
            if (after.Head(earlier.Chain) is not { } later)
            {
                return $"no longer names chain {earlier.Chain}";
            }

            if (later.Position < earlier.Position)
            {
                return $"names position {later.Position} of chain {earlier.Chain}, before the checkpoint before it ({earlier.Position})";
            }

            advanced |= later.Position > earlier.Position;
        }

        advanced |= after.Size > before.Size;
        return advanced || (before.Root is null) != (after.Root is null) ? null : "names the same heads as the checkpoint before it";
    }

    /// <summary>
    /// What is signed: every field but the signature and the heads, in a fixed order, as compact JSON (the heads are
    /// held by the root). A single-chain line signs its head's sequence and hash instead of a root.
    /// </summary>
    private static byte[] Payload(SignedCheckpoint c)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteSigned(json, c);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Write(SignedCheckpoint c)
    {
        var buffer = new ArrayBufferWriter<byte>(384 + (160 * c.Size));
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteSigned(json, c);
            if (c.Root is not null)
            {
                json.WriteStartArray("heads");
                foreach (var head in c.Heads)
                {
                    json.WriteStartObject();
                    json.WriteNumber("chain", head.Chain);
                    json.WriteNumber("position", head.Position);
                    json.WriteString("hash", head.Hash);
                    json.WriteString("root", head.Root);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteString("signature", c.Signature);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteSigned(Utf8JsonWriter json, SignedCheckpoint c)
    {
        json.WriteStartObject();
        json.WriteNumber("index", c.Index);
        if (c.Root is null)
        {
            json.WriteNumber("sequence", c.Heads[0].Position);
            json.WriteString("hash", c.Heads[0].Hash);
        }
        else
        {
            json.WriteNumber("size", c.Size);
            json.WriteString("root", c.Root);
        }

        json.WriteString("at", c.AtUtc.ToString(TimeFormat, CultureInfo.InvariantCulture));
        json.WriteString("previous", c.Previous);
        json.WriteString("key", c.KeyId);
    }

    /// <summary>Reads one line of the log (without checking its signature, its tree or its place).</summary>
    public static bool TryParse(string line, out SignedCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(line);
        checkpoint = null!;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("index", out var index) || !index.TryGetInt64(out var indexValue)
                || Text(root, "at") is not { } at
                || !DateTime.TryParseExact(at, TimeFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var atUtc)
                || Text(root, "previous") is not { } previous
                || Text(root, "key") is not { } key
                || Text(root, "signature") is not { } signature)
            {
                return false;
            }

            if (root.TryGetProperty("sequence", out var sequence))
            {
                if (!sequence.TryGetInt64(out var sequenceValue) || Text(root, "hash") is not { Length: > 0 } hash)
                {
                    return false;
                }

                checkpoint = new SignedCheckpoint(indexValue, [new SignedHead(AuditChainHead.FirstChain, sequenceValue, hash, null)], null, atUtc, previous, key, signature);
                return true;
            }

            if (!root.TryGetProperty("size", out var size) || !size.TryGetInt32(out var sizeValue)
                || Text(root, "root") is not { Length: 64 } treeRoot
                || !root.TryGetProperty("heads", out var headsElement) || headsElement.ValueKind != JsonValueKind.Array
                || headsElement.GetArrayLength() != sizeValue || sizeValue < 1)
            {
                return false;
            }

            var heads = new List<SignedHead>(sizeValue);
            foreach (var head in headsElement.EnumerateArray())
            {
                if (head.ValueKind != JsonValueKind.Object
                    || !head.TryGetProperty("chain", out var chain) || !chain.TryGetInt32(out var chainValue) || chainValue != heads.Count + 1
                    || !head.TryGetProperty("position", out var position) || !position.TryGetInt64(out var positionValue) || positionValue < 0
                    || Text(head, "hash") is not { } hash
                    || Text(head, "root") is not { Length: 64 } chainRoot)
                {
                    return false;
                }

                heads.Add(new SignedHead(chainValue, positionValue, hash, chainRoot));
            }

            checkpoint = new SignedCheckpoint(indexValue, heads, treeRoot, atUtc, previous, key, signature);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
