using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Access;
using Nehr.Core.Audit;

namespace Nehr.Integration.Tests;

public sealed class AuditTrailTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private AuditTrail _trail = null!;

    public async Task InitializeAsync()
    {
        await DemoWorld.LoadAsync(_portal);
        _trail = _portal.Services.GetRequiredService<AuditTrail>();
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private async Task AppendAsync(int n, string actor = "tester")
    {
        await using var db = _portal.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        for (var i = 0; i < n; i++)
        {
            await _trail.AppendAsync(db, new AuditEntry
            {
                EventType = AuditEventTypes.RecordRead, CorrelationId = Guid.NewGuid().ToString("N"), ActorUserId = actor,
                PatientId = i + 1, Level = AccessLevel.Full, Reason = "NoRestriction",
            });
        }

        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    private async Task<AuditVerification> VerifyAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await AuditTrail.VerifyAsync(db);
    }

    /// <summary>What an attacker who owns the database can do: switch the triggers off and write SQL directly.</summary>
    private async Task TamperAsync(string sql)
    {
        await using var db = _portal.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync(PortalFactory.OnPostgreSql
            ? """ALTER TABLE "AuditEvents" DISABLE TRIGGER USER"""
            : "DROP TRIGGER IF EXISTS AuditEvents_NoUpdate; DROP TRIGGER IF EXISTS AuditEvents_NoDelete;");
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    [Fact]
    public async Task An_append_outside_a_transaction_is_refused()
    {
        await using var db = _portal.CreateDbContext();

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _trail.AppendAsync(db, new AuditEntry { EventType = "x", CorrelationId = "c" }));
    }

    [Fact]
    public async Task Concurrent_writers_build_one_gapless_chain()
    {
        await using var before = _portal.CreateDbContext();
        var start = await before.AuditEvents.CountAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await AppendAsync(2, $"writer-{w}");
            }
        })));

        await using var db = _portal.CreateDbContext();
        var sequences = await db.AuditEvents.OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync();
        Assert.Equal(start + 8 * 25 * 2, sequences.Count);
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        var result = await VerifyAsync();
        Assert.True(result.Intact, result.Problem);
    }

    [Fact]
    public async Task The_database_refuses_to_update_or_delete_an_event()
    {
        await AppendAsync(3);
        await using var db = _portal.CreateDbContext();

        var update = await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("""UPDATE "AuditEvents" SET "ActorUserId" = 'x' WHERE "Sequence" = 2"""));
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("""DELETE FROM "AuditEvents" WHERE "Sequence" = 2"""));

        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
        Assert.True((await VerifyAsync()).Intact);
    }

    [Fact]
    public async Task The_product_refuses_to_save_a_changed_or_removed_event()
    {
        await AppendAsync(1);
        await using var db = _portal.CreateDbContext();
        var e = await db.AuditEvents.OrderBy(x => x.Sequence).FirstAsync();

        db.AuditEvents.Remove(e);

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task An_edited_row_is_reported_at_its_sequence()
    {
        await AppendAsync(10);

        await TamperAsync("""UPDATE "AuditEvents" SET "PatientId" = "PatientId" + 1 WHERE "Sequence" = 7""");

        var result = await VerifyAsync();
        Assert.False(result.Intact);
        Assert.Equal(7, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task A_deleted_row_is_reported()
    {
        await AppendAsync(10);

        await TamperAsync("""DELETE FROM "AuditEvents" WHERE "Sequence" = 5""");

        Assert.Equal(5, (await VerifyAsync()).FirstBrokenSequence);
    }

    [Fact]
    public async Task A_cut_tail_is_reported_by_the_head_and_by_a_checkpoint()
    {
        await AppendAsync(10);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.NotEmpty(await _trail.CheckpointAsync(db));
        }

        var last = (await VerifyAsync()).EventsChecked;
        await TamperAsync($"""DELETE FROM "AuditEvents" WHERE "Sequence" > {last - 3}""");
        Assert.False((await VerifyAsync()).Intact);

        // Even with the head rewritten to the new end, the stored checkpoint still names the old one.
        await TamperAsync($"""UPDATE "AuditChainHead" SET "LastPosition" = {last - 3}, "LastHash" = (SELECT "Hash" FROM "AuditEvents" WHERE "Sequence" = {last - 3})""");
        var result = await VerifyAsync();
        Assert.False(result.Intact);
        Assert.Contains("checkpoint", result.Problem, StringComparison.Ordinal);
    }
}
