using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Benchmarks;

/// <summary>
/// Appending chained audit events to a SQLite file (WAL), each transaction committed durably: one event per
/// transaction (a record read appends exactly one) and 100 per transaction (a batch of work).
/// </summary>
public class AuditAppendBenchmarks
{
    public const int Batch = 100;

    private string _directory = null!;
    private DbContextOptions<NehrDbContext> _options = null!;
    private AuditTrail _trail = null!;
    private int _n;

    /// <summary>SQLite's sync mode: FULL syncs the WAL at every commit; NORMAL only at checkpoints (still safe against a process crash).</summary>
    [Params("FULL", "NORMAL")]
    public string Synchronous { get; set; } = "FULL";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "nehr-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var services = new ServiceCollection();
        services.Configure<IdentityOptions>(IdentityStoreSettings.Apply);
        _options = new DbContextOptionsBuilder<NehrDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_directory, "bench.db")}")
            .AddInterceptors(new SynchronousInterceptor(Synchronous))
            .UseApplicationServiceProvider(services.BuildServiceProvider())
            .Options;
        using var db = new NehrDbContext(_options);
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        db.Database.Migrate();
        _trail = new AuditTrail(TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        using (var db = new NehrDbContext(_options))
        {
            var result = AuditTrail.VerifyAsync(db).GetAwaiter().GetResult();
            if (!result.Intact)
            {
                throw new InvalidOperationException($"The chain is broken after the benchmark: {result.Problem}");
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>What a write transaction costs with nothing in it: the floor under "1 event per transaction".</summary>
    [Benchmark(Description = "empty write transaction (baseline)")]
    public async Task EmptyTransaction()
    {
        await using var db = new NehrDbContext(_options);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlRawAsync("UPDATE AuditChainHead SET LastPosition = LastPosition WHERE Id = 1");
        await transaction.CommitAsync();
    }

    [Benchmark(Description = "1 event per transaction")]
    public Task OnePerTransaction() => AppendAsync(1);

    [Benchmark(Description = "100 events per transaction", OperationsPerInvoke = Batch)]
    public Task HundredPerTransaction() => AppendAsync(Batch);

    private async Task AppendAsync(int count)
    {
        await using var db = new NehrDbContext(_options);
        await using var transaction = await db.Database.BeginTransactionAsync();
        for (var i = 0; i < count; i++)
        {
            await _trail.AppendAsync(db, GroupCommitBenchmark.ReadEntry(++_n));
        }

        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }
}

internal sealed class SynchronousInterceptor(string mode) : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous={mode};";
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous={mode};";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
