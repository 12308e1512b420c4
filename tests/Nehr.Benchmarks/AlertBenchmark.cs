using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nehr.BulkData;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Oversight;

namespace Nehr.Benchmarks;

/// <summary>
/// The alert scanner on a national-size trail: how fast it judges a backlog, and its lag behind a steady stream of
/// audit events (goal: keeps up with 2,000 events/s, lag p95 ≤ 5 s).
/// </summary>
internal static class AlertBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var scale = Option(args, "--scale", 1.0);
        var seconds = Option(args, "--seconds", 60.0);
        var rate = (int)Option(args, "--rate", 2000.0);
        var backlogEvents = (long)Option(args, "--backlog", 1_000_000.0);
        var withoutCare = (int)Option(args, "--without-care", 1.0);
        var patients = (int)(1_000_000 * scale);
        var auditEvents = (long)(10_000_000 * scale);
        var directory = Path.Combine(Path.GetTempPath(), "nehr-alerts", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "nehr.db");
        Line($"Alert scanner on a national-size trail: {patients:N0} patients, {auditEvents:N0} audit events (SQLite {database})");

        await using (var portal = new KestrelPortal(database))
        {
            portal.UseKestrel(0);
            portal.StartServer();
            IReadOnlyDictionary<int, IReadOnlyList<(int PersonnelId, string UserId)>> staff;
            var generation = Stopwatch.StartNew();
            await using (var scope = portal.Services.CreateAsyncScope())
            await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<NehrDbContext>>().CreateDbContextAsync())
            {
                var loader = new BulkDataLoader(db, TimeProvider.System);
                // The trail is what the scanner reads: a national one, with one entry per patient (the rules read only
                // when a provider last contributed), which keeps the generation to a few minutes.
                await loader.LoadAsync(patients, 1, auditEvents, message => Console.WriteLine("  " + message));
                staff = loader.Staff;

                // A care context for all patients but --without-care in 100 (1): the generated entry becomes a
                // contribution of the patient's registered provider when the registration began, as a clinic's first
                // visit note would be. Without it (--without-care 100) nearly every generated read is a "no sign of
                // care" case, which no national trail is; that stress is what the option measures.
                var updated = await db.Database.ExecuteSqlAsync(
                    $"""
                    UPDATE ClinicalEntries SET
                        SourceProviderId = (SELECT r.ProviderId FROM CareRegistrations r WHERE r.PatientId = ClinicalEntries.PatientId),
                        ContributedAtUtc = (SELECT r.RegisteredAtUtc FROM CareRegistrations r WHERE r.PatientId = ClinicalEntries.PatientId)
                    WHERE PatientId % 100 >= {withoutCare} AND EXISTS (SELECT 1 FROM CareRegistrations r WHERE r.PatientId = ClinicalEntries.PatientId)
                    """);
                Line($"  care context: {updated:N0} patients' entry contributed by their registered provider (--without-care {withoutCare} in 100)");
            }

            Line($"  generated in {generation.Elapsed.TotalSeconds:0} s");
            var scanner = portal.Services.GetRequiredService<AlertScanner>();
            var contexts = portal.Services.GetRequiredService<IDbContextFactory<NehrDbContext>>();
            var every = portal.Services.GetRequiredService<IOptions<AlertOptions>>().Value.ScanEverySeconds;

            // Backlog: the last --backlog events of the trail (1,000,000, a tenth of it at full scale), judged as fast as it can.
            long head;
            await using (var db = await contexts.CreateDbContextAsync())
            {
                head = await db.AuditChainHeads.Select(h => h.LastPosition).SingleAsync();
                var backlog = Math.Min(backlogEvents, head);
                // One chain on SQLite: an event's position is its number.
                var from = head - backlog;
                await db.Database.ExecuteSqlAsync($"UPDATE AlertScanState SET LastSequence = {from}, Positions = {"1:" + from.ToString(CultureInfo.InvariantCulture)}");
                var catchUp = Stopwatch.StartNew();
                var judged = await scanner.ScanAsync();
                catchUp.Stop();
                var cases = await db.AlertCases.CountAsync();
                Line($"  backlog: {judged:N0} events judged in {catchUp.Elapsed.TotalSeconds:0.0} s = {judged / catchUp.Elapsed.TotalSeconds:N0} events/s ({cases:N0} cases raised)");
                var byRule = await db.AlertCases.GroupBy(c => c.Rule).Select(g => new { g.Key, Count = g.Count() }).OrderByDescending(g => g.Count).ToListAsync();
                Line($"  cases by rule: {string.Join(", ", byRule.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Count:N0}")))}");
            }

            // Steady stream: reads of registered patients by their providers' staff, appended through the audit trail
            // in transactions of 100 events, at the rate asked; the scanner runs as in the portal, every ScanEverySeconds (2 s).
            var pairs = await RegisteredPairsAsync(contexts, staff);
            var committed = new ConcurrentQueue<(long Last, long At)>();
            var scanned = new ConcurrentQueue<(long Last, long At)>();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            var clock = Stopwatch.StartNew();
            var writer = Task.Run(() => WriteAsync(portal, contexts, pairs, staff, rate, committed, clock, stop.Token));
            var reader = Task.Run(async () =>
            {
                // As the portal's scanner: a scan catches up batch by batch (it returns only when nothing is left),
                // then waits for the next tick.
                while (!stop.IsCancellationRequested)
                {
                    await scanner.ScanAsync();
                    await Delay(TimeSpan.FromSeconds(every), stop.Token);
                }
            });

            // Where the scanner has reached, read every 20 ms: each of its batches commits its position.
            using var watching = new CancellationTokenSource();
            var watcher = Task.Run(async () =>
            {
                while (!watching.IsCancellationRequested)
                {
                    await using (var db = await contexts.CreateDbContextAsync())
                    {
                        scanned.Enqueue((await db.AlertScanStates.Select(s => s.LastSequence).SingleAsync(), clock.ElapsedTicks));
                    }

                    await Delay(TimeSpan.FromMilliseconds(20), watching.Token);
                }
            });
            var written = await writer;
            await reader;
            await scanner.ScanAsync();
            await watching.CancelAsync();
            await watcher;
            await using (var db = await contexts.CreateDbContextAsync())
            {
                scanned.Enqueue((await db.AlertScanStates.Select(s => s.LastSequence).SingleAsync(), clock.ElapsedTicks));
            }

            // Each batch's lag: from its commit to the first moment the scanner's position was seen past it.
            var scans = scanned.ToList();
            var lags = committed.Select(c => (double)(scans.First(s => s.Last >= c.Last).At - c.At) / Stopwatch.Frequency).Order().ToList();
            Line($"  stream: {written:N0} events in {seconds:0} s = {written / seconds:N0} events/s asked {rate:N0}/s; lag from commit to judged p50 {Percentile(lags, 0.5):0.00} s, p95 {Percentile(lags, 0.95):0.00} s, max {lags[^1]:0.00} s (goal p95 <= 5 s)");
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private static async Task<IReadOnlyList<(int PatientId, int ProviderId)>> RegisteredPairsAsync(
        IDbContextFactory<NehrDbContext> contexts, IReadOnlyDictionary<int, IReadOnlyList<(int PersonnelId, string UserId)>> staff)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var providers = staff.Keys.ToList();
        return (await db.CareRegistrations.AsNoTracking().Where(r => r.EndedAtUtc == null && providers.Contains(r.ProviderId))
                .OrderBy(r => r.Id).Take(50_000).Select(r => new { r.PatientId, r.ProviderId }).ToListAsync())
            .Select(r => (r.PatientId, r.ProviderId)).ToList();
    }

    private static async Task<long> WriteAsync(
        KestrelPortal portal, IDbContextFactory<NehrDbContext> contexts, IReadOnlyList<(int PatientId, int ProviderId)> pairs,
        IReadOnlyDictionary<int, IReadOnlyList<(int PersonnelId, string UserId)>> staff, int rate,
        ConcurrentQueue<(long Last, long At)> committed, Stopwatch clock, CancellationToken stop)
    {
        const int perTransaction = 100;
        var audit = portal.Services.GetRequiredService<AuditTrail>();
        var random = new Random(11);
        long written = 0;
        var started = clock.Elapsed;
        while (!stop.IsCancellationRequested)
        {
            // Open loop: each batch is due at its time, whatever the last one took.
            var due = started + TimeSpan.FromSeconds((double)written / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, CancellationToken.None);
            }

            await using var db = await contexts.CreateDbContextAsync();
            await using var transaction = await db.BeginWriteTransactionAsync();
            AuditEvent? last = null;
            for (var i = 0; i < perTransaction; i++)
            {
                var (patientId, providerId) = pairs[random.Next(pairs.Count)];
                var people = staff[providerId];
                var (personnelId, userId) = people[random.Next(people.Count)];
                last = await audit.AppendAsync(db, new AuditEntry
                {
                    EventType = AuditEventTypes.RecordRead, CorrelationId = Guid.NewGuid().ToString("N"), ActorUserId = userId,
                    ActorPersonnelId = personnelId, ActorProviderId = providerId, ActorRole = "Doctor", PatientId = patientId,
                    Level = AccessLevel.Full, Details = "purpose=TREAT; kind=all",
                });
            }

            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            committed.Enqueue((last!.Sequence, clock.ElapsedTicks));
            written += perTransaction;
        }

        return written;
    }

    private static async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static double Option(string[] args, string name, double fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static void Line(FormattableString text) => Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));
}
