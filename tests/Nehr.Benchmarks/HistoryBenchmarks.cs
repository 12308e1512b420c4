using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;
using Nehr.Core.Records;

namespace Nehr.Benchmarks;

/// <summary>A patient's access history when their record has been accessed 100,000 times (issue 5: "stays fast").</summary>
public class HistoryBenchmarks
{
    public const int Events = 100_000;

    private string _directory = null!;
    private AccessHistory _history = null!;
    private string _userId = null!;
    private int _providerId;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "nehr-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var services = new ServiceCollection();
        services.Configure<IdentityOptions>(IdentityStoreSettings.Apply);
        var path = Path.Combine(_directory, "history.db");
        services.AddDbContextFactory<NehrDbContext>(o => o.UseSqlite($"Data Source={path}"));
        var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<NehrDbContext>>();
        using (var db = factory.CreateDbContext())
        {
            db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
            db.Database.Migrate();
            var providers = Enumerable.Range(1, 20).Select(i => new Provider(ProviderCode.Parse($"P{i:D4}"), $"Provider {i}", ProviderType.GeneralPractice)).ToList();
            db.Providers.AddRange(providers);
            var patient = new Patient(Nric.Parse("S1234567D"), "Bench Patient", new DateOnly(1970, 1, 1), Sex.Female, Race.Chinese, new DateOnly(2026, 11, 24));
            var other = new Patient(Nric.Parse("T1234567J"), "Other Patient", new DateOnly(2001, 1, 1), Sex.Male, Race.Malay, new DateOnly(2026, 11, 24));
            db.Patients.AddRange(patient, other);
            db.SaveChanges();
            _userId = Guid.NewGuid().ToString();
            db.Users.Add(new ApplicationUser { Id = _userId, UserName = "bench@nehr.demo", Email = "bench@nehr.demo", PatientId = patient.Id });
            db.SaveChanges();
            _providerId = providers[3].Id;
            Insert(db, patient.Id, other.Id, providers.Select(p => p.Id).ToArray());
        }

        var trail = new AuditTrail(TimeProvider.System);
        _history = new AccessHistory(factory, new Nehr.Core.Commands.Commands(
            factory, trail, new AuditAppender(factory, trail, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditAppender>.Instance), TimeProvider.System,
            new Microsoft.Extensions.Options.OptionsMonitor<Nehr.Core.Representatives.RepresentationOptions>(
                new Microsoft.Extensions.Options.OptionsFactory<Nehr.Core.Representatives.RepresentationOptions>([], []), [], new Microsoft.Extensions.Options.OptionsCache<Nehr.Core.Representatives.RepresentationOptions>()),
            new Microsoft.Extensions.Options.OptionsMonitor<NehrDataOptions>(
                new Microsoft.Extensions.Options.OptionsFactory<NehrDataOptions>([], []), [], new Microsoft.Extensions.Options.OptionsCache<NehrDataOptions>())));
    }

    /// <summary>100,000 accesses to the patient's record (and as many to another's), spread over two years, by SQL in one transaction.</summary>
    private static void Insert(NehrDbContext db, int patientId, int otherId, int[] providerIds)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO AuditEvents (Sequence, EventType, OccurredAtUtc, ActorUserId, ActorPersonnelId, ActorProviderId, ActorRole,
                PatientId, Level, IsOverride, Reason, Outcome, CorrelationId, PreviousHash, Hash)
            VALUES ($seq, 'record.read', $at, 'u', $person, $provider, 'Doctor', $patient, $level, $override, 'NoRestriction', $outcome, 'c', '', '')
            """;
        var p = new[] { "$seq", "$at", "$person", "$provider", "$patient", "$level", "$override", "$outcome" }
            .Select(n => command.Parameters.Add(n, SqliteType.Text)).ToArray();
        var random = new Random(5);
        var start = new DateTime(2024, 11, 24, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 1; i <= Events * 2; i++)
        {
            var denied = random.Next(20) == 0;
            p[0].Value = i;
            p[1].Value = start.AddMinutes(i * 5.0).ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture);
            p[2].Value = random.Next(1, 500);
            p[3].Value = providerIds[random.Next(providerIds.Length)];
            p[4].Value = i % 2 == 0 ? patientId : otherId;
            p[5].Value = denied ? "Denied" : random.Next(4) == 0 ? "BasicSetOnly" : "Full";
            p[6].Value = random.Next(200) == 0 ? 1 : 0;
            p[7].Value = denied ? "Denied" : "Success";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "history first page, no filter")]
    public Task<HistoryPage> FirstPage() => _history.PageAsync(new AuditContext(_userId, null, "benchmark"), new HistoryFilter(), 1, 25);

    [Benchmark(Description = "history first page, one provider")]
    public Task<HistoryPage> OneProvider() => _history.PageAsync(new AuditContext(_userId, null, "benchmark"), new HistoryFilter(ProviderId: _providerId), 1, 25);

    [Benchmark(Description = "history first page, refused attempts in one month")]
    public Task<HistoryPage> DeniedInAMonth() =>
        _history.PageAsync(new AuditContext(_userId, null, "benchmark"), new HistoryFilter(new DateOnly(2025, 6, 1), new DateOnly(2025, 6, 30), null, HistoryLevel.Denied), 1, 25);
}
