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

    /// <summary>A signer from a PEM private key (PKCS#8 or SEC1) on the P-256 curve.</summary>
    public static CheckpointSigner FromPem(string pem, string where)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new InvalidOperationException($"{where} is not a P-256 key: the checkpoints are signed with ECDSA on P-256 (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256).");
            }

            return new CheckpointSigner(key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{where} is not a PEM private key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256): {e.Message}", e);
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

/// <summary>One signed checkpoint: the chain's head at a moment, numbered, and linked to the checkpoint before it.</summary>
public sealed record SignedCheckpoint(long Index, long Sequence, string Hash, DateTime AtUtc, string Previous, string KeyId, string Signature);

/// <summary>Where a walk of the checkpoint log stopped: how many lines were verified and the hash of the last one.</summary>
public sealed record CheckpointLogPosition(int Lines, string LastLineHash);

/// <summary>What a walk of the checkpoint log found: the checkpoints it holds, or the first problem with it.</summary>
public sealed record CheckpointLogReading(
    IReadOnlyList<SignedCheckpoint> Checkpoints, CheckpointLogPosition Position, long? BrokenNearSequence, string? Problem)
{
    public bool Intact => Problem is null;
}

/// <summary>
/// The checkpoint log: one JSON object a line, each the chain's head (sequence, hash, time) signed by
/// <see cref="CheckpointSigner"/>. Each line carries its number (1, 2, 3…) and the SHA-256 of the line before it, so a
/// line removed from the middle, replaced, or moved is found by the walk; a line removed from the end is found by the
/// database, which keeps every checkpoint it had signed (<see cref="AuditCheckpoint"/>). Pure: text in, findings out.
/// </summary>
public static class CheckpointLog
{
    /// <summary>The line of the next checkpoint after <paramref name="previousLine"/> (null for the first).</summary>
    public static string Line(string? previousLine, long index, long sequence, string hash, DateTime atUtc, CheckpointSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        ArgumentException.ThrowIfNullOrWhiteSpace(hash);
        if (atUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("Checkpoint times are UTC.", nameof(atUtc));
        }

        var unsigned = new SignedCheckpoint(index, sequence, hash, atUtc, previousLine is null ? string.Empty : LineHash(previousLine), signer.KeyId, string.Empty);
        return Write(unsigned with { Signature = signer.Sign(Payload(unsigned)) });
    }

    /// <summary>The SHA-256 of a line as written (what the next line names as its previous one).</summary>
    public static string LineHash(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line)));
    }

    /// <summary>
    /// Walks the log. Numbering and links are checked on every line; signatures from <paramref name="verifiedBefore"/>
    /// on (lines verified before are held by the hash of the last of them, which the links of the others lead to).
    /// </summary>
    public static CheckpointLogReading Read(IReadOnlyList<string> lines, CheckpointSigner signer, CheckpointLogPosition? verifiedBefore = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(signer);
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
        var previousSequence = 0L;
        for (var i = 0; i < lines.Count; i++)
        {
            var number = i + 1;
            if (!TryParse(lines[i], out var checkpoint))
            {
                return Broken(previousSequence + 1, $"checkpoint {number} of the log cannot be read");
            }

            if (checkpoint.Index != number)
            {
                return Broken(checkpoint.Sequence, checkpoint.Index > number
                    ? $"checkpoints {number} to {checkpoint.Index - 1} are missing from the log"
                    : $"checkpoint {checkpoint.Index} appears again or out of order at line {number} of the log");
            }

            var expectedPrevious = i == 0 ? string.Empty : LineHash(previousLine);
            if (!string.Equals(checkpoint.Previous, expectedPrevious, StringComparison.Ordinal))
            {
                return Broken(checkpoint.Sequence, $"checkpoint {number} of the log does not follow checkpoint {number - 1}: one of them was removed, replaced or changed");
            }

            if (checkpoint.Sequence <= previousSequence)
            {
                return Broken(checkpoint.Sequence, $"checkpoint {number} of the log names sequence {checkpoint.Sequence}, not after the checkpoint before it ({previousSequence})");
            }

            if (number > (verifiedBefore?.Lines ?? 0))
            {
                if (!string.Equals(checkpoint.KeyId, signer.KeyId, StringComparison.Ordinal))
                {
                    return Broken(checkpoint.Sequence, $"checkpoint {number} of the log was signed with key {checkpoint.KeyId}, not the checkpoint key {signer.KeyId}");
                }

                if (!signer.Verifies(Payload(checkpoint), checkpoint.Signature))
                {
                    return Broken(checkpoint.Sequence, $"checkpoint {number} of the log was changed after it was signed (its signature does not verify)");
                }
            }

            checkpoints.Add(checkpoint);
            previousLine = lines[i];
            previousSequence = checkpoint.Sequence;
        }

        return new(checkpoints, new CheckpointLogPosition(lines.Count, lines.Count == 0 ? string.Empty : LineHash(previousLine)), null, null);
    }

    /// <summary>What is signed: every field but the signature, in a fixed order, as compact JSON.</summary>
    private static byte[] Payload(SignedCheckpoint c)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteFields(json, c);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Write(SignedCheckpoint c)
    {
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteFields(json, c);
            json.WriteString("signature", c.Signature);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteFields(Utf8JsonWriter json, SignedCheckpoint c)
    {
        json.WriteStartObject();
        json.WriteNumber("index", c.Index);
        json.WriteNumber("sequence", c.Sequence);
        json.WriteString("hash", c.Hash);
        json.WriteString("at", c.AtUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("previous", c.Previous);
        json.WriteString("key", c.KeyId);
    }

    /// <summary>Reads one line of the log (without checking its signature or its place).</summary>
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
                || !root.TryGetProperty("sequence", out var sequence) || !sequence.TryGetInt64(out var sequenceValue)
                || Text(root, "hash") is not { Length: > 0 } hash
                || Text(root, "at") is not { } at
                || !DateTime.TryParseExact(at, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var atUtc)
                || Text(root, "previous") is not { } previous
                || Text(root, "key") is not { } key
                || Text(root, "signature") is not { } signature)
            {
                return false;
            }

            checkpoint = new SignedCheckpoint(indexValue, sequenceValue, hash, atUtc, previous, key, signature);
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
