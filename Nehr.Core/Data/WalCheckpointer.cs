using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Nehr.Core.Data;

/// <summary>
/// Copies SQLite's write-ahead log into the database in the background, several times a second. Left to itself,
/// SQLite does that inside whichever commit crosses 1,000 log pages, and that commit (holding the write lock, so every
/// writer behind it) then waits for the copy and its fsync: a stall of about 150 ms every few hundred audited reads
/// on a national-size database. A passive checkpoint here takes no write lock, so commits go on while it runs and
/// the log rarely grows far enough for a commit to checkpoint itself. Does nothing on other databases.
/// </summary>
public sealed class WalCheckpointer(
    IDbContextFactory<NehrDbContext> contexts, IOptionsMonitor<NehrDataOptions> options, ILogger<WalCheckpointer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var db = await contexts.CreateDbContextAsync(stoppingToken);
        if (!db.Database.IsSqlite())
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!options.CurrentValue.CheckpointWal)
            {
                continue;
            }

            try
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", stoppingToken);
            }
            catch (SqliteException e)
            {
                // A busy or missing database now is no reason to stop; the next tick tries again.
                logger.LogDebug(e, "Background WAL checkpoint skipped.");
            }
        }
    }
}
