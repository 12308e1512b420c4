using System.Net;
using Microsoft.EntityFrameworkCore;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

/// <summary>
/// The rules a change checks hold when the same change is asked for many times at the same moment. There is no lock
/// for the whole database on PostgreSQL (the second pass of test.sh): each rule rests on its own claim or unique index
/// (<see cref="Nehr.Core.Data.DataClaim"/>), and a transaction that loses a race runs again and sees the winner. On
/// SQLite one writer at a time makes the same rules hold.
/// </summary>
public sealed class ConcurrentRuleTests : IAsyncLifetime
{
    private const int AtOnce = 6;
    private readonly FeedPortal _feed = new();

    public Task InitializeAsync() => _feed.InitializeAsync();

    public Task DisposeAsync() => _feed.DisposeAsync();

    /// <summary>Runs <paramref name="count"/> calls as close to the same moment as the machine allows.</summary>
    private static async Task<T[]> AtTheSameMomentAsync<T>(int count, Func<int, Task<T>> call)
    {
        using var start = new SemaphoreSlim(0, count);
        var calls = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await call(i);
        })).ToList();
        start.Release(count);
        return await Task.WhenAll(calls);
    }

    private static FhirPerson NewPerson(string name) => new(Fixture.NewNric(), name, new DateOnly(1979, 4, 12), Sex.Female);

    /// <summary>Two new people, enrolled by a bundle each before the race, so that the race is only about an entry; and a token.</summary>
    private async Task<(FhirPerson A, FhirPerson B, string Token)> TwoKnownPeopleAsync(string nameA, string nameB)
    {
        var (a, b) = (NewPerson(nameA), NewPerson(nameB));
        var token = await _feed.TokenAsync();
        foreach (var person in new[] { a, b })
        {
            Assert.Equal(HttpStatusCode.OK, (await _feed.PostAsync(FhirBundles.Transaction(person, FhirBundles.Vaccination($"im-{Guid.NewGuid():N}")), token)).Status);
        }

        return (a, b, token);
    }

    [Fact]
    public async Task Bundles_enrolling_one_new_person_at_the_same_moment_enrol_them_once_and_file_every_entry_under_them()
    {
        var person = NewPerson("Koh Siew Ling");
        var token = await _feed.TokenAsync();

        var answers = await AtTheSameMomentAsync(AtOnce, i =>
            _feed.PostAsync(FhirBundles.Transaction(person, FhirBundles.Allergy($"al-{Guid.NewGuid():N}", $"Substance {i}")), token));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, a.ToString()));
        await using var db = _feed.Portal.CreateDbContext();
        var nric = Nric.Parse(person.Nric);
        var enrolled = await db.Patients.AsNoTracking().Where(p => p.Nric == nric).Select(p => p.Id).ToListAsync();
        var id = Assert.Single(enrolled);
        Assert.Equal(AtOnce, await db.ClinicalEntries.CountAsync(e => e.PatientId == id));
        Assert.True((await AuditTrail.VerifyAsync(db)).Intact);
    }

    [Fact]
    public async Task Bundles_filing_one_identifier_for_two_people_at_the_same_moment_file_it_for_one_of_them_only()
    {
        var (a, b, token) = await TwoKnownPeopleAsync("Chua Bee Hoon", "Wee Lay Kuan");

        var shared = $"al-{Guid.NewGuid():N}";
        var answers = await AtTheSameMomentAsync(AtOnce, i =>
            _feed.PostAsync(FhirBundles.Transaction(i % 2 == 0 ? a : b, FhirBundles.Allergy(shared)), token));

        await using var db = _feed.Portal.CreateDbContext();
        var filed = await db.ClinicalEntries.AsNoTracking().Where(e => e.SourceIdentifier.Contains(shared)).ToListAsync();
        var entry = Assert.Single(filed);
        var owner = await db.Patients.AsNoTracking().Where(p => p.Id == entry.PatientId).Select(p => p.Nric).SingleAsync();
        var (won, lost) = owner.Value == a.Nric ? (0, 1) : (1, 0);
        Assert.All(answers.Where((_, i) => i % 2 == won), x => Assert.True(x.Status == HttpStatusCode.OK, x.ToString()));
        Assert.All(answers.Where((_, i) => i % 2 == lost), x => Assert.Equal((HttpStatusCode)422, x.Status));
        Assert.True((await AuditTrail.VerifyAsync(db)).Intact);
    }

    [Fact]
    public async Task Batches_filing_one_identifier_for_two_people_at_the_same_moment_keep_every_other_entry_of_each()
    {
        var (a, b, token) = await TwoKnownPeopleAsync("Lim Siok Hwa", "Ng Boon Kiat");

        // In a batch each entry stands alone: the one that loses the race on the shared identifier is refused, and the
        // batch's other entry is filed all the same (its bundle is run again after the race, and read again).
        var shared = $"lab-{Guid.NewGuid():N}";
        var own = Enumerable.Range(0, AtOnce).Select(_ => $"dx-{Guid.NewGuid():N}").ToArray();
        var answers = await AtTheSameMomentAsync(AtOnce, i =>
        {
            var bundle = FhirBundles.Transaction(i % 2 == 0 ? a : b, FhirBundles.Lab(shared), FhirBundles.Diagnosis(own[i]));
            bundle.Type = Hl7.Fhir.Model.Bundle.BundleType.Batch;
            return _feed.PostAsync(bundle, token);
        });

        Assert.All(answers, x => Assert.True(x.Status == HttpStatusCode.OK, x.ToString()));
        await using var db = _feed.Portal.CreateDbContext();
        Assert.Single(await db.ClinicalEntries.AsNoTracking().Where(e => e.SourceIdentifier.Contains(shared)).ToListAsync());
        foreach (var id in own)
        {
            Assert.Single(await db.ClinicalEntries.AsNoTracking().Where(e => e.SourceIdentifier.Contains(id)).ToListAsync());
        }

        Assert.True((await AuditTrail.VerifyAsync(db)).Intact);
    }

    [Fact]
    public async Task Breaking_the_glass_many_times_at_the_same_moment_grants_one_override()
    {
        var world = _feed.World;

        var outcomes = await AtTheSameMomentAsync(AtOnce, async _ =>
        {
            try
            {
                return (EmergencyOverride?)await _feed.Portal.WithAsync<EmergencyOverrideService, EmergencyOverride>(s =>
                    s.GrantAsync(new OverrideRequest(DemoWorld.As(world.DoctorUserId), world.RestrictedPatientId, OverrideReason.UnconsciousPatient,
                        DemoWorld.OverrideJustification, Attested: true)));
            }
            catch (DomainException)
            {
                return null;
            }
        });

        Assert.Single(outcomes, o => o is not null);
        await using var db = _feed.Portal.CreateDbContext();
        var now = _feed.Portal.Clock.GetUtcNow().UtcDateTime;
        Assert.Equal(1, await db.EmergencyOverrides.CountAsync(o =>
            o.PersonnelId == world.DoctorPersonnelId && o.PatientId == world.RestrictedPatientId && o.ExpiresAtUtc > now));
        Assert.True((await AuditTrail.VerifyAsync(db)).Intact);
    }
}
