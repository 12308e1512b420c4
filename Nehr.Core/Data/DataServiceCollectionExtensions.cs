using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nehr.Core.Data.Demo;

namespace Nehr.Core.Data;

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "Nehr";

    /// <summary>The NEHR database: a context factory (one context per operation) and a scoped context for Identity.</summary>
    public static IServiceCollection AddNehrData(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.Configure<NehrDataOptions>(configuration.GetSection(NehrDataOptions.Section));

        // Settings are read when the first context is made, once every configuration source is in place.
        services.AddPooledDbContextFactory<NehrDbContext>((sp, db) =>
        {
            var settings = sp.GetRequiredService<IConfiguration>();
            var provider = settings.GetSection(NehrDataOptions.Section).Get<NehrDataOptions>()?.Provider ?? "Sqlite";
            if (!string.Equals(provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Unknown database provider '{provider}' in {NehrDataOptions.Section}:Provider; use 'Sqlite'.");
            }

            var connectionString = settings.GetConnectionString(ConnectionStringName)
                ?? throw new InvalidOperationException($"Connection string '{ConnectionStringName}' is missing from appsettings.json.");
            db.UseSqlite(SqliteConnectionString(connectionString, environment.ContentRootPath));
        });
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<NehrDbContext>>().CreateDbContext());
        services.AddScoped<DemoDataSeeder>();
        services.AddScoped<SyntheticDataLoader>();
        services.AddScoped<DatabaseInitializer>();
        services.AddHostedService<WalCheckpointer>();
        return services;
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
