using Microsoft.Extensions.Configuration;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.BulkData;
using Nehr.Core.Oversight;
using Npgsql;

namespace Nehr.Benchmarks;

/// <summary>
/// Issue 9: the portal at national scale. One command generates the dataset (1,000,000 patients, 10,000,000 entries,
/// 10,000,000 audit events by default), starts the real portal on it (Kestrel on 127.0.0.1) and measures record
/// opens through the gate, access-history pages, audit searches, contribution over HTTP and memory per interactive
/// circuit, each next to the naive approach it replaced, with the ratio.
/// <c>dotnet run -c Release --project tests/Nehr.Benchmarks -- national [--scale 0.1] [--seconds 10] [--circuits 100] [--only opens] [--postgres "Host=...;Username=..."]</c>
/// With --postgres the portal runs on a new database of that PostgreSQL server (dropped at the end); the comparisons
/// that concern SQLite's own mechanics (writer queue, WAL checkpointer) are not run there.
/// </summary>
internal static class NationalBenchmark
{
    private const int NaivePatients = 2_000;

    public static async Task RunAsync(string[] args)
    {
        var scale = Option(args, "--scale", 1.0);
        var seconds = Option(args, "--seconds", 10.0);
        var patients = (int)(1_000_000 * scale);
        const int entriesPerPatient = 10;
        var auditEvents = (long)(10_000_000 * scale);
        var directory = Path.Combine(Path.GetTempPath(), "nehr-national", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var server = OptionText(args, "--postgres");
        var postgres = server is null ? null : new NpgsqlConnectionStringBuilder(server) { Database = $"nehr_national_{Guid.NewGuid():N}" };
        var database = postgres?.ToString() ?? Path.Combine(directory, "nehr.db");
        OnPostgreSql = postgres is not null;
        if (postgres is not null)
        {
            await ExecuteOnServerAsync(server!, $"CREATE DATABASE \"{postgres.Database}\"");
        }

        var where = postgres is null ? $"SQLite {database}" : $"PostgreSQL {await ServerVersionAsync(server!)}, database {postgres.Database} on {postgres.Host}:{postgres.Port}";
        Line($"NEHR at national scale: {patients:N0} patients, {patients * (long)entriesPerPatient:N0} clinical entries, {auditEvents:N0} audit events ({where})");

        await using var portal = postgres is null ? new KestrelPortal(database) : new KestrelPortal(database, DatabaseProviders.PostgreSql);
        portal.UseKestrel(0);
        portal.StartServer();
        var report = await GenerateAsync(portal, patients, entriesPerPatient, auditEvents);
        var world = await World.LoadAsync(portal, report.Staff);

        // --only opens|history|search|contribution|circuits: one part (the data is generated all the same).
        var only = OptionText(args, "--only");
        if (only is null or "opens")
        {
            await RecordOpensAsync(portal, world, TimeSpan.FromSeconds(seconds));
        }

        if (only is null or "history")
        {
            await HistoryAsync(portal, world);
        }

        if (only is null or "search")
        {
            await AuditSearchAsync(portal, world);
        }

        if (only is null or "contribution")
        {
            await ContributionBenchmark.RunOnAsync(portal.CreateClient(), world.People, bundles: 200, concurrencies: [1, 4, 8]);
        }

        if (only is null or "circuits")
        {
            await CircuitMemory.RunAsync(portal, Option(args, "--circuits", 100));
        }

        await portal.DisposeAsync();
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        if (postgres is not null)
        {
            await ExecuteOnServerAsync(server!, $"DROP DATABASE IF EXISTS \"{postgres.Database}\" WITH (FORCE)");
        }
    }

    private static bool OnPostgreSql { get; set; }

    internal static async Task ExecuteOnServerAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ServerVersionAsync(string server)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        return connection.ServerVersion;
    }

    // ---------------------------------------------------------------- generation

    private sealed record Generated(IReadOnlyDictionary<int, IReadOnlyList<(int PersonnelId, string UserId)>> Staff);

    private static async Task<Generated> GenerateAsync(KestrelPortal portal, int patients, int entriesPerPatient, long auditEvents)
    {
        Line($"Generating (demo generator; the naive loader is EF Core change tracking, 1,000 patients per SaveChanges):");
        await using var scope = portal.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;

        // The naive way, for a sample: EF entities and SaveChanges.
        var naive = Stopwatch.StartNew();
        await services.GetRequiredService<SyntheticDataLoader>().AddPatientsAsync(NaivePatients, entriesPerPatient);
        naive.Stop();
        var naiveRowsPerSecond = NaivePatients * (2.0 + entriesPerPatient) / naive.Elapsed.TotalSeconds;

        await using var db = await services.GetRequiredService<IDbContextFactory<NehrDbContext>>().CreateDbContextAsync();
        var loader = new BulkDataLoader(db, TimeProvider.System);
        var total = Stopwatch.StartNew();
        var report = await loader.LoadAsync(patients - NaivePatients, entriesPerPatient, auditEvents, message => Console.WriteLine($"  " + message));
        total.Stop();
        var bulkRows = (patients - NaivePatients) * 2.0 + report.Entries;
        var bulkRowsPerSecond = bulkRows / (report.PatientsTime + report.EntriesTime).TotalSeconds;
        Line($"  generation took {total.Elapsed.TotalSeconds:0} s in all ({total.Elapsed.TotalMinutes:0.0} min, indexes included)");
        Line($"  patients + registrations + entries: bulk {bulkRowsPerSecond:N0} rows/s vs naive EF {naiveRowsPerSecond:N0} rows/s ({NaivePatients:N0}-patient sample): x{bulkRowsPerSecond / naiveRowsPerSecond:0.0}");
        Line($"  audit events: {report.AuditEvents / report.AuditTime.TotalSeconds:N0} events/s, each hashed and chained");
        return new Generated(loader.Staff);
    }

    // ---------------------------------------------------------------- record opens

    private sealed record World(
        IReadOnlyList<(int PatientId, int ProviderId)> Registered, IReadOnlyDictionary<int, IReadOnlyList<(int PersonnelId, string UserId)>> Staff,
        IReadOnlyList<string> PatientUserIds, string AuditorUserId, IReadOnlyList<string> Nrics, IReadOnlyList<BenchPerson> People)
    {
        public static async Task<World> LoadAsync(KestrelPortal portal, IReadOnlyDictionary<int, IReadOnlyList<(int, string)>> staff)
        {
            await using var db = await portal.Services.GetRequiredService<IDbContextFactory<NehrDbContext>>().CreateDbContextAsync();
            var random = new Random(7);
            var maxId = await db.Patients.MaxAsync(p => p.Id);
            var sample = Enumerable.Range(0, 5_000).Select(_ => random.Next(1, maxId + 1)).Distinct().ToList();
            var providers = staff.Keys.ToHashSet();
            var registered = (await db.CareRegistrations.AsNoTracking()
                    .Where(r => sample.Contains(r.PatientId) && r.EndedAtUtc == null)
                    .Select(r => new { r.PatientId, r.ProviderId }).ToListAsync())
                .Where(r => providers.Contains(r.ProviderId)).Select(r => (r.PatientId, r.ProviderId)).ToList();

            // Patient accounts for 200 of them, for their access history.
            var roleId = await db.Roles.Where(r => r.Name == Nehr.Core.Identity.Roles.Patient).Select(r => r.Id).SingleAsync();
            var taken = (await db.Users.Where(u => u.PatientId != null).Select(u => u.PatientId!.Value).ToListAsync()).ToHashSet();
            var withAccounts = registered.Select(r => r.PatientId).Distinct().Where(id => !taken.Contains(id)).Take(200).ToList();
            var userIds = new List<string>();
            foreach (var patientId in withAccounts)
            {
                var email = $"bulk.patient.{patientId}@nehr.bench";
                var user = new ApplicationUser
                {
                    Id = Guid.NewGuid().ToString(), UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email,
                    NormalizedEmail = email.ToUpperInvariant(), DisplayName = "Bulk patient", PatientId = patientId,
                    SecurityStamp = Guid.NewGuid().ToString("N"),
                };
                db.Users.Add(user);
                db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = roleId });
                userIds.Add(user.Id);
            }

            // A provider a patient is registered with has read their record before: the opens measured are the
            // everyday kind. (A provider's first read also tells the patient, in a write transaction of its own: it
            // is rare in the trail, and had it been left in, it would be most of the benchmark's first opens.)
            var accessedBefore = DateTime.UtcNow.AddDays(-30);
            db.PatientProviderAccesses.AddRange(registered.Distinct().Select(r => new PatientProviderAccess(r.PatientId, r.ProviderId, accessedBefore)));
            await db.SaveChangesAsync();
            var auditor = await db.Users.Where(u => u.Email == DemoAccounts.Auditor).Select(u => u.Id).SingleAsync();
            var people = await db.Patients.Where(p => sample.Contains(p.Id)).OrderBy(p => p.Id).Take(200)
                .Select(p => new { p.Nric, p.Name, p.DateOfBirth, p.Sex }).ToListAsync();
            return new World(registered, staff, userIds, auditor, people.Select(p => p.Nric.Value).ToList(),
                people.Select(p => new BenchPerson(p.Nric.Value, p.Name, p.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.Sex.ToString())).ToList());
        }
    }

    private static async Task RecordOpensAsync(KestrelPortal portal, World world, TimeSpan duration)
    {
        Line($"Record open through the gate (decision and read in one snapshot, then the audit event, durable before the view returns), in the portal process.");
        Line($"Grouped = the reads' events committed in groups (AuditAppender); one each = each read's event in a write transaction of its own (with the writer lock).");
        Line($"  Capacity (closed loop: N callers, each opening records back to back):");

        // Warm up both ways (JIT, connection pool, page cache) before anything is counted.
        await ClosedLoopAsync(portal, world, 8, TimeSpan.FromSeconds(3), grouped: true);
        await ClosedLoopAsync(portal, world, 8, TimeSpan.FromSeconds(3), grouped: false);

        foreach (var callers in new[] { 1, 8, 32, 64 })
        {
            var grouped = await ClosedLoopAsync(portal, world, callers, duration, grouped: true);
            var single = await ClosedLoopAsync(portal, world, callers, duration, grouped: false);
            Line($"    {callers,2} caller(s): grouped {grouped.PerSecond,5:N0} opens/s, p95 {grouped.P95:0.0} ms, cpu {grouped.CpuMsPerOpen:0.00} ms/open; one each {single.PerSecond:N0}/s, p95 {single.P95:0.0} ms, cpu {single.CpuMsPerOpen:0.00} ms/open; x{grouped.PerSecond / single.PerSecond:0.00}");
        }

        Line($"  Latency at a steady rate (open loop: opens start on schedule whatever the others do; latency from the scheduled start):");
        foreach (var rate in OnPostgreSql ? new[] { 500, 800, 1_000 } : new[] { 500, 1_000, 1_200, 1_500 })
        {
            Line($"    {rate} opens/s: grouped  {await OpenLoopAsync(portal, world, rate, duration, grouped: true)}");
        }

        Line($"    500 opens/s: one each {await OpenLoopAsync(portal, world, 500, duration, grouped: false)}");
        GroupCommit(portal, true);
    }

    /// <summary>The auditors' search as it was: every match counted, ordered by sequence.</summary>
    private static AuditSearch CountingEveryMatch(IServiceProvider services) => new(
        services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<NehrDbContext>>(),
        services.GetRequiredService<Nehr.Core.Commands.Commands>(),
        Microsoft.Extensions.Options.Options.Create(new AuditSearchOptions { CountEveryMatch = true }),
        services.GetRequiredService<Nehr.Core.Audit.AuditIntegrity>());

    /// <summary>Switches the running portal's reads to the group commit of their events, or to a transaction each, through its settings.</summary>
    private static void GroupCommit(KestrelPortal portal, bool grouped)
    {
        var settings = (IConfigurationRoot)portal.Services.GetRequiredService<IConfiguration>();
        settings["Nehr:Data:GroupCommitReads"] = grouped ? "true" : "false";
        settings.Reload();
    }

    private sealed record Latencies(int Count, double PerSecond, double P50, double P95, double P99)
    {
        /// <summary>CPU time of this process (portal, SQLite, load generator; not a PostgreSQL server's) per open.</summary>
        public double CpuMsPerOpen { get; init; }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Count:N0} opens, {PerSecond:N0}/s done, p50 {P50:0.0} ms, p95 {P95:0.0} ms, p99 {P99:0.0} ms");
    }

    private static async Task OpenOneAsync(KestrelPortal portal, World world, Random random)
    {
        (int PatientId, int ProviderId) pick;
        string userId;
        lock (random)
        {
            pick = world.Registered[random.Next(world.Registered.Count)];
            var staff = world.Staff[pick.ProviderId];
            userId = staff[random.Next(staff.Count)].UserId;
        }

        await using var scope = portal.Services.CreateAsyncScope();
        var view = await scope.ServiceProvider.GetRequiredService<RecordGate>().OpenAsync(
            new RecordRequest(new AuditContext(userId, "127.0.0.1", Guid.NewGuid().ToString("N")), pick.PatientId, PurposeOfUse.Treatment));
        if (view.Decision.Level == AccessLevel.Denied)
        {
            throw new InvalidOperationException($"The benchmark's reads must be allowed: {view.Decision.Reason}");
        }
    }

    private static async Task<Latencies> ClosedLoopAsync(KestrelPortal portal, World world, int callers, TimeSpan duration, bool grouped)
    {
        GroupCommit(portal, grouped);
        var latencies = new List<double>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var random = new Random(caller);
            while (stopwatch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await OpenOneAsync(portal, world, random);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(ms);
                }
            }
        })));
        var elapsed = stopwatch.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return Summarise(latencies, elapsed) is var summary && summary.Count > 0
            ? summary with { CpuMsPerOpen = used.TotalMilliseconds / summary.Count }
            : summary;
    }

    /// <summary>Opens at a fixed rate, each timed from when it was due (so waiting to start counts: no coordinated omission).</summary>
    private static async Task<Latencies> OpenLoopAsync(KestrelPortal portal, World world, int perSecond, TimeSpan duration, bool grouped)
    {
        GroupCommit(portal, grouped);
        var random = new Random(perSecond);
        var latencies = new List<double>();
        var running = new List<Task>();
        var interval = TimeSpan.FromSeconds(1.0 / perSecond);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; stopwatch.Elapsed < duration; i++)
        {
            var due = interval * i;
            var wait = due - stopwatch.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            running.Add(Task.Run(async () =>
            {
                await OpenOneAsync(portal, world, random);
                var ms = (stopwatch.Elapsed - due).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(ms);
                }
            }));
        }

        await Task.WhenAll(running);
        return Summarise(latencies, stopwatch.Elapsed);
    }

    // ---------------------------------------------------------------- access history and audit search

    private static async Task HistoryAsync(KestrelPortal portal, World world)
    {
        Line($"A patient's access history, first page of 25 with the total (goal p95 <= 20 ms):");
        var latencies = new List<double>();
        foreach (var userId in world.PatientUserIds)
        {
            latencies.Add(await TimeAsync(portal, s => s.GetRequiredService<AccessHistory>().PageAsync(
                new AuditContext(userId, "127.0.0.1", "bench"), new HistoryFilter(), 1, 25)));
        }

        var indexed = Summarise(latencies, TimeSpan.Zero);
        Line($"  with the covering index:   p50 {indexed.P50:0.00} ms, p95 {indexed.P95:0.00} ms, p99 {indexed.P99:0.00} ms ({indexed.Count} patients)");

        // The naive query: the same page and count, without an index on the patient (a full scan of the trail).
        var patientIds = await PatientIdsAsync(portal, world.PatientUserIds.Take(3));
        var naive = new List<double>();
        foreach (var patientId in patientIds)
        {
            var where = $"""WHERE "PatientId" = {patientId} AND "EventType" IN ('record.read', 'override.granted')""";
            naive.Add(await RawAsync(portal, OnPostgreSql
                ? "SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off;" +
                  $"""SELECT COUNT(*) FROM "AuditEvents" {where}; SELECT * FROM "AuditEvents" {where} ORDER BY "OccurredAtUtc" DESC LIMIT 25;""" +
                  "RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan;"
                : $"""SELECT COUNT(*) FROM "AuditEvents" NOT INDEXED {where}; SELECT * FROM "AuditEvents" NOT INDEXED {where} ORDER BY "OccurredAtUtc" DESC LIMIT 25"""));
        }

        var scan = naive.Average();
        Line($"  naive (no index, full scan): {scan:0} ms per page ({naive.Count} patients): x{scan / indexed.P50:N0} slower than the indexed p50");
    }

    private static async Task AuditSearchAsync(KestrelPortal portal, World world)
    {
        Line($"Auditor's search over the whole trail, first page of 50 with the count (goal p95 <= 200 ms; the count stops at {AuditSearch.CountLimit:N0}):");
        var auditor = new AuditContext(world.AuditorUserId, "127.0.0.1", "bench");
        var random = new Random(11);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var shapes = new (string Name, Func<AuditQuery> Query)[]
        {
            ("by patient NRIC", () => new AuditQuery(PatientNric: world.Nrics[random.Next(world.Nrics.Count)])),
            ("by provider, one month", () =>
            {
                var month = today.AddMonths(-random.Next(1, 23));
                return new AuditQuery(ProviderId: world.Staff.Keys.ElementAt(random.Next(world.Staff.Count)), From: month, To: month.AddMonths(1));
            }),
            ("by person (name)", () => new AuditQuery(Person: $"Bulk Clinician {world.Staff.Keys.ElementAt(random.Next(world.Staff.Count))}-{random.Next(BulkDataLoader.StaffPerProvider)}")),
            ("by event type, one week", () =>
            {
                var week = today.AddDays(-random.Next(7, 700));
                return new AuditQuery(EventType: AuditEventTypes.RecordRead, From: week, To: week.AddDays(7));
            }),
            ("everything, newest first", () => new AuditQuery()),
        };
        foreach (var (name, query) in shapes)
        {
            var latencies = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var q = query();
                latencies.Add(await TimeAsync(portal, s => s.GetRequiredService<AuditSearch>().SearchAsync(auditor, q, 1)));
            }

            var figures = Summarise(latencies, TimeSpan.Zero);
            var naive = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var q = query();
                naive.Add(await TimeAsync(portal, s => CountingEveryMatch(s).SearchAsync(auditor, q, 1)));
            }

            var before = Summarise(naive, TimeSpan.Zero);
            Line($"  {name,-26} p50 {figures.P50,7:0.0} ms, p95 {figures.P95,7:0.0} ms; naive (count all, by sequence) p50 {before.P50,7:0.0} ms, max {naive.Max(),7:0.0} ms: x{before.P50 / figures.P50:0.0}");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<double> TimeAsync<T>(KestrelPortal portal, Func<IServiceProvider, Task<T>> call)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var started = Stopwatch.GetTimestamp();
        await call(scope.ServiceProvider);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task<double> RawAsync(KestrelPortal portal, string sql)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<NehrDbContext>>().CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        var started = Stopwatch.GetTimestamp();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            do
            {
                while (await reader.ReadAsync())
                {
                }
            }
            while (await reader.NextResultAsync());
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task<List<int>> PatientIdsAsync(KestrelPortal portal, IEnumerable<string> userIds)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<NehrDbContext>>().CreateDbContextAsync();
        var ids = userIds.ToList();
        return await db.Users.Where(u => ids.Contains(u.Id)).Select(u => u.PatientId!.Value).ToListAsync();
    }

    private static Latencies Summarise(List<double> latencies, TimeSpan elapsed)
    {
        latencies.Sort();
        double At(double p) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        return new Latencies(latencies.Count, elapsed > TimeSpan.Zero ? latencies.Count / elapsed.TotalSeconds : 0, At(0.50), At(0.95), At(0.99));
    }

    internal static double Option(string[] args, string name, double fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    internal static int Option(string[] args, string name, int fallback) => (int)Option(args, name, (double)fallback);

    internal static string? OptionText(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    internal static void Line(FormattableString text) => Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));
}
