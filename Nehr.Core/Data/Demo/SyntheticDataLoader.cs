using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Nehr.Core.Administration;

namespace Nehr.Core.Data.Demo;

/// <summary>Adds many synthetic patients (with care registrations and entries) in batches, for large datasets.</summary>
public sealed class SyntheticDataLoader(NehrDbContext db, TimeProvider clock, ILogger<SyntheticDataLoader> logger)
{
    public const int BatchSize = 1_000;

    private readonly DemoDataGenerator _generator = new();

    /// <summary>Adds patients after those already there (their generator index continues from the count).</summary>
    public async Task<int> AddPatientsAsync(int patients, int entriesPerPatient, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patients);
        ArgumentOutOfRangeException.ThrowIfNegative(entriesPerPatient);
        var stopwatch = Stopwatch.StartNew();
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var providers = await db.Providers.AsNoTracking()
            .Where(p => p.OnboardingState == OnboardingState.Onboarded)
            .OrderBy(p => p.Id)
            .ToListAsync(cancellationToken);
        if (providers.Count == 0)
        {
            throw new InvalidOperationException("Seed the provider register before adding synthetic patients.");
        }

        var sources = providers.Select(p => new DemoEntrySource(p.Id, null, p.Type)).ToList();
        var first = await db.Patients.CountAsync(cancellationToken);
        var previousDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            for (var start = 0; start < patients; start += BatchSize)
            {
                var size = Math.Min(BatchSize, patients - start);
                await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
                var batch = Enumerable.Range(first + start, size).Select(i => _generator.CreatePatient(i, today)).ToList();
                db.Patients.AddRange(batch);
                await db.SaveChangesAsync(cancellationToken);
                for (var i = 0; i < batch.Count; i++)
                {
                    var index = first + start + i;
                    var provider = providers[index % providers.Count];
                    db.CareRegistrations.Add(new CareRegistration(batch[i].Id, provider.Id, DemoDataSeeder.SeederId, now));
                    db.ClinicalEntries.AddRange(_generator.CreateEntries(batch[i].Id, index, batch[i].DateOfBirth, batch[i].Sex, sources, entriesPerPatient, now));
                }

                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = previousDetect;
        }

        logger.LogInformation(
            "Added {Patients} synthetic patients with {Entries} entries each in {Elapsed} ms.",
            patients, entriesPerPatient, stopwatch.ElapsedMilliseconds);
        return patients;
    }
}
