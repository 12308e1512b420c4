using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting.Server;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nehr.Core.Data;
using Npgsql;

namespace Nehr.Integration.Tests;

/// <summary>
/// The real portal in memory, on its own fresh database seeded with the demo data: a SQLite file, or, when
/// NEHR_TEST_PROVIDER=PostgreSql, a new database on the PostgreSQL server named by NEHR_TEST_POSTGRES (test.sh runs
/// the integration tests both ways).
/// </summary>
/// <remarks>
/// Seeding the demo world costs more than most tests, and about 130 portals start in a run: the demo world is seeded
/// once per run (<see cref="SeededTemplate"/>), and each portal starts on a copy of it, its clock at the time the
/// copy was seeded, as if the portal had just seeded it. A portal whose settings change what is seeded or how it is
/// protected (data settings, key-encryption keys), or whose clock a test moved before it started, seeds its own.
/// </remarks>
public sealed class PortalFactory : WebApplicationFactory<Program>
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nehr-tests", Guid.NewGuid().ToString("N"));
    private readonly string _postgreSqlDatabase;
    private readonly bool _isTemplate;
    private bool _postgreSqlDatabaseCreated;

    public PortalFactory()
        : this(isTemplate: false, $"nehr_test_{Guid.NewGuid():N}", SeededTemplate.Instance.SeededAt)
    {
    }

    private PortalFactory(bool isTemplate, string postgreSqlDatabase, DateTimeOffset startsAt)
    {
        _isTemplate = isTemplate;
        _postgreSqlDatabase = postgreSqlDatabase;
        Clock = new FakeTimeProvider(startsAt);
        ClientOptions.BaseAddress = BaseAddress;
    }

    /// <summary>
    /// What the test clients call the portal: https, as a browser reaches it through the load balancer. Outside
    /// development every cookie is Secure, and a client sends a Secure cookie only over https.
    /// </summary>
    public static Uri BaseAddress { get; } = new("https://localhost");

    /// <summary>The database every portal of this test run uses.</summary>
    public static string Provider { get; } = DatabaseProviders.Parse(Environment.GetEnvironmentVariable("NEHR_TEST_PROVIDER"));

    public static bool OnPostgreSql => Provider == DatabaseProviders.PostgreSql;

    /// <summary>The portal's clock; tests move it (e.g. past an override's expiry).</summary>
    /// <remarks>It starts on a whole second: PostgreSQL keeps times to the microsecond, and tests compare times read back with times computed.</remarks>
    public FakeTimeProvider Clock { get; }

    /// <summary>What EF Core and ASP.NET Core logged as warnings: the portal fails its test when disposed if there were any.</summary>
    public FrameworkWarnings Warnings { get; } = new();

    /// <summary>Set by a test that provokes a framework warning on purpose: the portal is then not failed for it.</summary>
    public bool ExpectsFrameworkWarnings { get; set; }

    public const string NationalIdentityClientId = "nehr-portal-test";

    /// <summary>Where the portal's OpenID Connect handler sends its back-channel calls, when not to its own development provider.</summary>
    public HttpMessageHandler? IdentityProviderBackchannel { get; set; }

    /// <summary>Settings a test class needs on top of the defaults.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>The SQLite file (SQLite runs only).</summary>
    public string DatabasePath => Path.Combine(_directory, "nehr.db");

    /// <summary>This portal's own database.</summary>
    public string ConnectionString => OnPostgreSql
        ? new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _postgreSqlDatabase }.ToString()
        : $"Data Source={DatabasePath}";

    private static string ServerConnectionString => Environment.GetEnvironmentVariable("NEHR_TEST_POSTGRES")
        ?? throw new InvalidOperationException("NEHR_TEST_PROVIDER=PostgreSql needs NEHR_TEST_POSTGRES, a connection string to a PostgreSQL server (test.sh starts one).");

    /// <summary>This portal runs on the other's database: a second instance of the same deployment.</summary>
    public void ShareDatabaseWith(PortalFactory other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Settings["ConnectionStrings:Nehr"] = other.ConnectionString;
    }

    /// <summary>The database goes away under the running portal.</summary>
    public void LoseDatabase()
    {
        if (OnPostgreSql)
        {
            DropPostgreSqlDatabase();
            return;
        }

        // Delete first, then empty the pools. The other way round, a connection opened in between (the WAL
        // checkpointer opens one four times a second) would stay in the new pool on the deleted file, and the portal
        // would go on using it. Connections opened before the delete belong to the pool being cleared and are not
        // pooled again; those opened after it find no database.
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(DatabasePath + suffix);
        }

        SqliteConnection.ClearAllPools();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(_directory);
        var fromTemplate = !_isTemplate && StartsAsSeeded();
        // Once: a derived factory (WithWebHostBuilder) configures its host through this method again.
        if (OnPostgreSql && !_postgreSqlDatabaseCreated && !Settings.ContainsKey("ConnectionStrings:Nehr"))
        {
            using var server = new NpgsqlConnection(ServerConnectionString);
            server.Open();
            var template = fromTemplate ? $" TEMPLATE \"{SeededTemplate.Instance.PostgreSqlDatabase}\"" : "";
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{_postgreSqlDatabase}\"{template}", server);
            create.ExecuteNonQuery();
            _postgreSqlDatabaseCreated = true;
        }
        else if (!OnPostgreSql && fromTemplate && !File.Exists(DatabasePath))
        {
            File.Copy(SeededTemplate.Instance.SqliteFile, DatabasePath);
        }

        builder.UseEnvironment("Test");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Nehr"] = ConnectionString,
            ["Nehr:Data:Provider"] = Provider,
            ["Nehr:Data:SeedDemoData"] = "true",
            // The alert scanner appends to the audit trail when it raises a case: the tests that read the trail's last
            // events would race it, so tests of the alerts run it on demand (AlertScanner.ScanAsync).
            ["Nehr:Alerts:Enabled"] = "false",
            // The fake clock runs every timer due as it is advanced: a test that moves it by days would verify the audit
            // chain every 5 minutes of them, inline. Tests of the schedule set its own interval.
            ["Nehr:Integrity:VerifyEvery"] = "1.00:00:00",
            ["Nehr:Integrity:FullVerifyEvery"] = "7.00:00:00",
            // For the same reason the outbox is polled hourly (a test sends with OutboxDispatcher.DispatchOnceAsync).
            ["Nehr:Email:PollSeconds"] = "3600",
        }).AddInMemoryCollection(Settings));

        // Patients sign in through the development identity provider, hosted by the portal under test. Host settings:
        // whether the sign-in is configured at all decides, while the portal is built, which services it has.
        builder.UseSetting("Nehr:NationalIdentity:ClientId", NationalIdentityClientId);
        builder.UseSetting("Nehr:NationalIdentity:DevelopmentProvider", "true");
        builder.UseSetting("Nehr:NationalIdentity:Issuer", new Uri(BaseAddress, "dev-idp").AbsoluteUri);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);

            // The OpenID Connect handler's calls to the provider (discovery, PAR, token) reach the in-memory server:
            // this portal's development provider, or a test's own provider (NationalIdentityProviderStub) when set.
            services.AddOptions<OpenIdConnectOptions>("NationalIdentity").Configure<IServer>((o, server) =>
                o.BackchannelHttpHandler = IdentityProviderBackchannel ?? ((TestServer)server).CreateHandler());

            // EF Core's query warnings are defects (an unordered Skip/Take or First pages unpredictably): here they
            // throw where the query runs, so the test that reaches it fails and names it.
            services.ConfigureDbContext<NehrDbContext>(options => options.ConfigureWarnings(warnings => warnings.Throw(
                CoreEventId.RowLimitingOperationWithoutOrderByWarning, CoreEventId.FirstWithoutOrderByAndFilterWarning,
                CoreEventId.DistinctAfterOrderByWithoutRowLimitingOperatorWarning)));
        });
        builder.ConfigureLogging(logging => logging.AddProvider(Warnings));
    }

    /// <summary>Whether this portal can start on a copy of the seeded template rather than seed its own database.</summary>
    private bool StartsAsSeeded() =>
        Clock.GetUtcNow() == SeededTemplate.Instance.SeededAt
        && !Settings.Keys.Any(key => key.StartsWith("ConnectionStrings:", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("Nehr:Data:", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("Nehr:DataProtection:", StringComparison.OrdinalIgnoreCase));

    /// <summary>Runs a service of the portal in a scope of its own.</summary>
    public async Task<TResult> WithAsync<TService, TResult>(Func<TService, Task<TResult>> use)
        where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>A context of its own on the portal's database, for arranging and checking data.</summary>
    public NehrDbContext CreateDbContext() =>
        Services.GetRequiredService<IDbContextFactory<NehrDbContext>>().CreateDbContext();

    /// <summary>
    /// The tables a refused contribution may still write to: the audit trail, the contribution log, the data-quality
    /// list and the data-protection key ring. Everything else is the record and its administration.
    /// </summary>
    public static IReadOnlySet<string> LogTables { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "AuditEvents", "AuditChainHead", "AuditChainCheckpoints", "ContributionBatches", "IdentityMismatches", "DataProtectionKeys",

        // SQLite's record of the last id of each table, which moves with the rows above.
        "sqlite_sequence",
    };

    /// <summary>A hash of every row of every table: equal before and after means the database did not change.</summary>
    public Task<string> DatabaseHashAsync() => HashTablesAsync(_ => true);

    /// <summary>A hash of every table but <see cref="LogTables"/>: equal before and after means no clinical or administrative data changed.</summary>
    public Task<string> ClinicalDataHashAsync() => HashTablesAsync(table => !LogTables.Contains(table));

    private async Task<string> HashTablesAsync(Func<string, bool> include)
    {
        await using var db = CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = OnPostgreSql
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
                : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                if (include(reader.GetString(0)))
                {
                    tables.Add(reader.GetString(0));
                }
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row.Append(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append('|');
                }

                rows.Add(row.ToString());
            }

            // Rows in a stable order whatever order the database returns them in.
            rows.Sort(StringComparer.Ordinal);
            text.Append(table).Append('\n').AppendJoin('\n', rows).Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);

        SqliteConnection.ClearAllPools();
        if (_isTemplate)
        {
            NpgsqlConnection.ClearAllPools();
        }
        else
        {
            DropPostgreSqlDatabase();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left in the temp folder; it does not affect other tests.
        }

        if (disposing && !ExpectsFrameworkWarnings && Warnings.Logged.Count > 0)
        {
            throw new InvalidOperationException("EF Core or ASP.NET Core logged warnings while the portal ran:\n" + string.Join("\n", Warnings.Logged));
        }
    }

    private void DropPostgreSqlDatabase()
    {
        if (!_postgreSqlDatabaseCreated)
        {
            return;
        }

        using (var ours = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(ours);
        }

        using var server = new NpgsqlConnection(ServerConnectionString);
        server.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgreSqlDatabase}\" WITH (FORCE)", server);
        drop.ExecuteNonQuery();
        _postgreSqlDatabaseCreated = false;
    }

    /// <summary>
    /// The demo world seeded once for the whole run: a SQLite file to copy, or a PostgreSQL database to create others
    /// from (<c>CREATE DATABASE … TEMPLATE</c>, which needs no connection open on it), dropped when the run ends.
    /// </summary>
    private sealed class SeededTemplate
    {
        private static readonly Lazy<SeededTemplate> Seeded = new(Seed, LazyThreadSafetyMode.ExecutionAndPublication);

        private SeededTemplate(DateTimeOffset seededAt, string sqliteFile, string postgreSqlDatabase)
        {
            SeededAt = seededAt;
            SqliteFile = sqliteFile;
            PostgreSqlDatabase = postgreSqlDatabase;
        }

        public static SeededTemplate Instance => Seeded.Value;

        /// <summary>The clock of the portal that seeded it: on a whole second, as PostgreSQL keeps times to the microsecond.</summary>
        public DateTimeOffset SeededAt { get; }

        public string SqliteFile { get; }

        public string PostgreSqlDatabase { get; }

        private static SeededTemplate Seed()
        {
            var seededAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            var database = $"nehr_template_{Guid.NewGuid():N}";
            var sqliteFile = Path.Combine(Path.GetTempPath(), "nehr-tests", $"template-{Guid.NewGuid():N}.db");
            using (var portal = new PortalFactory(isTemplate: true, database, seededAt))
            {
                _ = portal.Server;
                if (!OnPostgreSql)
                {
                    // A consistent copy of the file, its write-ahead log folded in.
                    using var connection = new SqliteConnection(portal.ConnectionString);
                    connection.Open();
                    using var copy = connection.CreateCommand();
                    copy.CommandText = "VACUUM INTO $file";
                    copy.Parameters.AddWithValue("$file", sqliteFile);
                    copy.ExecuteNonQuery();
                }
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(sqliteFile, database);
            return new SeededTemplate(seededAt, sqliteFile, database);
        }

        private static void Remove(string sqliteFile, string database)
        {
            File.Delete(sqliteFile);
            if (OnPostgreSql)
            {
                using var server = new NpgsqlConnection(ServerConnectionString);
                server.Open();
                using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", server);
                drop.ExecuteNonQuery();
            }
        }
    }
}
