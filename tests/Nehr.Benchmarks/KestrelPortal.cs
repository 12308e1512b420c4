using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Nehr.Benchmarks;

// Any public type of the portal names its assembly, whose entry point the factory runs (this project has its own Program).

/// <summary>
/// The real portal on Kestrel (127.0.0.1, a free port) on a SQLite file, or on a PostgreSQL database given by its
/// connection string, seeded with the demo data on first start.
/// </summary>
internal sealed class KestrelPortal(string database, string provider = Nehr.Core.Data.DatabaseProviders.Sqlite) : WebApplicationFactory<Nehr.Portal.Hosting.ContributionOptions>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The production pipeline with the demo data, which a Production start refuses (as the tests' portals do).
        builder.UseEnvironment("Test");
        // Patients sign in through the development identity provider (its issuer: this server's own address).
        builder.UseSetting("Nehr:NationalIdentity:ClientId", "nehr-portal-development");
        builder.UseSetting("Nehr:NationalIdentity:DevelopmentProvider", "true");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Nehr"] = provider == Nehr.Core.Data.DatabaseProviders.PostgreSql ? database : $"Data Source={database}",
            ["Nehr:Data:Provider"] = provider,
            ["Nehr:Data:SeedDemoData"] = "true",
            ["Nehr:Contribution:RequestsPerMinute"] = "1000000",
            ["Nehr:Security:SignInsPerMinute"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
            // The alert benchmark runs the scanner itself; the others measure without it.
            ["Nehr:Alerts:Enabled"] = "false",
            // Nor the scheduled chain verification, which would read the generated trail in the middle of a measure.
            ["Nehr:Integrity:VerifyEvery"] = "1.00:00:00",
            ["Nehr:Integrity:FullVerifyEvery"] = "7.00:00:00",
        }));
    }

    /// <summary>The portal <see cref="RunFreshAsync"/> is running, for a body that needs its services.</summary>
    public static KestrelPortal? Current { get; private set; }

    /// <summary>
    /// Runs <paramref name="body"/> against a portal on Kestrel (127.0.0.1, a free port) with a fresh SQLite file and the
    /// demo data, in a folder of its own under the temp folder, removed afterwards.
    /// </summary>
    public static async System.Threading.Tasks.Task RunFreshAsync(Func<HttpClient, string, System.Threading.Tasks.Task> body)
    {
        var directory = Path.Combine(Path.GetTempPath(), "nehr-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "nehr.db");
        await using (var portal = new KestrelPortal(database))
        {
            portal.UseKestrel(0);
            portal.StartServer();
            Current = portal;
            using var client = portal.CreateClient();
            Console.WriteLine($"Portal on {client.BaseAddress} (SQLite {database})");
            await body(client, database);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }
}
