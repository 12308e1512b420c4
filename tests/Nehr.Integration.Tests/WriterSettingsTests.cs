using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Data;

namespace Nehr.Integration.Tests;

/// <summary>The SQLite writer queue is a setting (Nehr:Data:QueueSqliteWriters), read when each transaction begins.</summary>
[Trait("Database", "SqliteOnly")]
public sealed class WriterSettingsTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    public void Dispose() => _portal.Dispose();

    [Fact]
    public async Task Writers_queue_by_default_and_not_once_the_setting_is_off_on_the_running_portal()
    {
        Assert.True(await QueuedAsync());

        var settings = (IConfigurationRoot)_portal.Services.GetRequiredService<IConfiguration>();
        settings["Nehr:Data:QueueSqliteWriters"] = "false";
        settings.Reload();
        Assert.False(await QueuedAsync());

        settings["Nehr:Data:QueueSqliteWriters"] = "true";
        settings.Reload();
        Assert.True(await QueuedAsync());
    }

    private async Task<bool> QueuedAsync()
    {
        await using var db = _portal.CreateDbContext();
        await using var transaction = await db.BeginWriteTransactionAsync();
        return transaction.GetType().Name == "QueuedTransaction";
    }
}
