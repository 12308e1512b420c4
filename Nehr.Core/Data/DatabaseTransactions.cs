using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Nehr.Core.Data;

public static class DatabaseTransactions
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriterQueues = new(StringComparer.Ordinal);

    /// <summary>
    /// Begins a transaction that may write. On SQLite, where one writer at a time holds the database, writers of this
    /// process queue first-come first-served for it (per database file) and take the write lock on begin; the queue
    /// slot is released when the transaction ends (commit, rollback or dispose): every check made in the transaction
    /// still holds when it commits. On PostgreSQL it is a read committed transaction that holds no lock of its own: a
    /// rule whose check must still hold at commit claims what it checks (<see cref="DataClaim"/>), or rests on a unique
    /// index or a row lock, and the command pipeline runs a transaction that lost a race again
    /// (<see cref="IsConflict"/>). Appends of audit events are ordered by the chain head's row.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginWriteTransactionAsync(this NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.Database.IsSqlite() || db.GetService<IDbContextOptions>().FindExtension<WriterSettings>() is { Queue: false })
        {
            return await db.Database.BeginTransactionAsync(cancellationToken);
        }

        var queue = WriterQueues.GetOrAdd(db.Database.GetDbConnection().DataSource ?? string.Empty, _ => new SemaphoreSlim(1, 1));
        await queue.WaitAsync(cancellationToken);
        try
        {
            return new QueuedTransaction(await db.Database.BeginTransactionAsync(cancellationToken), queue);
        }
        catch
        {
            queue.Release();
            throw;
        }
    }

    /// <summary>
    /// Whether a write transaction failed because a concurrent one won a race on PostgreSQL, so that running it again
    /// from the start decides on what the winner committed: a unique index taken first (the second sees the row and
    /// answers as it would have), a row changed since it was read (an optimistic version), a deadlock between claims,
    /// a serialization failure. SQLite has one writer and loses no race.
    /// </summary>
    public static bool IsConflict(Exception exception) => exception switch
    {
        DbUpdateConcurrencyException => true,
        Npgsql.PostgresException { SqlState: "23505" or "40P01" or "40001" } => true,
        DbUpdateException { InnerException: { } inner } => IsConflict(inner),
        InvalidOperationException { InnerException: { } inner } => IsConflict(inner),
        _ => false,
    };

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

    /// <summary>
    /// How the portal's contexts write (<see cref="NehrDataOptions.QueueSqliteWriters"/>), carried in their options and
    /// read when a transaction begins, so that a change of the setting applies to the next transaction. A context made
    /// without it (tools, tests) queues.
    /// </summary>
    internal sealed class WriterSettings : IDbContextOptionsExtension
    {
        private readonly Microsoft.Extensions.Options.IOptionsMonitor<NehrDataOptions> _options;

        public WriterSettings(Microsoft.Extensions.Options.IOptionsMonitor<NehrDataOptions> options)
        {
            _options = options;
            Info = new ExtensionInfo(this);
        }

        public bool Queue => _options.CurrentValue.QueueSqliteWriters;

        public DbContextOptionsExtensionInfo Info { get; }

        public void ApplyServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
        {
        }

        public void Validate(IDbContextOptions options)
        {
        }

        private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
        {
            public override bool IsDatabaseProvider => false;

            public override string LogFragment => string.Empty;

            public override int GetServiceProviderHashCode() => 0;

            public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

            public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
            {
            }
        }
    }

    /// <summary>The transaction, holding its writer's place until it ends.</summary>
    private sealed class QueuedTransaction(IDbContextTransaction inner, SemaphoreSlim queue) : IDbContextTransaction
    {
        private int _released;

        public Guid TransactionId => inner.TransactionId;

        public void Commit() => inner.Commit();

        public Task CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

        public void Rollback() => inner.Rollback();

        public Task RollbackAsync(CancellationToken cancellationToken = default) => inner.RollbackAsync(cancellationToken);

        public bool SupportsSavepoints => inner.SupportsSavepoints;

        public Task CreateSavepointAsync(string name, CancellationToken cancellationToken = default) => inner.CreateSavepointAsync(name, cancellationToken);

        public Task RollbackToSavepointAsync(string name, CancellationToken cancellationToken = default) => inner.RollbackToSavepointAsync(name, cancellationToken);

        public Task ReleaseSavepointAsync(string name, CancellationToken cancellationToken = default) => inner.ReleaseSavepointAsync(name, cancellationToken);

        public void Dispose()
        {
            try
            {
                inner.Dispose();
            }
            finally
            {
                Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                Release();
            }
        }

        private void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                queue.Release();
            }
        }
    }
}
