using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nehr.Core.Access;
using Nehr.Core.Audit;

namespace Nehr.Integration.Tests;

/// <summary>
/// Issue 21, item 5: the audit chain verified on a schedule and from the command line, against signed checkpoints kept
/// outside the database; what an attacker with the database or the checkpoint log can do, and that it is found.
/// </summary>
public sealed class AuditIntegrityTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nehr-tests", "integrity-" + Guid.NewGuid().ToString("N"));
    private AuditTrail _trail = null!;
    private AuditIntegrity _integrity = null!;

    private string CheckpointFile => Path.Combine(_directory, "audit-checkpoints.jsonl");

    private string SigningKeyFile => Path.Combine(_directory, "checkpoint-signing.pem");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(SigningKeyFile, CheckpointSigner.NewKeyPem());
        _portal.Settings["Nehr:Integrity:VerifyEvery"] = "00:05:00";
        _portal.Settings["Nehr:Integrity:FullVerifyEvery"] = "1.00:00:00";
        _portal.Settings["Nehr:Integrity:CheckpointFile"] = CheckpointFile;
        _portal.Settings["Nehr:Integrity:SigningKeyFile"] = SigningKeyFile;
        await DemoWorld.LoadAsync(_portal);
        _trail = _portal.Services.GetRequiredService<AuditTrail>();
        _integrity = _portal.Services.GetRequiredService<AuditIntegrity>();

        // The verification at start (full, then a first checkpoint) is done before a test changes anything.
        await _portal.Services.GetServices<IHostedService>().OfType<AuditIntegrityService>().Single().Scheduled.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private Task AppendAsync(int n) => _portal.AppendReadsAsync(n);

    /// <summary>Events appended and a checkpoint signed after them, <paramref name="times"/> times; the log's lines.</summary>
    private async Task<string[]> CheckpointsAsync(int times)
    {
        for (var i = 0; i < times; i++)
        {
            await AppendAsync(3);
            Assert.NotNull(await _integrity.CheckpointAsync());
        }

        return await File.ReadAllLinesAsync(CheckpointFile);
    }

    /// <summary>What an attacker who owns the database can do: switch the append-only triggers off and write SQL directly.</summary>
    private async Task TamperAsync(string sql)
    {
        await using var db = _portal.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync(PortalFactory.OnPostgreSql
            ? """ALTER TABLE "AuditEvents" DISABLE TRIGGER USER; ALTER TABLE "AuditChainCheckpoints" DISABLE TRIGGER USER"""
            : "DROP TRIGGER IF EXISTS AuditEvents_NoUpdate; DROP TRIGGER IF EXISTS AuditEvents_NoDelete; DROP TRIGGER IF EXISTS AuditChainCheckpoints_NoUpdate; DROP TRIGGER IF EXISTS AuditChainCheckpoints_NoDelete;");
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    /// <summary>
    /// Event <paramref name="sequence"/> changed and every hash after it recomputed, the head and the database's
    /// checkpoints too: the chain alone verifies again.
    /// </summary>
    private async Task RewriteWithRecomputedChainAsync(long sequence)
    {
        await TamperAsync($"""UPDATE "AuditEvents" SET "Details" = 'nothing happened' WHERE "Sequence" = {sequence}""");
        await using var db = _portal.CreateDbContext();
        var position = await db.AuditEvents.Where(e => e.Sequence == sequence).Select(e => e.Position).SingleAsync();
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.Chain == 1 && e.Position >= position).OrderBy(e => e.Position).ToListAsync();
        var previous = events[0].PreviousHash;
        foreach (var e in events)
        {
            var hash = AuditHasher.Hash(e, e.Sequence, e.Chain, e.Position, previous);
            await db.Database.ExecuteSqlAsync($"""UPDATE "AuditEvents" SET "PreviousHash" = {previous}, "Hash" = {hash} WHERE "Sequence" = {e.Sequence}""");
            await db.Database.ExecuteSqlAsync($"""UPDATE "AuditChainCheckpoints" SET "Hash" = {hash} WHERE "Chain" = 1 AND "Position" = {e.Position}""");
            previous = hash;
        }

        await db.Database.ExecuteSqlAsync($"""UPDATE "AuditChainHead" SET "LastHash" = {previous} WHERE "Id" = 1""");
    }

    private async Task<List<AuditEvent>> AlarmsAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.AsNoTracking().Where(e => e.EventType == AuditEventTypes.ChainBreakDetected).OrderBy(e => e.Sequence).ToListAsync();
    }

    [Fact]
    public async Task An_intact_trail_verifies_with_its_signed_checkpoints_and_raises_nothing()
    {
        var lines = await CheckpointsAsync(3);

        var report = await _integrity.VerifyAsync(full: true);

        Assert.True(report.Intact, report.Chain.Problem);
        Assert.True(lines.Length >= 3);
        Assert.Equal(lines.Length, report.SignedCheckpoints);
        Assert.Empty(await AlarmsAsync());
    }

    [Fact]
    public async Task A_checkpoint_is_the_verified_head_signed_and_also_kept_in_the_database()
    {
        await AppendAsync(4);

        var checkpoint = await _integrity.CheckpointAsync();

        Assert.NotNull(checkpoint);
        await using var db = _portal.CreateDbContext();
        var head = await db.AuditChainHeads.AsNoTracking().SingleAsync();
        Assert.Equal(head.LastPosition, checkpoint.Head(1)!.Position);
        Assert.Equal(head.LastHash, checkpoint.Head(1)!.Hash);
        Assert.Equal(_portal.Clock.GetUtcNow().UtcDateTime, checkpoint.AtUtc);
        Assert.True(await db.AuditCheckpoints.AnyAsync(c => c.Chain == 1 && c.Position == head.LastPosition && c.Hash == head.LastHash));
        Assert.Equal(checkpoint.Index, (await File.ReadAllLinesAsync(CheckpointFile)).Length);

        // Nothing new since: no second checkpoint of the same head.
        Assert.Null(await _integrity.CheckpointAsync());
    }

    [Fact]
    public async Task A_deleted_checkpoint_line_is_detected()
    {
        var lines = await CheckpointsAsync(3);
        await File.WriteAllLinesAsync(CheckpointFile, lines.Where((_, i) => i != lines.Length - 2));

        var report = await _integrity.VerifyAsync(full: true);

        Assert.False(report.Intact);
        Assert.Contains($"checkpoints {lines.Length - 1} to {lines.Length - 1} are missing from the log", report.Chain.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_checkpoint_lines_deleted_are_detected_by_the_copies_in_the_database()
    {
        var lines = await CheckpointsAsync(3);
        await File.WriteAllLinesAsync(CheckpointFile, lines[..^2]);

        var report = await _integrity.VerifyAsync(full: true);

        Assert.False(report.Intact);
        Assert.Contains("is missing from the checkpoint log", report.Chain.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_log_removed_after_checkpoints_were_written_is_detected()
    {
        await CheckpointsAsync(2);
        File.Delete(CheckpointFile);

        var incremental = await _integrity.VerifyAsync(full: false);
        var full = await _integrity.VerifyAsync(full: true);

        Assert.False(incremental.Intact);
        Assert.Contains("checkpoints were removed", incremental.Chain.Problem, StringComparison.Ordinal);
        Assert.False(full.Intact);
        Assert.Contains("is missing from the checkpoint log", full.Chain.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_signed_with_a_key_this_instance_does_not_know_is_never_signed_after()
    {
        // Another instance, its key already rotated, signed the last line with a key this one has not been given.
        var lines = (await CheckpointsAsync(1)).ToList();
        await AppendAsync(3);
        var verified = await _integrity.VerifyAsync(full: true);
        var heads = verified.VerifiedThrough.OrderBy(c => c.Key)
            .Select(c => new SignedHead(c.Key, c.Value.Position, c.Value.Hash, Convert.ToHexStringLower(c.Value.Tree!.Root()))).ToList();
        using (var rotated = CheckpointSigner.FromPem(CheckpointSigner.NewKeyPem(), "the other instance's new key"))
        {
            lines.Add(CheckpointLog.Line(lines[^1], lines.Count + 1, heads, _portal.Clock.GetUtcNow().UtcDateTime, rotated));
        }

        await File.WriteAllLinesAsync(CheckpointFile, lines);
        await AppendAsync(3);

        Assert.Null(await _integrity.CheckpointAsync());
        Assert.Equal(lines, await File.ReadAllLinesAsync(CheckpointFile));
        Assert.Contains("not the checkpoint key", _integrity.Last!.Chain.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_checkpoint_is_detected_by_its_signature()
    {
        var lines = await CheckpointsAsync(2);
        await using (var db = _portal.CreateDbContext())
        {
            // The first chain's head named as an earlier event, and the tree of heads computed again to agree: only
            // the signature, made without the key, can tell.
            var earlier = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence == 3).Select(e => e.Hash).SingleAsync();
            Assert.True(CheckpointLog.TryParse(lines[^1], out var signed));
            var last = System.Text.Json.Nodes.JsonNode.Parse(lines[^1])!;
            last["heads"]![0]!["hash"] = earlier;
            last["root"] = SignedCheckpoint.RootOf([signed.Heads[0] with { Hash = earlier }, .. signed.Heads.Skip(1)]);
            lines[^1] = last.ToJsonString();
        }

        await File.WriteAllLinesAsync(CheckpointFile, lines);

        var report = await _integrity.VerifyAsync(full: true);

        Assert.False(report.Intact);
        Assert.Contains($"checkpoint {lines.Length} of the log was changed after it was signed", report.Chain.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_rewritten_with_a_recomputed_chain_is_detected_by_the_checkpoints_though_the_chain_alone_verifies()
    {
        await CheckpointsAsync(2);
        long rewritten;
        await using (var db = _portal.CreateDbContext())
        {
            rewritten = await db.AuditEvents.MaxAsync(e => e.Sequence) - 4;
        }

        await RewriteWithRecomputedChainAsync(rewritten);

        await using (var db = _portal.CreateDbContext())
        {
            var alone = await AuditTrail.VerifyAsync(db);
            Assert.True(alone.Intact, alone.Problem);
        }

        // The attacker rewrote the database's copies of the checkpoints too; the signed ones still name the old hashes.
        var report = await _integrity.VerifyAsync(full: true);
        Assert.False(report.Intact);
        Assert.Contains("differs from the signed checkpoint", report.Chain.Problem, StringComparison.Ordinal);
        Assert.True(report.Chain.FirstBrokenSequence >= rewritten);
    }

    [Fact]
    public async Task After_a_restart_the_verification_goes_on_from_the_last_signed_checkpoint_and_still_finds_a_recomputed_chain()
    {
        var lines = await CheckpointsAsync(2);
        await AppendAsync(2);
        Assert.True(CheckpointLog.TryParse(lines[^1], out var last));
        var lastSigned = last.Head(1)!.Position;

        // A portal started afresh: nothing verified yet in this process.
        using (var restarted = ActivatorUtilities.CreateInstance<AuditIntegrity>(_portal.Services))
        {
            var report = await restarted.VerifyAsync(full: false);
            Assert.True(report.Intact, report.Chain.Problem);
            Assert.False(report.Full);
            Assert.Equal(lastSigned, report.From[1].Position);
            Assert.Equal(2, report.Chain.EventsChecked);
        }

        await RewriteWithRecomputedChainAsync(lastSigned - 2);
        using (var restarted = ActivatorUtilities.CreateInstance<AuditIntegrity>(_portal.Services))
        {
            var report = await restarted.VerifyAsync(full: false);
            Assert.False(report.Intact);
            Assert.Equal(lastSigned, report.Chain.FirstBrokenSequence);
        }
    }

    [Fact]
    public async Task The_scheduled_verification_raises_the_chain_break_event_at_once()
    {
        await AppendAsync(5);
        long edited;
        await using (var db = _portal.CreateDbContext())
        {
            edited = await db.AuditEvents.MaxAsync(e => e.Sequence) - 2;
        }

        await TamperAsync($"""UPDATE "AuditEvents" SET "PatientId" = "PatientId" + 1 WHERE "Sequence" = {edited}""");
        Assert.Empty(await AlarmsAsync());

        // One interval of the schedule (Nehr:Integrity:VerifyEvery, 5 minutes by default).
        _portal.Clock.Advance(TimeSpan.FromMinutes(5));
        var alarms = await AlarmsAsync();
        for (var waited = Stopwatch.StartNew(); alarms.Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(20);)
        {
            await Task.Delay(50);
            alarms = await AlarmsAsync();
        }

        var alarm = Assert.Single(alarms);
        Assert.Equal($"severity=critical; sequence={edited}; reason=event {edited} was changed after it was written", alarm.Details);
        Assert.Equal(AuditOutcome.Failed, alarm.Outcome);

        // Found again at the next interval, the same break is not raised twice.
        var first = _integrity.Last;
        _portal.Clock.Advance(TimeSpan.FromMinutes(5));
        for (var waited = Stopwatch.StartNew(); ReferenceEquals(_integrity.Last, first) && waited.Elapsed < TimeSpan.FromSeconds(20);)
        {
            await Task.Delay(50);
        }

        Assert.NotSame(first, _integrity.Last);
        Assert.False(_integrity.Last!.Intact);
        Assert.Single(await AlarmsAsync());

        // The alert scanner makes the alarm a critical case in the auditors' alerts, once.
        await _portal.WithAsync<AlertScanner, int>(s => s.ScanAsync());
        await _portal.WithAsync<AlertScanner, int>(s => s.ScanAsync());
        await using var check = _portal.CreateDbContext();
        var raised = await check.AlertCases.AsNoTracking().Where(c => c.Rule == Nehr.Core.Oversight.AlertRule.IntegrityBreak).ToListAsync();
        var critical = Assert.Single(raised);
        Assert.Equal(Nehr.Core.Oversight.AlertSeverity.Critical, critical.Severity);
        Assert.Contains($"sequence={edited}", critical.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_auditors_verification_checks_the_signed_checkpoints_and_raises_the_alarm()
    {
        await CheckpointsAsync(2);
        long rewritten;
        await using (var db = _portal.CreateDbContext())
        {
            rewritten = await db.AuditEvents.MaxAsync(e => e.Sequence) - 3;
        }

        await RewriteWithRecomputedChainAsync(rewritten);
        var world = await DemoWorld.LoadAsync(_portal);

        var result = await _portal.WithAsync<Nehr.Core.Oversight.AuditSearch, AuditVerification>(s => s.VerifyAsync(DemoWorld.As(world.AuditorUserId)));

        Assert.False(result.Intact);
        Assert.Contains("differs from the signed checkpoint", result.Problem, StringComparison.Ordinal);
        var alarm = Assert.Single(await AlarmsAsync());
        Assert.StartsWith("severity=critical; sequence=", alarm.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_line_exits_zero_on_a_good_trail_and_non_zero_on_a_break()
    {
        await CheckpointsAsync(2);

        var good = await VerifyAuditCommandAsync();
        Assert.True(good.ExitCode == 0, good.Output);
        Assert.Contains("Audit trail intact: whole trail", good.Output, StringComparison.Ordinal);
        Assert.Contains("signed checkpoints in " + CheckpointFile, good.Output, StringComparison.Ordinal);

        long rewritten;
        await using (var db = _portal.CreateDbContext())
        {
            rewritten = await db.AuditEvents.MaxAsync(e => e.Sequence) - 3;
        }

        await RewriteWithRecomputedChainAsync(rewritten);
        var broken = await VerifyAuditCommandAsync();
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("Audit trail BROKEN at event", broken.Output, StringComparison.Ordinal);
        Assert.Contains("differs from the signed checkpoint", broken.Output, StringComparison.Ordinal);
    }

    /// <summary>`dotnet Nehr.Portal.dll verify-audit` on this portal's database and checkpoint log, as an operator runs it.</summary>
    private async Task<(int ExitCode, string Output)> VerifyAuditCommandAsync()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var portal = Path.Combine(RepositoryRoot(), "Nehr.Portal", "bin", configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = portal,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(portal, "Nehr.Portal.dll"), "verify-audit",
            $"--ConnectionStrings:Nehr={_portal.ConnectionString}", $"--Nehr:Data:Provider={PortalFactory.Provider}",
            $"--Nehr:Integrity:CheckpointFile={CheckpointFile}", $"--Nehr:Integrity:SigningKeyFile={SigningKeyFile}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Test";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the portal's command.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output + await error);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nehr.Portal.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Nehr.Portal.sln not found above the test output folder.");
    }
}
