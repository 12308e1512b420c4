using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nehr.Core.Data.Demo;

namespace Nehr.Core.Data;

/// <summary>Brings the database to the current schema at start-up and loads demo data when asked to.</summary>
public sealed class DatabaseInitializer(
    NehrDbContext db,
    DemoDataSeeder seeder,
    SyntheticDataLoader loader,
    IOptions<NehrDataOptions> options,
    ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (db.Database.IsSqlite())
        {
            // WAL: readers never block the writer, and a crash cannot leave a half-written page.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

            // SQLite has no SHA-256 of its own: a migration that hashes the source identifiers of existing entries
            // calls this one, on the connection that stays open for the migrations.
            ((SqliteConnection)db.Database.GetDbConnection()).CreateFunction("nehr_sha256", (string? text) => text is null ? null : ClinicalEntry.HashOf(text));
            try
            {
                await db.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        else
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        logger.LogInformation("Database schema is current.");

        if (options.Value.SeedDemoData && await seeder.SeedAsync(cancellationToken) && options.Value.ExtraSyntheticPatients > 0)
        {
            await loader.AddPatientsAsync(options.Value.ExtraSyntheticPatients, options.Value.EntriesPerSyntheticPatient, cancellationToken);
        }
    }
}
