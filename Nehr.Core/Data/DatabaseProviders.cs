using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Nehr.Core.Data;

/// <summary>
/// The two databases the NEHR runs on: SQLite, embedded, the default for one instance; PostgreSQL for a deployment of
/// several portal instances. Each has its own migrations, in a namespace of its own in this assembly.
/// </summary>
public static class DatabaseProviders
{
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";

    /// <summary>Connections per portal instance to PostgreSQL, unless the connection string sets "Maximum Pool Size".</summary>
    public const int DefaultPostgreSqlPoolSize = 12;

    public const string SqliteMigrations = "Nehr.Core.Data.Migrations.Sqlite";
    public const string PostgreSqlMigrations = "Nehr.Core.Data.Migrations.PostgreSql";

    /// <summary>The provider's canonical name, or a clear error naming the setting for anything else.</summary>
    public static string Parse(string? configured) => configured switch
    {
        null or "" => Sqlite,
        _ when string.Equals(configured, Sqlite, StringComparison.OrdinalIgnoreCase) => Sqlite,
        _ when string.Equals(configured, PostgreSql, StringComparison.OrdinalIgnoreCase)
            || string.Equals(configured, "Postgres", StringComparison.OrdinalIgnoreCase)
            || string.Equals(configured, "Npgsql", StringComparison.OrdinalIgnoreCase) => PostgreSql,
        _ => throw new InvalidOperationException(
            $"Unknown database provider '{configured}' in {NehrDataOptions.Section}:Provider; use '{Sqlite}' or '{PostgreSql}'."),
    };

    /// <summary>Points the context at the database, with the migrations of its provider.</summary>
    public static DbContextOptionsBuilder Use(this DbContextOptionsBuilder options, string provider, string connectionString, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (Parse(provider) == PostgreSql)
        {
            // Unless the connection string says otherwise: statements the portal runs again and again are prepared on
            // the server once per connection; and an instance uses at most 12 connections, so work beyond what the
            // database can do at once waits its turn in the instance instead of crowding the server's CPUs and the
            // audit chain's lock (measured: at 500 record opens/s, p95 12 ms with 12 connections, collapse with 100).
            var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
                .Cast<string>().Select(k => k.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant()).ToHashSet();
            var postgres = new NpgsqlConnectionStringBuilder(connectionString);
            if (!given.Contains("MAXAUTOPREPARE"))
            {
                postgres.MaxAutoPrepare = 100;
            }

            if (!given.Contains("MAXIMUMPOOLSIZE") && !given.Contains("MAXPOOLSIZE"))
            {
                postgres.MaxPoolSize = DefaultPostgreSqlPoolSize;
            }

            options.UseNpgsql(postgres.ToString());
        }
        else
        {
            options.UseSqlite(SqliteConnectionString(connectionString, contentRoot));
        }

        return options.ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>();
    }

    /// <summary>A relative SQLite file is placed under the content root, whatever the working directory.</summary>
    internal static string SqliteConnectionString(string configured, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(configured);
        if (builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        }

        if (builder.DataSource != ":memory:")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        }

        return builder.ToString();
    }
}
