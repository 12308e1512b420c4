using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;
using Npgsql;

namespace Nehr.Benchmarks;

/// <summary>
/// Audit appends of reads, one event per request, from many concurrent requests that each wait until their event is
/// durable (round 2, step 7): one write transaction per event (with the writer lock) next to the group commit
/// (<see cref="AuditAppender"/>), on a durable database (SQLite WAL with <c>synchronous=FULL</c>; PostgreSQL as the
/// server is configured, <c>fsync=on</c> for the figures).
/// <c>dotnet run -c Release --project tests/Nehr.Benchmarks -- appends [--callers 64] [--seconds 10] [--instances 2] [--chains 4] [--postgres "Host=…"]</c>
/// </summary>
/// <remarks>
/// With <c>--instances N</c> it also runs N portal instances' appenders side by side on the one database (each its own
/// services and connection pool, the callers shared among them), verifies the trail, and prints the lock time per event:
/// how long the chain head's row was held (granted to committed) per event, which bounds what one chain can take.
/// With <c>--chains K</c> the trail has K chains (<c>Nehr:Data:AuditChains</c>): each transaction appends to a chain no
/// other holds, and the instances' appenders need not wait for each other.
/// </remarks>
internal static class GroupCommitBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var callers = NationalBenchmark.Option(args, "--callers", 64);
        var seconds = NationalBenchmark.Option(args, "--seconds", 10.0);
        var server = NationalBenchmark.OptionText(args, "--postgres");
        var instances = NationalBenchmark.Option(args, "--instances", 1);
        var chains = NationalBenchmark.Option(args, "--chains", 1);
        var directory = Path.Combine(Path.GetTempPath(), "nehr-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var postgres = server is null ? null : new NpgsqlConnectionStringBuilder(server) { Database = $"nehr_appends_{Guid.NewGuid():N}" };
        if (postgres is not null)
        {
            await NationalBenchmark.ExecuteOnServerAsync(server!, $"CREATE DATABASE \"{postgres.Database}\"");
        }

        try
        {
            ServiceProvider Instance()
            {
                var services = new ServiceCollection();
                services.Configure<IdentityOptions>(IdentityStoreSettings.Apply);
                services.AddPooledDbContextFactory<NehrDbContext>(db =>
                {
                    if (postgres is null)
                    {
                        db.Use(DatabaseProviders.Sqlite, $"Data Source={Path.Combine(directory, "appends.db")}", directory)
                            .AddInterceptors(new SynchronousInterceptor("FULL"));
                    }
                    else
                    {
                        db.Use(DatabaseProviders.PostgreSql, postgres.ToString(), directory);
                    }
                });
                return services.BuildServiceProvider();
            }

            await using var provider = Instance();
            var factory = provider.GetRequiredService<IDbContextFactory<NehrDbContext>>();
            await using (var db = await factory.CreateDbContextAsync())
            {
                if (postgres is null)
                {
                    // As the portal migrates (DatabaseInitializer): one open connection, with the function a migration calls.
                    await db.Database.OpenConnectionAsync();
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
                    ((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection()).CreateFunction(
                        "nehr_sha256", (string? text) => text is null ? null : Nehr.Core.Records.ClinicalEntry.HashOf(text));
                }

                await db.Database.MigrateAsync();
                await AuditTrail.AddChainsAsync(db, chains);
            }

            var where = postgres is null ? "SQLite (WAL, synchronous=FULL)" : $"PostgreSQL on {postgres.Host}:{postgres.Port} ({await SettingAsync(factory, "fsync")} fsync, synchronous_commit {await SettingAsync(factory, "synchronous_commit")})";
            Console.WriteLine($"Audit appends of reads: {callers} concurrent requests, one event each, each waiting for durability; {seconds:0} s per way; {chains} audit chain{(chains == 1 ? "" : "s")}; {where}.");
            var trail = new AuditTrail(TimeProvider.System);

            var single = await MeasureAsync(callers, seconds, async (_, entry) =>
            {
                await using var db = await factory.CreateDbContextAsync();
                await using var transaction = await db.BeginWriteTransactionAsync();
                await trail.AppendAsync(db, entry);
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            });
            Print("one transaction per event", single, null);

            await using var appender = new AuditAppender(factory, trail, NullLogger<AuditAppender>.Instance, chains);
            var grouped = await MeasureAsync(callers, seconds, (_, entry) => appender.AppendAsync(entry));
            var (batches, events) = appender.Committed;
            Print("group commit (AuditAppender)", grouped, (batches, events));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  group commit vs one transaction per event: x{grouped.PerSecond / single.PerSecond:0.0}"));
            PrintLockTime("one instance", [appender], grouped.Seconds);

            if (instances > 1)
            {
                // N instances: their own services and pools, one database and its chains; the callers shared among them.
                var others = Enumerable.Range(0, instances).Select(_ => Instance()).ToList();
                var appenders = others.Select(p => new AuditAppender(p.GetRequiredService<IDbContextFactory<NehrDbContext>>(), trail, NullLogger<AuditAppender>.Instance, chains)).ToList();
                try
                {
                    var together = await MeasureAsync(callers, seconds, (caller, entry) => appenders[caller % instances].AppendAsync(entry));
                    var all = appenders.Select(a => a.Committed).Aggregate((a, b) => (a.Batches + b.Batches, a.Events + b.Events));
                    Print($"{instances} instances, group commit each", together, all);
                    PrintLockTime($"{instances} instances", appenders, together.Seconds);
                }
                finally
                {
                    foreach (var a in appenders)
                    {
                        await a.DisposeAsync();
                    }

                    foreach (var p in others)
                    {
                        await p.DisposeAsync();
                    }
                }
            }

            await using (var db = await factory.CreateDbContextAsync())
            {
                var verification = await AuditTrail.VerifyAsync(db);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  trail: {(verification.Intact ? "intact" : "BROKEN: " + verification.Problem)}, {verification.EventsChecked:N0} events verified"));
                var perChain = await db.AuditChainHeads.OrderBy(h => h.Id).Select(h => h.LastPosition).ToListAsync();
                Console.WriteLine($"  events per chain: {string.Join(", ", perChain.Select(p => p.ToString("N0", CultureInfo.InvariantCulture)))}");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            if (postgres is not null)
            {
                await NationalBenchmark.ExecuteOnServerAsync(server!, $"DROP DATABASE IF EXISTS \"{postgres.Database}\" WITH (FORCE)");
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed record Result(long Count, double Seconds, double[] LatencyMs)
    {
        public double PerSecond => Count / Seconds;
    }

    /// <summary>
    /// The chain head's lock time per event, measured (granted to committed, summed over the instances' batches), and
    /// what it means on paper: one chain takes at most 1 / (lock time per event), K independent chains K times that
    /// (as long as the database's own work, which this does not bound, keeps up).
    /// </summary>
    private static void PrintLockTime(string who, IReadOnlyList<AuditAppender> appenders, double seconds)
    {
        var held = appenders.Sum(a => a.ChainHeadHeld.TotalSeconds);
        var events = appenders.Sum(a => a.Committed.Events);
        if (events == 0)
        {
            return;
        }

        var perEvent = held / events;
        var ceiling = 1 / perEvent;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {who}: chain head held {held:0.00} s of {seconds:0.0} s ({held / seconds:P0}); lock time per event {perEvent * 1e6:0.0} µs; one chain at most {ceiling:N0} events/s; chains for 20,000 events/s: {Math.Ceiling(20_000 / ceiling):0}"));
    }

    /// <summary><paramref name="callers"/> loops, each appending one event and waiting for it, for the given time.</summary>
    private static async Task<Result> MeasureAsync(int callers, double seconds, Func<int, AuditEntry, Task> append)
    {
        // A short warm-up: connections opened, statements prepared.
        await Task.WhenAll(Enumerable.Range(0, callers).Select(i => append(i, Entry())));
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        var loops = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var mine = new List<double>();
            while (clock.Elapsed < until)
            {
                var started = Stopwatch.GetTimestamp();
                await append(caller, Entry());
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            foreach (var l in mine)
            {
                latencies.Add(l);
            }
        })).ToList();
        await Task.WhenAll(loops);
        var elapsed = clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        return new Result(sorted.Length, elapsed, sorted);
    }

    private static void Print(string way, Result result, (long Batches, long Events)? batches)
    {
        static double At(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        var perBatch = batches is { } b && b.Batches > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {b.Batches:N0} commits, {(double)b.Events / b.Batches:0.0} events per commit") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {way}: {result.PerSecond:N0} events/s ({result.Count:N0} in {result.Seconds:0.0} s); wait p50 {At(result.LatencyMs, 0.5):0.0} ms, p95 {At(result.LatencyMs, 0.95):0.0} ms, p99 {At(result.LatencyMs, 0.99):0.0} ms{perBatch}"));
    }

    private static int _n;

    private static AuditEntry Entry() => ReadEntry(Interlocked.Increment(ref _n));

    /// <summary>A clinician's record read of patient <paramref name="patientId"/>, as the gate records it.</summary>
    internal static AuditEntry ReadEntry(int patientId) => new()
    {
        EventType = AuditEventTypes.RecordRead,
        CorrelationId = Guid.NewGuid().ToString("N"),
        ActorUserId = "bench-user",
        ActorPersonnelId = 1,
        ActorProviderId = 1,
        ActorRole = "Doctor",
        PatientId = patientId,
        Level = AccessLevel.Full,
        Reason = nameof(DecisionReason.NoRestriction),
        ClientAddress = "127.0.0.1",
        Details = "purpose=TREAT; view=open",
    };

    private static async Task<string> SettingAsync(IDbContextFactory<NehrDbContext> factory, string name)
    {
        await using var db = await factory.CreateDbContextAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SHOW {name}";
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "?";
    }
}
