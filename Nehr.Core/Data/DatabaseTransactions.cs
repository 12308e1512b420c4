using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Nehr.Core.Data;

public static class DatabaseTransactions
{
    /// <summary>
    /// A transaction for reading a consistent snapshot without taking the write lock (SQLite: a deferred
    /// transaction, which in WAL mode reads one snapshot; elsewhere: repeatable read).
    /// </summary>
    public static async Task<IAsyncDisposable> BeginReadSnapshotAsync(this NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.Database.IsSqlite())
        {
            return await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = connection.BeginTransaction(deferred: true);
        var enlisted = await db.Database.UseTransactionAsync(transaction, cancellationToken)
            ?? throw new InvalidOperationException("Could not enlist the snapshot transaction.");
        return new Snapshot(db, enlisted, transaction);
    }

    /// <summary>EF does not own a transaction it was given: this ends both, so the context can begin another.</summary>
    private sealed class Snapshot(NehrDbContext db, IDbContextTransaction enlisted, SqliteTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await enlisted.DisposeAsync();
            await transaction.DisposeAsync();
            await db.Database.CloseConnectionAsync();
        }
    }
}
