using System.Text.Json.Nodes;
using Nehr.Core.Audit;

namespace Nehr.Core.Tests;

public sealed class CheckpointLogTests : IDisposable
{
    private static readonly DateTime Start = new(2026, 11, 27, 4, 0, 0, DateTimeKind.Utc);

    private readonly CheckpointSigner _signer = CheckpointSigner.FromPem(CheckpointSigner.NewKeyPem(), "test key");

    public void Dispose() => _signer.Dispose();

    /// <summary>A log of <paramref name="count"/> checkpoints, at sequences 10, 20, 30…</summary>
    private List<string> Log(int count, CheckpointSigner? signer = null)
    {
        var lines = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            lines.Add(CheckpointLog.Line(lines.Count == 0 ? null : lines[^1], i, i * 10, $"hash-{i}", Start.AddMinutes(15 * i), signer ?? _signer));
        }

        return lines;
    }

    [Fact]
    public void A_log_as_written_reads_back_whole()
    {
        var reading = CheckpointLog.Read(Log(5), _signer);

        Assert.True(reading.Intact, reading.Problem);
        Assert.Equal([10L, 20, 30, 40, 50], reading.Checkpoints.Select(c => c.Sequence));
        Assert.Equal("hash-3", reading.Checkpoints[2].Hash);
        Assert.Equal(Start.AddMinutes(45), reading.Checkpoints[2].AtUtc);
        Assert.Equal(5, reading.Position.Lines);
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
    [InlineData("hash", "rewritten")]
    [InlineData("sequence", 31)]
    [InlineData("at", "2026-11-27T05:00:00.000000Z")]
    public void An_altered_last_line_fails_its_signature(string field, object value)
    {
        var lines = Log(3);
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

        var longer = lines.Append(CheckpointLog.Line(lines[^1], 5, 50, "hash-5", Start.AddMinutes(75), _signer)).ToList();
        Assert.True(CheckpointLog.Read(longer, _signer, verified).Intact);
        Assert.Contains("had 4 when last verified", CheckpointLog.Read(lines[..3], _signer, verified).Problem, StringComparison.Ordinal);

        // The same four checkpoints signed again (a log rebuilt by someone holding the key) are not the ones verified.
        Assert.Contains("is not the one verified before", CheckpointLog.Read(Log(4), _signer, verified).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_is_not_P256_is_refused_naming_the_file()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);

        var refusal = Assert.Throws<InvalidOperationException>(() => CheckpointSigner.FromPem(rsa.ExportPkcs8PrivateKeyPem(), "/keys/checkpoints.pem"));

        Assert.Contains("/keys/checkpoints.pem", refusal.Message, StringComparison.Ordinal);
    }
}
