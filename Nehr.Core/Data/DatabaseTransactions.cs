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
    public static async Task<IDbContextTransaction> BeginReadSnapshotAsync(this NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.Database.IsSqlite())
        {
            return await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = connection.BeginTransaction(deferred: true);
        return await db.Database.UseTransactionAsync(transaction, cancellationToken)
            ?? throw new InvalidOperationException("Could not enlist the snapshot transaction.");
    }
}
