using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;

namespace Nehr.Integration.Tests;

/// <summary>
/// The audit events of record reads are committed in groups (<see cref="AuditAppender"/>): a read answers only once the
/// batch holding its event has committed, many reads share one commit, and a batch that fails fails every read in it.
/// The database's writer lock is held by the test to keep a batch from committing.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private const int Readers = 16;
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await DemoWorld.LoadAsync(_portal);
        // The provider's first access is a change (the patient is told) and commits in a write transaction of its
        // own; every later read goes to the group commit.
        await OpenAsync();
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private AuditAppender Appender => _portal.Services.GetRequiredService<AuditAppender>();

    private Task<RecordView> OpenAsync() =>
        _portal.WithAsync<RecordGate, RecordView>(gate =>
            gate.OpenAsync(new RecordRequest(DemoWorld.As(_world.DoctorUserId), _world.OpenPatientId, PurposeOfUse.Treatment)));

    private async Task<int> ReadEventsAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.RecordRead);
    }

    /// <summary>
    /// Holds what a batch needs to commit: the writer queue (SQLite), the chain head's row (PostgreSQL, where the group
    /// commit takes no writer lock).
    /// </summary>
    private static async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> HoldAppendsAsync(NehrDbContext holder)
    {
        var transaction = await holder.BeginWriteTransactionAsync();
        if (PortalFactory.OnPostgreSql)
        {
            await holder.Database.ExecuteSqlRawAsync("""SELECT 1 FROM "AuditChainHead" WHERE "Id" = 1 FOR UPDATE""");
        }

        return transaction;
    }

    /// <summary>Starts the reads and waits until every one of them has handed its event in (none can commit yet).</summary>
    private async Task<List<Task<RecordView>>> StartReadsAsync()
    {
        var reads = Enumerable.Range(0, Readers).Select(_ => Task.Run(OpenAsync)).ToList();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Appender.Waiting < Readers)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"Only {Appender.Waiting} of {Readers} reads reached the audit trail.");
            Assert.DoesNotContain(reads, r => r.IsFaulted);
            await Task.Delay(20);
        }

        return reads;
    }

    [Fact]
    public async Task No_read_answers_before_its_event_is_committed_and_waiting_reads_share_a_commit()
    {
        var before = await ReadEventsAsync();
        var batches = Appender.Committed.Batches;
        List<Task<RecordView>> reads;
        await using (var holder = _portal.CreateDbContext())
        {
            await using var writer = await HoldAppendsAsync(holder);
            reads = await StartReadsAsync();

            // Every read has decided and read its data; none may answer while its event cannot be committed.
            await Task.Delay(200);
            Assert.DoesNotContain(reads, r => r.IsCompleted);
            Assert.Equal(before, await ReadEventsAsync());
        }

        var views = await Task.WhenAll(reads);

        Assert.All(views, v => Assert.NotEmpty(v.Entries));
        Assert.Equal(Readers, views.Select(v => v.AuditSequence).Distinct().Count());
        Assert.Equal(before + Readers, await ReadEventsAsync());
        // The reads that queued behind the lock went in at most two commits (the first may have taken some of them).
        Assert.InRange(Appender.Committed.Batches - batches, 1, 2);
        await using var db = _portal.CreateDbContext();
        var sequences = views.Select(v => v.AuditSequence).ToList();
        var stored = await db.AuditEvents.Where(e => sequences.Contains(e.Sequence)).ToListAsync();
        Assert.All(stored, e => Assert.Equal((AuditEventTypes.RecordRead, _world.DoctorUserId, (int?)_world.OpenPatientId), (e.EventType, e.ActorUserId, e.PatientId)));
        Assert.Equal(Readers, stored.Count);
        var verification = await AuditTrail.VerifyAsync(db);
        Assert.True(verification.Intact, verification.Problem);
    }

    [Fact]
    public async Task A_batch_that_fails_fails_every_read_in_it_and_records_nothing()
    {
        var before = await ReadEventsAsync();
        List<Task<RecordView>> reads;
        await using (var holder = _portal.CreateDbContext())
        {
            await using var writer = await HoldAppendsAsync(holder);
            reads = await StartReadsAsync();
            // The batch will find no chain head to append to.
            await holder.Database.ExecuteSqlRawAsync("""DELETE FROM "AuditChainHead" """);
            await writer.CommitAsync();
        }

        foreach (var read in reads)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => read);
            Assert.Contains("nothing is shown", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await ReadEventsAsync());
        Assert.Equal(0, Appender.Waiting);
    }

    [Fact]
    public async Task With_group_commit_off_each_read_commits_its_event_in_a_transaction_of_its_own()
    {
        var settings = (Microsoft.Extensions.Configuration.IConfigurationRoot)_portal.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
        settings["Nehr:Data:GroupCommitReads"] = "false";
        settings.Reload();
        var before = Appender.Committed;

        var alone = await OpenAsync();

        Assert.Equal(before, Appender.Committed);
        settings["Nehr:Data:GroupCommitReads"] = "true";
        settings.Reload();
        var grouped = await OpenAsync();
        Assert.Equal((before.Batches + 1, before.Events + 1), Appender.Committed);
        await using var db = _portal.CreateDbContext();
        var stored = await db.AuditEvents.Where(e => e.Sequence == alone.AuditSequence || e.Sequence == grouped.AuditSequence).ToListAsync();
        Assert.Equal(2, stored.Count(e => e.EventType == AuditEventTypes.RecordRead && e.ActorUserId == _world.DoctorUserId));
    }
}
