using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nehr.Core.Access;
using Nehr.Core.Audit;

namespace Nehr.Integration.Tests;

/// <summary>
/// Two portal instances sharing one database and one signed checkpoint log, both signing checkpoints at the same
/// moments: the log stays one chain of signed lines, each checkpoint once, and the trail and the log verify. Nothing
/// but the checkpoint's claim orders them on PostgreSQL (the second pass of test.sh).
/// </summary>
public sealed class MultiInstanceCheckpointTests : IAsyncLifetime
{
    private const int Rounds = 6;
    private readonly PortalFactory _a = new();
    private readonly PortalFactory _b = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nehr-tests", "checkpoints-" + Guid.NewGuid().ToString("N"));

    private string CheckpointFile => Path.Combine(_directory, "audit-checkpoints.jsonl");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var key = Path.Combine(_directory, "checkpoint-signing.pem");
        await File.WriteAllTextAsync(key, CheckpointSigner.NewKeyPem());
        foreach (var instance in new[] { _a, _b })
        {
            instance.Settings["Nehr:Integrity:VerifyEvery"] = "00:05:00";
            instance.Settings["Nehr:Integrity:FullVerifyEvery"] = "1.00:00:00";
            instance.Settings["Nehr:Integrity:CheckpointFile"] = CheckpointFile;
            instance.Settings["Nehr:Integrity:SigningKeyFile"] = key;
        }

        await DemoWorld.LoadAsync(_a);
        _b.ShareDatabaseWith(_a);
        _ = _b.Server;
        foreach (var instance in new[] { _a, _b })
        {
            await instance.Services.GetServices<IHostedService>().OfType<AuditIntegrityService>().Single().Scheduled.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public Task DisposeAsync()
    {
        _b.Dispose();
        _a.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Two_instances_signing_checkpoints_at_the_same_moments_keep_one_log_that_verifies()
    {
        var a = _a.Services.GetRequiredService<AuditIntegrity>();
        var b = _b.Services.GetRequiredService<AuditIntegrity>();
        var signed = new List<SignedCheckpoint>();
        for (var round = 0; round < Rounds; round++)
        {
            await (round % 2 == 0 ? _a : _b).AppendReadsAsync(3);
            var both = await Task.WhenAll(Task.Run(() => a.CheckpointAsync()), Task.Run(() => b.CheckpointAsync()));
            // The new events are signed once: by one instance, the other finding them signed.
            signed.Add(Assert.Single(both.OfType<SignedCheckpoint>()));
        }

        var lines = await File.ReadAllLinesAsync(CheckpointFile);
        Assert.Equal(lines.Length, lines.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(signed.Select(s => s.Head(1)!.Position), signed.Select(s => s.Head(1)!.Position).Distinct());
        foreach (var instance in new[] { a, b })
        {
            var report = await instance.VerifyAsync(full: true);
            Assert.True(report.Intact, report.Chain.Problem);
            Assert.Equal(lines.Length, report.SignedCheckpoints);
        }
    }
}
