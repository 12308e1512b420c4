using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Data.Demo;

namespace Nehr.Integration.Tests;

public sealed class SyntheticDataTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    [Fact]
    public async Task The_generator_adds_a_large_population_in_batches_with_unique_nrics()
    {
        _ = _portal.Server;
        await using (var scope = _portal.Services.CreateAsyncScope())
        {
            var loader = scope.ServiceProvider.GetRequiredService<SyntheticDataLoader>();
            await loader.AddPatientsAsync(SyntheticDataLoader.BatchSize * 2 + 500, entriesPerPatient: 6);
        }

        await using var db = _portal.CreateDbContext();
        var expected = DemoDataSeeder.DemoPatientCount + SyntheticDataLoader.BatchSize * 2 + 500;
        Assert.Equal(expected, await db.Patients.CountAsync());
        Assert.Equal(expected, await db.Patients.Select(p => p.Nric).Distinct().CountAsync());
        Assert.Equal(
            DemoDataSeeder.DemoPatientCount * DemoDataSeeder.EntriesPerDemoPatient + (expected - DemoDataSeeder.DemoPatientCount) * 6,
            await db.ClinicalEntries.CountAsync());
        Assert.Equal(0, await db.Patients.CountAsync(p => !db.CareRegistrations.Any(r => r.PatientId == p.Id)));
    }

    public void Dispose() => _portal.Dispose();
}
