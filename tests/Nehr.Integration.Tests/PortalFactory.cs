using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Data;

namespace Nehr.Integration.Tests;

/// <summary>The real portal in memory, on its own fresh SQLite file, seeded with the demo data.</summary>
public sealed class PortalFactory : WebApplicationFactory<Program>
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nehr-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The portal's clock; tests move it (e.g. past an override's expiry).</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Settings a test class needs on top of the defaults.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public string DatabasePath => Path.Combine(_directory, "nehr.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(_directory);
        builder.UseEnvironment("Test");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Nehr"] = $"Data Source={DatabasePath}",
            ["Nehr:Data:SeedDemoData"] = "true",
        }).AddInMemoryCollection(Settings));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

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

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left in the temp folder; it does not affect other tests.
        }
    }
}
