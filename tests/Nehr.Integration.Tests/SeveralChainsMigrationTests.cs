using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

/// <summary>
/// Issue 22, item 3: the trail written with one chain, migrated. A database at the migration before the chains, with
/// a chain of events, a checkpoint and the alert scanner's position, is brought to the current schema: the events are
/// the first chain at the positions of their numbers, never rewritten; the chain verifies with its checkpoint; the
/// append-only rules still hold; the scanner goes on where it was; new events go on from the head.
/// </summary>
[Trait("Database", "SqliteOnly")]
public sealed class SeveralChainsMigrationTests : IDisposable
{
    private const string Before = "20261127220518_LiveSourceIdentity";
    private static readonly DateTime At = new(2026, 11, 27, 2, 0, 0, DateTimeKind.Utc);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nehr-tests", "migration-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private NehrDbContext Open()
    {
        Directory.CreateDirectory(_directory);
        var options = new DbContextOptionsBuilder<NehrDbContext>();
        options.Use("Sqlite", $"Data Source={Path.Combine(_directory, "nehr.db")}", _directory);

        // The Identity tables' part of the model follows the portal's Identity settings, which this context (made
        // without the portal) does not have; the migrations are the portal's own, and the test reads only the trail.
        options.ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning));
        return new NehrDbContext(options.Options);
    }

    [Fact]
    public async Task The_single_chain_becomes_the_first_chain_verifies_with_its_checkpoint_and_goes_on()
    {
        var hashes = new List<string> { string.Empty };
        await using (var db = Open())
        {
            await db.Database.OpenConnectionAsync();
            ((SqliteConnection)db.Database.GetDbConnection()).CreateFunction("nehr_sha256", (string? text) => text is null ? null : ClinicalEntry.HashOf(text));
            await db.GetService<IMigrator>().MigrateAsync(Before);

            // Five reads chained as the trail wrote them before, a checkpoint at 3, the scanner at 4.
            for (var sequence = 1; sequence <= 5; sequence++)
            {
                var e = new AuditEvent(new AuditEntry
                {
                    EventType = AuditEventTypes.RecordRead, CorrelationId = $"read-{sequence}", ActorUserId = "tester", PatientId = sequence,
                    Level = AccessLevel.Full, Reason = "NoRestriction", Details = "purpose=TREAT; view=open",
                }, At.AddMinutes(sequence));
                var hash = AuditHasher.Hash(e, sequence, hashes[^1]);
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO "AuditEvents" ("Sequence", "EventType", "OccurredAtUtc", "ActorUserId", "PatientId", "Level", "IsOverride", "Reason", "Outcome", "CorrelationId", "Details", "PreviousHash", "Hash")
                    VALUES ({sequence}, {e.EventType}, {e.OccurredAtUtc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)}, {e.ActorUserId}, {e.PatientId}, {"Full"}, {false}, {e.Reason}, {"Success"}, {e.CorrelationId}, {e.Details}, {hashes[^1]}, {hash})
                    """);
                hashes.Add(hash);
            }

            await db.Database.ExecuteSqlAsync($"""UPDATE "AuditChainHead" SET "LastSequence" = 5, "LastHash" = {hashes[5]} WHERE "Id" = 1""");
            await db.Database.ExecuteSqlAsync($"""INSERT INTO "AuditCheckpoints" ("Sequence", "Hash", "CreatedAtUtc") VALUES (3, {hashes[3]}, {"2026-11-27 03:00:00"})""");
            await db.Database.ExecuteSqlRawAsync("""UPDATE "AlertScanState" SET "LastSequence" = 4""");

            await db.Database.MigrateAsync();
        }

        await using (var db = Open())
        {
            var events = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
            Assert.Equal([1L, 2, 3, 4, 5], events.Select(e => e.Position));
            Assert.All(events, e => Assert.Equal(AuditChainHead.FirstChain, e.Chain));
            Assert.Equal(hashes[1..], events.Select(e => e.Hash));
            var head = Assert.Single(await db.AuditChainHeads.AsNoTracking().ToListAsync());
            Assert.Equal((1, 5L, hashes[5]), (head.Id, head.LastPosition, head.LastHash));
            var checkpoint = Assert.Single(await db.AuditCheckpoints.AsNoTracking().ToListAsync());
            Assert.Equal((1, 3L, hashes[3]), (checkpoint.Chain, checkpoint.Position, checkpoint.Hash));
            Assert.Equal(new Dictionary<int, long> { [1] = 4 }, (await db.AlertScanStates.AsNoTracking().SingleAsync()).PositionsByChain());
            var verification = await AuditTrail.VerifyAsync(db);
            Assert.True(verification.Intact, verification.Problem);

            // The checkpoints' table is append-only too, under its new name.
            await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("""UPDATE "AuditChainCheckpoints" SET "Hash" = 'x'"""));
            await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("""DELETE FROM "AuditChainCheckpoints" """));
            await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("""UPDATE "AuditEvents" SET "Position" = 9 WHERE "Sequence" = 1"""));
        }

        // The chain goes on from its head, as it was written before (one chain: each event's position is its number).
        await using (var db = Open())
        {
            var trail = new AuditTrail(TimeProvider.System);
            await using var transaction = await db.Database.BeginTransactionAsync();
            var added = await trail.AppendAsync(db, new AuditEntry { EventType = AuditEventTypes.RecordRead, CorrelationId = "after", ActorUserId = "tester", PatientId = 9 });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();

            Assert.Equal((6L, 1, 6L, hashes[5]), (added.Sequence, added.Chain, added.Position, added.PreviousHash));
            Assert.Equal(AuditHasher.Hash(added, 6, hashes[5]), added.Hash);
            Assert.True((await AuditTrail.VerifyAsync(db)).Intact);
        }
    }
}
