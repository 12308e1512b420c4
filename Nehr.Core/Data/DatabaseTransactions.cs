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
    /// The PostgreSQL advisory lock every write transaction holds until it ends ("NEHR" in ASCII). The database then
    /// runs one writer at a time across all portal instances, as SQLite does for one: checks made inside a write
    /// transaction still hold when it commits, and the audit chain grows one event after another.
    /// </summary>
    public const long PostgreSqlWriterLock = 0x4E454852;

    /// <summary>
    /// Begins a transaction that may write, holding the database's writer lock from the start. On SQLite, where one
    /// writer at a time holds the database, writers of this process queue first-come first-served for it (per database
    /// file) and take the write lock on begin; the queue slot is released when the transaction ends (commit, rollback
    /// or dispose). On PostgreSQL the transaction takes <see cref="PostgreSqlWriterLock"/>, which the server queues
    /// and releases when the transaction ends.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginWriteTransactionAsync(this NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsNpgsql())
        {
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({PostgreSqlWriterLock})", cancellationToken);
            return transaction;
        }

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
    /// Begins a transaction that only appends audit events (the group commit of reads' events,
    /// <see cref="Audit.AuditAppender"/>): it checks nothing, so on PostgreSQL it takes no writer lock; the chain
    /// head's row, locked by the first append (<see cref="Audit.AuditTrail.AppendAsync"/>), orders it with every other
    /// append. On SQLite it is a write transaction, in the process's writer queue.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginAppendTransactionAsync(this NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.IsNpgsql()
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : await db.BeginWriteTransactionAsync(cancellationToken);
    }

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
