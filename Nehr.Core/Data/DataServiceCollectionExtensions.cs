using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName)
                ?? throw new InvalidOperationException($"Connection string '{ConnectionStringName}' is missing from appsettings.json.");
            db.Use(sp.GetRequiredService<IOptions<NehrDataOptions>>().Value.Provider, connectionString, environment.ContentRootPath);
            ((IDbContextOptionsBuilderInfrastructure)db).AddOrUpdateExtension(
                new DatabaseTransactions.WriterSettings(sp.GetRequiredService<IOptionsMonitor<NehrDataOptions>>()));
        });
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<NehrDbContext>>().CreateDbContext());
        services.AddScoped<DemoDataSeeder>();
        services.AddScoped<SyntheticDataLoader>();
        services.AddScoped<DatabaseInitializer>();
        services.AddHostedService<WalCheckpointer>();
        return services;
    }
}
