using System.Text.Json.Nodes;
using Nehr.Core.Audit;

namespace Nehr.Core.Tests;

public sealed class CheckpointLogTests : IDisposable
{
    private static readonly DateTime Start = new(2026, 11, 27, 4, 0, 0, DateTimeKind.Utc);

    private readonly CheckpointSigner _signer = CheckpointSigner.FromPem(CheckpointSigner.NewKeyPem(), "test key");

    public void Dispose() => _signer.Dispose();

    /// <summary>The heads of checkpoint <paramref name="i"/>: chain 1 at 10, 20, 30…, chain 2 at 7, 14, 21…</summary>
    private static List<SignedHead> Heads(int i) =>
    [
        new(1, i * 10, $"hash-{i}", RootOf($"chain-1-{i}")),
        new(2, i * 7, $"other-{i}", RootOf($"chain-2-{i}")),
    ];

    private static string RootOf(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>A log of <paramref name="count"/> checkpoints of two chains.</summary>
    private List<string> Log(int count, CheckpointSigner? signer = null)
    {
        var lines = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            lines.Add(CheckpointLog.Line(lines.Count == 0 ? null : lines[^1], i, Heads(i), Start.AddMinutes(15 * i), signer ?? _signer));
        }

        return lines;
    }

    /// <summary>A log as written when the trail had one chain: <paramref name="count"/> checkpoints at sequences 10, 20, 30…</summary>
    private List<string> SingleChainLog(int count)
    {
        var lines = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            lines.Add(CheckpointLog.SingleChainLine(lines.Count == 0 ? null : lines[^1], i, i * 10, $"hash-{i}", Start.AddMinutes(15 * i), _signer));
        }

        return lines;
    }

    [Fact]
    public void A_log_as_written_reads_back_whole()
    {
        var reading = CheckpointLog.Read(Log(5), _signer);

        Assert.True(reading.Intact, reading.Problem);
        Assert.Equal([10L, 20, 30, 40, 50], reading.Checkpoints.Select(c => c.Head(1)!.Position));
        Assert.Equal([7L, 14, 21, 28, 35], reading.Checkpoints.Select(c => c.Head(2)!.Position));
        Assert.Equal(Heads(3), reading.Checkpoints[2].Heads);
        Assert.Equal(SignedCheckpoint.RootOf(Heads(3)), reading.Checkpoints[2].Root);
        Assert.Equal(Start.AddMinutes(45), reading.Checkpoints[2].AtUtc);
        Assert.Equal(5, reading.Position.Lines);
    }

    [Fact]
    public void A_log_written_with_one_chain_reads_back_and_goes_on_as_a_log_of_chains()
    {
        var lines = SingleChainLog(2);
        lines.Add(CheckpointLog.Line(lines[^1], 3, Heads(3), Start.AddMinutes(45), _signer));
        lines.Add(CheckpointLog.Line(lines[^1], 4, Heads(4), Start.AddMinutes(60), _signer));

        var reading = CheckpointLog.Read(lines, _signer);

        Assert.True(reading.Intact, reading.Problem);
        Assert.Equal([10L, 20, 30, 40], reading.Checkpoints.Select(c => c.Head(1)!.Position));
        Assert.Equal(new SignedHead(1, 20, "hash-2", null), Assert.Single(reading.Checkpoints[1].Heads));
        Assert.Null(reading.Checkpoints[1].Root);
    }

    [Fact]
    public void A_head_changed_in_a_line_no_longer_gives_the_signed_root()
    {
        var lines = Log(3);
        var node = JsonNode.Parse(lines[^1])!;
        node["heads"]![1]!["hash"] = "rewritten";
        lines[^1] = node.ToJsonString();

        var reading = CheckpointLog.Read(lines, _signer);

        Assert.False(reading.Intact);
        Assert.Contains("checkpoint 3 of the log names heads whose tree is not the one signed", reading.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_that_goes_back_or_is_dropped_is_a_break()
    {
        var back = Log(2);
        back.Add(CheckpointLog.Line(back[^1], 3, [Heads(3)[0], Heads(1)[1]], Start.AddMinutes(45), _signer));
        Assert.Contains("checkpoint 3 of the log names position 7 of chain 2, before the checkpoint before it (14)",
            CheckpointLog.Read(back, _signer).Problem, StringComparison.Ordinal);

        var dropped = Log(2);
        dropped.Add(CheckpointLog.Line(dropped[^1], 3, [Heads(3)[0]], Start.AddMinutes(45), _signer));
        Assert.Contains("checkpoint 3 of the log no longer names chain 2", CheckpointLog.Read(dropped, _signer).Problem, StringComparison.Ordinal);

        var same = Log(2);
        same.Add(CheckpointLog.Line(same[^1], 3, Heads(2), Start.AddMinutes(45), _signer));
        Assert.Contains("checkpoint 3 of the log names the same heads as the checkpoint before it", CheckpointLog.Read(same, _signer).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_names_chains_1_to_K_in_order_with_their_roots()
    {
        Assert.Throws<ArgumentException>(() => CheckpointLog.Line(null, 1, [Heads(1)[1]], Start, _signer));
        Assert.Throws<ArgumentException>(() => CheckpointLog.Line(null, 1, [.. Heads(1).AsEnumerable().Reverse()], Start, _signer));
        Assert.Throws<ArgumentException>(() => CheckpointLog.Line(null, 1, [Heads(1)[0] with { Root = null }], Start, _signer));
        Assert.Throws<ArgumentException>(() => CheckpointLog.Line(null, 1, [], Start, _signer));
    }

    [Fact]
    public void An_empty_log_is_intact_and_holds_nothing()
    {
        var reading = CheckpointLog.Read([], _signer);

        Assert.True(reading.Intact);
        Assert.Empty(reading.Checkpoints);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_deleted_line_is_found_by_the_numbering(int deleted)
    {
        var lines = Log(5);
        lines.RemoveAt(deleted);

        var reading = CheckpointLog.Read(lines, _signer);

        Assert.False(reading.Intact);
        Assert.Contains($"checkpoints {deleted + 1} to {deleted + 1} are missing", reading.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_line_renumbered_by_hand_is_found_by_the_link_of_the_next()
    {
        var lines = Log(5);
        lines.RemoveAt(2);
        for (var i = 2; i < lines.Count; i++)
        {
            var node = JsonNode.Parse(lines[i])!;
            node["index"] = i + 1;
            lines[i] = node.ToJsonString();
        }

        var reading = CheckpointLog.Read(lines, _signer);

        Assert.False(reading.Intact);
        Assert.Contains("checkpoint 3 of the log does not follow checkpoint 2", reading.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "at", "2026-11-27T05:00:00.000000Z")]
    [InlineData(true, "hash", "rewritten")]
    [InlineData(true, "sequence", 31)]
    [InlineData(true, "at", "2026-11-27T05:00:00.000000Z")]
    public void An_altered_last_line_fails_its_signature(bool singleChain, string field, object value)
    {
        var lines = singleChain ? SingleChainLog(3) : Log(3);
        var node = JsonNode.Parse(lines[^1])!;
        node[field] = JsonValue.Create(value);
        lines[^1] = node.ToJsonString();

        var reading = CheckpointLog.Read(lines, _signer);

        Assert.False(reading.Intact);
        Assert.Contains("checkpoint 3 of the log was changed after it was signed", reading.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_signed_with_another_key_is_refused_naming_the_key()
    {
        using var other = CheckpointSigner.FromPem(CheckpointSigner.NewKeyPem(), "other key");

        var reading = CheckpointLog.Read(Log(2, other), _signer);

        Assert.False(reading.Intact);
        Assert.Contains($"signed with key {other.KeyId}, not the checkpoint key {_signer.KeyId}", reading.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_line_is_a_break()
    {
        var lines = Log(3);
        lines[1] = "{\"index\":2";

        var reading = CheckpointLog.Read(lines, _signer);

        Assert.False(reading.Intact);
        Assert.Contains("checkpoint 2 of the log cannot be read", reading.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_walk_from_a_verified_position_finds_the_log_shortened_or_its_last_verified_line_replaced()
    {
        var lines = Log(4);
        var verified = CheckpointLog.Read(lines, _signer).Position;

        var longer = lines.Append(CheckpointLog.Line(lines[^1], 5, Heads(5), Start.AddMinutes(75), _signer)).ToList();
        Assert.True(CheckpointLog.Read(longer, _signer, verified).Intact);
        Assert.Contains("had 4 when last verified", CheckpointLog.Read(lines[..3], _signer, verified).Problem, StringComparison.Ordinal);

        // The same four checkpoints signed again (a log rebuilt by someone holding the key) are not the ones verified.
        Assert.Contains("is not the one verified before", CheckpointLog.Read(Log(4), _signer, verified).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void After_a_rotation_the_retired_key_verifies_what_it_signed_before_and_nothing_after()
    {
        using var retired = CheckpointSigner.FromPem(CheckpointSigner.NewKeyPem(), "retired key");
        using var retiredPublic = CheckpointSigner.FromPublicPem(retired.PublicKeyPem, "retired public key");
        var lines = Log(2, retired);
        lines.Add(CheckpointLog.Line(lines[^1], 3, Heads(3), Start.AddMinutes(45), _signer));
        var ring = new CheckpointKeyRing(_signer, [retiredPublic]);

        Assert.True(CheckpointLog.Read(lines, ring).Intact, CheckpointLog.Read(lines, ring).Problem);
        Assert.Contains($"checkpoint 1 of the log was signed with key {retired.KeyId}, not the checkpoint key {_signer.KeyId}",
            CheckpointLog.Read(lines, _signer).Problem, StringComparison.Ordinal);

        // The retired key, leaked, signs a checkpoint after the rotation: refused.
        var leaked = lines.Append(CheckpointLog.Line(lines[^1], 4, Heads(4), Start.AddMinutes(60), retired)).ToList();
        Assert.Contains($"checkpoint 4 of the log was signed with key {retired.KeyId} again, after key {_signer.KeyId} had followed it",
            CheckpointLog.Read(leaked, ring).Problem, StringComparison.Ordinal);

        // Another retired key, one that never signed before, signing after the current key: refused too.
        using var older = CheckpointSigner.FromPem(CheckpointSigner.NewKeyPem(), "older key");
        var late = lines.Append(CheckpointLog.Line(lines[^1], 4, Heads(4), Start.AddMinutes(60), older)).ToList();
        Assert.Contains($"checkpoint 4 of the log was signed with the retired key {older.KeyId} after the current key",
            CheckpointLog.Read(late, new CheckpointKeyRing(_signer, [retiredPublic, older])).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_followed_by_another_never_signs_again()
    {
        using var first = CheckpointSigner.FromPem(CheckpointSigner.NewKeyPem(), "first key");
        using var second = CheckpointSigner.FromPem(CheckpointSigner.NewKeyPem(), "second key");
        var lines = Log(1, first);
        lines.Add(CheckpointLog.Line(lines[^1], 2, Heads(2), Start.AddMinutes(30), second));
        lines.Add(CheckpointLog.Line(lines[^1], 3, Heads(3), Start.AddMinutes(45), first));

        // Both retired (the current key has not signed yet): the first one, leaked, signing after the second is refused.
        var reading = CheckpointLog.Read(lines, new CheckpointKeyRing(_signer, [first, second]));

        Assert.Contains($"checkpoint 3 of the log was signed with key {first.KeyId} again, after key {second.KeyId} had followed it", reading.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_public_key_verifies_and_cannot_sign()
    {
        using var verifier = CheckpointSigner.FromPublicPem(_signer.PublicKeyPem, "public key");

        Assert.Equal(_signer.KeyId, verifier.KeyId);
        Assert.True(CheckpointLog.Read(Log(3), verifier).Intact);
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => verifier.Sign([1, 2, 3]));
    }

    [Fact]
    public void A_key_that_is_not_P256_is_refused_naming_the_file()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);

        var refusal = Assert.Throws<InvalidOperationException>(() => CheckpointSigner.FromPem(rsa.ExportPkcs8PrivateKeyPem(), "/keys/checkpoints.pem"));

        Assert.Contains("/keys/checkpoints.pem", refusal.Message, StringComparison.Ordinal);
    }
}
