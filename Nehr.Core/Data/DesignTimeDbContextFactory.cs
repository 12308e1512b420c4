using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Identity;

namespace Nehr.Core.Data;

/// <summary>
/// Lets `dotnet ef migrations add` build the context without starting the portal. SQLite by default; PostgreSQL's
/// migrations with `-- --provider PostgreSql` (no server is needed to add a migration).
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<NehrDbContext>
{
    public NehrDbContext CreateDbContext(string[] args)
    {
        var provider = DatabaseProviders.Parse(args is ["--provider", var name, ..] ? name : null);
        var connectionString = provider == DatabaseProviders.PostgreSql ? "Host=127.0.0.1;Database=nehr_design_time" : "Data Source=design-time.db";

        // IdentityDbContext reads its schema version from the application's IdentityOptions.
        var services = new ServiceCollection();
        services.Configure<IdentityOptions>(IdentityStoreSettings.Apply);
        var options = new DbContextOptionsBuilder<NehrDbContext>()
            .Use(provider, connectionString, Directory.GetCurrentDirectory())
            .UseApplicationServiceProvider(services.BuildServiceProvider());
        return new NehrDbContext((DbContextOptions<NehrDbContext>)options.Options);
    }
}
