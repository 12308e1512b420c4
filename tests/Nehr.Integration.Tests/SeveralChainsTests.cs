using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nehr.Core.Audit;

namespace Nehr.Integration.Tests;

/// <summary>
/// Issue 22, item 3: the trail as several hash chains (Nehr:Data:AuditChains = 4). Transactions at the same moment
/// append to different chains; every chain verifies and is signed in one checkpoint (a Merkle tree over the chains'
/// heads, each head carrying the root of its own chain's tree); a change on any chain is found and named; a portal
/// restarted goes on from each chain's signed tree; the alert scanner judges every event of every chain once.
/// </summary>
public sealed class SeveralChainsTests : IAsyncLifetime
{
    private const int Chains = 4;

    private readonly PortalFactory _portal = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nehr-tests", "chains-" + Guid.NewGuid().ToString("N"));
    private AuditIntegrity _integrity = null!;

    private string CheckpointFile => Path.Combine(_directory, "audit-checkpoints.jsonl");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var key = Path.Combine(_directory, "checkpoint-signing.pem");
        await File.WriteAllTextAsync(key, CheckpointSigner.NewKeyPem());
        _portal.Settings["Nehr:Data:AuditChains"] = Chains.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _portal.Settings["Nehr:Integrity:CheckpointFile"] = CheckpointFile;
        _portal.Settings["Nehr:Integrity:SigningKeyFile"] = key;
        await DemoWorld.LoadAsync(_portal);
        _integrity = _portal.Services.GetRequiredService<AuditIntegrity>();
        await _portal.Services.GetServices<IHostedService>().OfType<AuditIntegrityService>().Single().Scheduled.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary><paramref name="transactions"/> transactions of 3 reads each, 8 at a time.</summary>
    private async Task AppendAtOnceAsync(int transactions)
    {
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, transactions).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                await _portal.AppendReadsAsync(3);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private async Task TamperAsync(string sql)
    {
        await using var db = _portal.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync(PortalFactory.OnPostgreSql
            ? """ALTER TABLE "AuditEvents" DISABLE TRIGGER USER; ALTER TABLE "AuditChainCheckpoints" DISABLE TRIGGER USER"""
            : "DROP TRIGGER IF EXISTS AuditEvents_NoUpdate; DROP TRIGGER IF EXISTS AuditEvents_NoDelete; DROP TRIGGER IF EXISTS AuditChainCheckpoints_NoUpdate;");
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    [Fact]
    public async Task Transactions_at_once_spread_over_the_chains_and_one_signed_checkpoint_covers_every_chain()
    {
        await AppendAtOnceAsync(40);

        var signed = await _integrity.CheckpointAsync();

        await using var db = _portal.CreateDbContext();
        var heads = await db.AuditChainHeads.AsNoTracking().OrderBy(h => h.Id).ToListAsync();
        Assert.Equal(Enumerable.Range(1, Chains), heads.Select(h => h.Id));
        Assert.True(heads.Count(h => h.LastPosition > 0) > 1, "every transaction went to one chain");
        Assert.True((await AuditTrail.VerifyAsync(db)).Intact);

        // The checkpoint names every chain's head, each with the root of the tree of its events, and signs the tree of heads.
        Assert.NotNull(signed);
        Assert.Equal(heads.Select(h => (h.Id, h.LastPosition, h.LastHash)), signed.Heads.Select(h => (h.Chain, h.Position, h.Hash)));
        Assert.Equal(SignedCheckpoint.RootOf(signed.Heads), signed.Root);
        foreach (var head in signed.Heads)
        {
            var chain = head.Chain;
            var leaves = (await db.AuditEvents.AsNoTracking().Where(e => e.Chain == chain).OrderBy(e => e.Position).Select(e => e.Hash).ToListAsync())
                .Select(h => MerkleTree.LeafHash(Convert.FromHexString(h)));
            Assert.Equal(Convert.ToHexStringLower(MerkleTree.Root(leaves)), head.Root);
        }

        // The database keeps each chain's point with its tree's right edge, which gives the signed root.
        var copies = await db.AuditCheckpoints.AsNoTracking().ToListAsync();
        foreach (var head in signed.Heads.Where(h => h.Position > 0))
        {
            var copy = Assert.Single(copies, c => c.Chain == head.Chain && c.Position == head.Position);
            Assert.True(MerkleFrontier.TryParse(copy.Frontier, out var tree));
            Assert.Equal(head.Root, Convert.ToHexStringLower(tree.Root()));
        }

        var report = await _integrity.VerifyAsync(full: true);
        Assert.True(report.Intact, report.Chain.Problem);
        Assert.Equal(Chains, report.VerifiedThrough.Count);
    }

    [Fact]
    public async Task The_group_commit_has_a_writer_per_chain_and_every_read_it_answers_is_on_record()
    {
        var appender = _portal.Services.GetRequiredService<AuditAppender>();
        var before = appender.Committed;

        var events = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => appender.AppendAsync(new AuditEntry
        {
            EventType = AuditEventTypes.RecordRead, CorrelationId = $"grouped-{i}", ActorUserId = "tester", PatientId = i + 1,
            Level = Nehr.Core.Access.AccessLevel.Full, Reason = "NoRestriction",
        }))));

        await using var db = _portal.CreateDbContext();
        var numbers = events.Select(e => e.Sequence).ToList();
        var stored = await db.AuditEvents.AsNoTracking().Where(e => numbers.Contains(e.Sequence)).ToDictionaryAsync(e => e.Sequence);
        Assert.All(events, e => Assert.Equal((e.Chain, e.Position, e.Hash), (stored[e.Sequence].Chain, stored[e.Sequence].Position, stored[e.Sequence].Hash)));
        Assert.Equal(200, events.Select(e => (e.Chain, e.Position)).Distinct().Count());
        Assert.Equal(Chains, appender.Writers);
        Assert.Equal(200, appender.Committed.Events - before.Events);
        Assert.True((await AuditTrail.VerifyAsync(db)).Intact);
    }

    [Fact]
    public async Task An_event_changed_on_another_chain_is_found_and_its_chain_named()
    {
        await AppendAtOnceAsync(16);
        long sequence;
        int chain;
        long position;
        await using (var db = _portal.CreateDbContext())
        {
            var e = await db.AuditEvents.AsNoTracking().Where(e => e.Chain > 1).OrderByDescending(e => e.Position).FirstAsync();
            (sequence, chain, position) = (e.Sequence, e.Chain, e.Position);
        }

        await TamperAsync($"""UPDATE "AuditEvents" SET "PatientId" = "PatientId" + 1 WHERE "Sequence" = {sequence}""");

        var report = await _integrity.VerifyAsync(full: true);
        Assert.False(report.Intact);
        Assert.Equal(chain, report.Chain.BrokenChain);
        Assert.Equal(position, report.Chain.FirstBrokenSequence);
        Assert.Equal(sequence, report.Chain.BrokenSequence);
        Assert.Equal(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"event {sequence:N0} (position {position:N0} of chain {chain})"), report.Chain.BrokenAt);
        Assert.StartsWith($"severity=critical; sequence={sequence}; chain={chain}; position={position}; ", AuditIntegrity.AlarmDetails(report.Chain), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chain_whose_head_is_removed_is_found()
    {
        await AppendAtOnceAsync(12);
        await TamperAsync("""DELETE FROM "AuditChainHead" WHERE "Id" = 3""");

        await using var db = _portal.CreateDbContext();
        var result = await AuditTrail.VerifyAsync(db);

        Assert.False(result.Intact);
        Assert.Equal("the head of chain 3 is missing: its events cannot be verified", result.Problem);
    }

    [Fact]
    public async Task A_restarted_portal_goes_on_from_each_chains_signed_tree_and_still_finds_a_rewritten_chain()
    {
        await AppendAtOnceAsync(12);
        var signed = await _integrity.CheckpointAsync();
        Assert.NotNull(signed);
        await AppendAtOnceAsync(4);

        using (var restarted = ActivatorUtilities.CreateInstance<AuditIntegrity>(_portal.Services))
        {
            var report = await restarted.VerifyAsync(full: false);
            Assert.True(report.Intact, report.Chain.Problem);
            Assert.False(report.Full);
            Assert.Equal(signed.Heads.Select(h => (h.Chain, h.Position)), report.From.OrderBy(c => c.Key).Select(c => (c.Key, c.Value.Position)));
            Assert.Equal(12, report.Chain.EventsChecked);

            // It signs the next checkpoint from those trees: the roots are those of every event of each chain.
            var next = await restarted.CheckpointAsync();
            Assert.NotNull(next);
            var full = await _integrity.VerifyAsync(full: true);
            Assert.True(full.Intact, full.Chain.Problem);
        }

        // A signed event of chain 2 rewritten, with every hash after it, the head and the database's copies recomputed.
        await using (var db = _portal.CreateDbContext())
        {
            var first = await db.AuditEvents.AsNoTracking().Where(e => e.Chain == 2).OrderBy(e => e.Position).FirstAsync();
            await TamperAsync($"""UPDATE "AuditEvents" SET "Details" = 'nothing happened' WHERE "Sequence" = {first.Sequence}""");
            var events = await db.AuditEvents.AsNoTracking().Where(e => e.Chain == 2).OrderBy(e => e.Position).ToListAsync();
            var previous = string.Empty;
            foreach (var e in events)
            {
                var hash = AuditHasher.Hash(e, e.Sequence, e.Chain, e.Position, previous);
                await db.Database.ExecuteSqlAsync($"""UPDATE "AuditEvents" SET "PreviousHash" = {previous}, "Hash" = {hash} WHERE "Sequence" = {e.Sequence}""");
                await db.Database.ExecuteSqlAsync($"""UPDATE "AuditChainCheckpoints" SET "Hash" = {hash} WHERE "Chain" = 2 AND "Position" = {e.Position}""");
                previous = hash;
            }

            await db.Database.ExecuteSqlAsync($"""UPDATE "AuditChainHead" SET "LastHash" = {previous} WHERE "Id" = 2""");
            Assert.True((await AuditTrail.VerifyAsync(db)).Intact);
        }

        using (var restarted = ActivatorUtilities.CreateInstance<AuditIntegrity>(_portal.Services))
        {
            var report = await restarted.VerifyAsync(full: true);
            Assert.False(report.Intact);
            Assert.Equal(2, report.Chain.BrokenChain);
        }
    }

    [Fact]
    public async Task The_alert_scanner_judges_every_event_of_every_chain_once()
    {
        await _portal.WithAsync<AlertScanner, int>(s => s.ScanAsync());
        IReadOnlyDictionary<int, long> before;
        await using (var db = _portal.CreateDbContext())
        {
            before = (await db.AlertScanStates.AsNoTracking().SingleAsync()).PositionsByChain();
        }

        await AppendAtOnceAsync(20);

        var judged = await _portal.WithAsync<AlertScanner, int>(s => s.ScanAsync());

        // Every event after the positions it had reached, on every chain, and no other: each judged once.
        await using var check = _portal.CreateDbContext();
        var heads = await check.AuditChainHeads.AsNoTracking().ToDictionaryAsync(h => h.Id, h => h.LastPosition);
        var positions = (await check.AlertScanStates.AsNoTracking().SingleAsync()).PositionsByChain();
        Assert.Equal(heads.Where(h => h.Value > 0).OrderBy(h => h.Key), positions.OrderBy(p => p.Key));
        Assert.True(positions.Count > 1, "every event on one chain");
        Assert.Equal(heads.Sum(h => h.Value - before.GetValueOrDefault(h.Key)), judged);
        Assert.True(judged >= 60, $"{judged} events judged");
        Assert.Equal(0, await _portal.WithAsync<AlertScanner, int>(s => s.ScanAsync()));
    }

    [Fact]
    public async Task An_auditor_proves_an_event_is_in_the_signed_log_and_the_proof_shows_a_change_or_a_forgery()
    {
        await AppendAtOnceAsync(16);
        Assert.NotNull(await _integrity.CheckpointAsync());
        AuditEvent read;
        await using (var db = _portal.CreateDbContext())
        {
            read = await db.AuditEvents.AsNoTracking().Where(e => e.Chain > 1 && e.EventType == AuditEventTypes.RecordRead).OrderBy(e => e.Position).Skip(1).FirstAsync();
        }

        var world = await DemoWorld.LoadAsync(_portal);
        var proof = await _portal.WithAsync<Nehr.Core.Oversight.AuditSearch, InclusionProof>(s => s.ProveAsync(DemoWorld.As(world.AuditorUserId), read.Sequence));

        // The proof holds, with the event as stored, with the key's public half alone, after a trip through JSON.
        Assert.Equal((read.Sequence, read.Chain, read.Position, read.Hash), (proof.Sequence, proof.Chain, proof.Position, proof.EventHash));
        Assert.Null(proof.Check(_integrity.Signer, read));
        var path = Path.Combine(_directory, "public.pem");
        await File.WriteAllTextAsync(path, _integrity.Signer.PublicKeyPem);
        using (var publicKey = CheckpointSigner.FromPublicPem(await File.ReadAllTextAsync(path), path))
        {
            Assert.Null(InclusionProof.FromJson(proof.ToJson())!.Check(publicKey, read));
        }

        // Recorded: who proved which event.
        await using (var db = _portal.CreateDbContext())
        {
            var proved = await db.AuditEvents.AsNoTracking().Where(e => e.EventType == AuditEventTypes.AuditProved).SingleAsync();
            Assert.Equal(world.AuditorUserId, proved.ActorUserId);
            Assert.StartsWith($"sequence={read.Sequence}; chain={read.Chain}; position={read.Position}; checkpoint=", proved.Details, StringComparison.Ordinal);
        }

        // The event changed in the database, a hash of the path changed, the head moved, another key: each is named.
        Assert.Contains("it was changed", proof.Check(_integrity.Signer, CopyWith(read, patientId: read.PatientId + 1)), StringComparison.Ordinal);
        var forged = proof with { ChainPath = [new string('0', 64), .. proof.ChainPath.Skip(1)] };
        Assert.Contains($"is not at position {read.Position} of the tree of chain {read.Chain}", forged.Check(_integrity.Signer), StringComparison.Ordinal);
        Assert.Contains("is not the head of chain", (proof with { Head = proof.Head with { Position = proof.Head.Position + 1 } }).Check(_integrity.Signer), StringComparison.Ordinal);
        using var other = CheckpointSigner.FromPem(CheckpointSigner.NewKeyPem(), "other key");
        Assert.Contains($"is not signed by the checkpoint key {other.KeyId}", proof.Check(other), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_not_signed_yet_or_unknown_gets_a_clear_refusal_recorded()
    {
        await AppendAtOnceAsync(2);
        long unsigned;
        await using (var db = _portal.CreateDbContext())
        {
            unsigned = await db.AuditEvents.MaxAsync(e => e.Sequence);
        }

        var world = await DemoWorld.LoadAsync(_portal);
        var auditor = DemoWorld.As(world.AuditorUserId);
        var notYet = await Assert.ThrowsAsync<Nehr.Core.DomainException>(() =>
            _portal.WithAsync<Nehr.Core.Oversight.AuditSearch, InclusionProof>(s => s.ProveAsync(auditor, unsigned)));
        Assert.StartsWith($"Event {unsigned:N0} is not in a signed checkpoint yet", notYet.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<Nehr.Core.DomainException>(() =>
            _portal.WithAsync<Nehr.Core.Oversight.AuditSearch, InclusionProof>(s => s.ProveAsync(auditor, unsigned + 1000)));
        Assert.Equal($"There is no audit event {unsigned + 1000:N0}.", unknown.Message);

        await using var check = _portal.CreateDbContext();
        var failed = await check.AuditEvents.AsNoTracking().Where(e => e.EventType == AuditEventTypes.AuditProved).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, e => Assert.Equal(AuditOutcome.Failed, e.Outcome));
    }

    /// <summary>The stored event with one field different (what an edit of the database would leave).</summary>
    private static AuditEvent CopyWith(AuditEvent e, int? patientId)
    {
        var copy = new AuditEvent(new AuditEntry
        {
            EventType = e.EventType, CorrelationId = e.CorrelationId, ActorUserId = e.ActorUserId, ActorPersonnelId = e.ActorPersonnelId,
            ActorProviderId = e.ActorProviderId, ActorRole = e.ActorRole, SystemId = e.SystemId, PatientId = patientId, Level = e.Level,
            IsOverride = e.IsOverride, Reason = e.Reason, Outcome = e.Outcome, ClientAddress = e.ClientAddress, Details = e.Details,
        }, e.OccurredAtUtc);
        copy.Link(e.Sequence, e.Chain, e.Position, e.PreviousHash, e.Hash);
        return copy;
    }
}
