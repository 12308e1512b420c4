using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Identity;

namespace Nehr.Core.Data;

/// <summary>Lets `dotnet ef migrations add` build the context without starting the portal.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<NehrDbContext>
{
    public NehrDbContext CreateDbContext(string[] args)
    {
        // IdentityDbContext reads its schema version from the application's IdentityOptions.
        var services = new ServiceCollection();
        services.Configure<IdentityOptions>(IdentityStoreSettings.Apply);
        var options = new DbContextOptionsBuilder<NehrDbContext>()
            .UseSqlite("Data Source=design-time.db")
            .UseApplicationServiceProvider(services.BuildServiceProvider())
            .Options;
        return new NehrDbContext(options);
    }
}
