using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
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
    ILogger<DatabaseInitializer> logger,
    IServiceProvider services)
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
        await AddAuditChainsAsync(cancellationToken);
        await SecureStoredSecretsAsync(cancellationToken);

        if (options.Value.SeedDemoData && await seeder.SeedAsync(cancellationToken) && options.Value.ExtraSyntheticPatients > 0)
        {
            await loader.AddPatientsAsync(options.Value.ExtraSyntheticPatients, options.Value.EntriesPerSyntheticPatient, cancellationToken);
        }
    }

    /// <summary>The audit trail's chains up to the number set (<see cref="NehrDataOptions.AuditChains"/>); none is ever removed.</summary>
    private async Task AddAuditChainsAsync(CancellationToken cancellationToken)
    {
        var wanted = options.Value.AuditChains;
        if (wanted is < 1 or > NehrDataOptions.MaxAuditChains)
        {
            throw new InvalidOperationException($"{NehrDataOptions.Section}:AuditChains is {wanted}: it must be from 1 to {NehrDataOptions.MaxAuditChains}.");
        }

        var added = await Audit.AuditTrail.AddChainsAsync(db, wanted, cancellationToken);
        if (added > 0)
        {
            logger.LogInformation("{Added} audit chains added: the trail has {Chains}.", added, wanted);
        }
    }

    /// <summary>
    /// The key ring under the current key-encryption key (keys written in clear before, or under a previous one); a
    /// key in it before anything is written (the key manager creates one on first use, with a write of its own, which
    /// must not wait behind a transaction such as the demo seeding's); then the account secrets written in clear before.
    /// </summary>
    private async Task SecureStoredSecretsAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<Identity.KeyEncryptionKeys>() is not { } keys || services.GetService<IDataProtectionProvider>() is not { } protection)
        {
            return;
        }

        if (await Identity.KeyRingEncryption.EncryptStoredKeysAsync(db, keys, cancellationToken) is > 0 and var encrypted)
        {
            logger.LogInformation("{Count} data-protection keys encrypted under the current key-encryption key.", encrypted);
        }

        protection.CreateProtector("Nehr.KeyRing.Ready").Protect("ready");
        if (await Identity.NehrUserStore.ProtectStoredSecretsAsync(db, protection, cancellationToken) is > 0 and var secrets)
        {
            logger.LogInformation("{Count} authenticator keys and recovery-code sets protected.", secrets);
        }
    }
}
