using Microsoft.EntityFrameworkCore;

namespace Nehr.Integration.Tests;

/// <summary>The migrations of the database in use (SQLite, or PostgreSQL in that pass) describe the whole model.</summary>
public sealed class MigrationModelTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    public void Dispose() => _portal.Dispose();

    [Fact]
    public async Task The_model_has_no_change_that_a_migration_lacks()
    {
        _ = _portal.Server;
        await using var db = _portal.CreateDbContext();

        Assert.False(db.Database.HasPendingModelChanges(), "The model differs from the migrations' snapshot: add a migration (Nehr.Core/Data/Migrations/add-migration.sh).");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }
}
