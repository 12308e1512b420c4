using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data;

namespace Nehr.Portal.Hosting;

/// <summary>
/// What a security officer or operator runs beside the portal, on its settings and database:
/// <c>dotnet run --project Nehr.Portal -- verify-audit</c>, <c>-- backup FILE</c>, <c>-- rotate-keys</c>. Each prints
/// what it did and exits 0 when all is well; a broken audit chain is exit code 2, any other failure 1.
/// </summary>
internal static class Operations
{
    public const int Broken = 2;
    public const int Failed = 1;

    private static readonly string[] Commands = ["verify-audit", "backup", "rotate-keys"];

    /// <summary>Splits the command line: the command and its arguments, and the settings (--Key=Value) for the host.</summary>
    public static (string[] Command, string[] HostArgs) Split(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is not [var first, ..] || !Commands.Contains(first))
        {
            return ([], args);
        }

        return ([.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))], [.. args.Where(a => a.StartsWith("--", StringComparison.Ordinal))]);
    }

    public static async Task<int> RunAsync(WebApplication app, string[] command)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return command switch
            {
                ["verify-audit"] => await VerifyAuditAsync(app),
                ["backup", var file] => await BackupAsync(app, file),
                ["rotate-keys"] => RotateKeys(app),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or IOException or System.Security.Cryptography.CryptographicException)
        {
            await Console.Error.WriteLineAsync($"{command[0]} failed: {e.Message}");
            return Failed;
        }
    }

    /// <summary>
    /// Verifies the whole audit trail's hash chain against its head and the signed checkpoints of the checkpoint log
    /// (Nehr:Integrity:CheckpointFile): exit 0 when intact, 2 with the first broken position. It only reads: the
    /// running portal's scheduled verification raises the alarm (<see cref="AuditIntegrity"/>).
    /// </summary>
    private static async Task<int> VerifyAuditAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NehrDbContext>();
        return await ReportAsync(app, db, "Audit trail");
    }

    /// <summary>
    /// SQLite: an online backup (SQLite's backup API, one consistent snapshot taken while the portal keeps writing) to a
    /// new file, whose integrity and audit chain are then verified. PostgreSQL: the database's own tools.
    /// </summary>
    private static async Task<int> BackupAsync(WebApplication app, string file)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NehrDbContext>();
        if (!db.Database.IsSqlite())
        {
            await Console.Error.WriteLineAsync(
                "backup copies the embedded SQLite database. On PostgreSQL use its own tools: pg_dump -Fc (a consistent logical dump) or "
                + "pg_basebackup with WAL archiving (point-in-time recovery); then run verify-audit against the restored copy.");
            return Failed;
        }

        var target = Path.GetFullPath(file);
        if (File.Exists(target))
        {
            await Console.Error.WriteLineAsync($"{target} exists: a backup never overwrites a file.");
            return Failed;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await using (var source = new SqliteConnection(db.Database.GetConnectionString()))
        await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString()))
        {
            await source.OpenAsync();
            await destination.OpenAsync();
            source.BackupDatabase(destination);
        }

        await using var copy = new NehrDbContext(new DbContextOptionsBuilder<NehrDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = target, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()).Options);
        var integrity = await copy.Database.SqlQueryRaw<string>("PRAGMA integrity_check").ToListAsync();
        if (integrity is not ["ok"])
        {
            await Console.Error.WriteLineAsync($"The backup {target} fails SQLite's integrity check: {string.Join("; ", integrity)}");
            return Failed;
        }

        Console.WriteLine($"Backed up to {target} ({new FileInfo(target).Length:N0} bytes): "
            + $"{await copy.Patients.CountAsync():N0} patients, {await copy.AuditEvents.CountAsync():N0} audit events."); // clinical entries are the gate's alone to read
        return await ReportAsync(app, copy, "Audit trail of the backup");
    }

    /// <summary>
    /// A new data-protection key, active now. ASP.NET Core makes it the default (new sign-in cookies, antiforgery tokens
    /// and system access tokens are sealed with it) once it has had time to reach every instance, its key propagation
    /// window of two days; until then the current key goes on sealing. The old keys are kept, not revoked: what they
    /// sealed stays valid until it expires, so nobody is signed out and no system loses its token.
    /// </summary>
    private static int RotateKeys(WebApplication app)
    {
        var keys = app.Services.GetRequiredService<IKeyManager>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var key = RotateKey(keys, now);
        Console.WriteLine($"New data-protection key {key.KeyId}, active from {NehrTime(now)} until {NehrTime(key.ExpirationDate)}, the default once every instance has it (at most two days); "
            + $"{keys.GetAllKeys().Count(k => !k.IsRevoked) - 1} earlier keys kept for what they sealed.");
        return 0;
    }

    /// <summary>Creates the new default key, active at once, for the key ring's usual 90 days.</summary>
    public static IKey RotateKey(IKeyManager keys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.CreateNewKey(activationDate: now, expirationDate: now.AddDays(90));
    }

    private static async Task<int> ReportAsync(WebApplication app, NehrDbContext db, string what)
    {
        var report = await app.Services.GetRequiredService<AuditIntegrity>().VerifyOnlyAsync(db);
        if (report.Intact)
        {
            Console.WriteLine($"{what} {report.Describe()}");
            return 0;
        }

        await Console.Error.WriteLineAsync($"{what} {report.Describe()}");
        return Broken;
    }

    private static string NehrTime(DateTimeOffset time) => Components.Shared.DisplayTime.Moment(time.UtcDateTime) + " (Singapore)";

    private static int Usage()
    {
        Console.Error.WriteLine("Commands: verify-audit | backup FILE | rotate-keys (settings as --Key=Value after them).");
        return Failed;
    }
}
