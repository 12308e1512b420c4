using Nehr.Core.Data.Demo;
using Nehr.Core.Records;

namespace Nehr.Core.Tests;

public class DemoDataGeneratorTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);
    private static readonly DateTime Now = new(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_same_seed_and_index_give_the_same_patient()
    {
        var a = new DemoDataGenerator(42).CreatePatient(1234, Today);
        var b = new DemoDataGenerator(42).CreatePatient(1234, Today);

        Assert.Equal((a.Nric, a.Name, a.DateOfBirth, a.Sex, a.Race), (b.Nric, b.Name, b.DateOfBirth, b.Sex, b.Race));
    }

    [Fact]
    public void A_different_seed_gives_other_people()
    {
        var names = Enumerable.Range(100, 20).Select(i => new DemoDataGenerator(1).CreatePatient(i, Today).Name);
        var others = Enumerable.Range(100, 20).Select(i => new DemoDataGenerator(2).CreatePatient(i, Today).Name);

        Assert.NotEqual(names, others);
    }

    [Fact]
    public void Nrics_are_valid_and_unique_across_a_large_population()
    {
        var seen = new HashSet<string>();
        var series = new HashSet<char>();
        for (var i = 0; i < 200_000; i++)
        {
            var nric = DemoDataGenerator.NricFor(i, new DateOnly(1960 + i % 60, 1, 1));
            Assert.True(Nric.TryParse(nric.Value, out _), nric.Value);
            Assert.True(seen.Add(nric.Value), $"duplicate {nric.Value} at {i}");
            series.Add(nric.Value[0]);
        }

        Assert.Equal(['F', 'G', 'M', 'S', 'T'], series.Order());
    }

    [Fact]
    public void Entries_cover_every_kind_and_are_deterministic()
    {
        var sources = new[] { new DemoEntrySource(1, null), new DemoEntrySource(2, null) };
        var generator = new DemoDataGenerator();

        var entries = generator.CreateEntries(10, 3, new DateOnly(1970, 1, 1), sources, 12, Now).ToList();
        var again = generator.CreateEntries(10, 3, new DateOnly(1970, 1, 1), sources, 12, Now).ToList();

        Assert.Equal(Enum.GetValues<EntryKind>(), entries.Select(e => e.Kind).Distinct().Order());
        Assert.All(entries, e => Assert.True(e.OccurredAtUtc < Now && e.ContributedAtUtc <= Now));
        Assert.Equal(entries.Select(e => (e.Kind, e.OccurredAtUtc, e.SourceProviderId)), again.Select(e => (e.Kind, e.OccurredAtUtc, e.SourceProviderId)));
        Assert.Equal(entries.Count, entries.Select(e => e.SourceIdentifier).Distinct().Count());
    }

    [Fact]
    public void Entries_never_happen_before_the_patient_was_born()
    {
        var generator = new DemoDataGenerator();
        for (var index = 0; index < 300; index++)
        {
            var patient = generator.CreatePatient(index, Today);
            var born = patient.DateOfBirth.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

            var entries = generator.CreateEntries(index + 1, index, patient.DateOfBirth, [new DemoEntrySource(1, null)], 24, Now);

            Assert.All(entries, e => Assert.InRange(e.OccurredAtUtc, born, Now));
        }
    }

    [Fact]
    public void A_patient_does_not_get_the_same_allergy_twice()
    {
        var entries = new DemoDataGenerator().CreateEntries(1, 5, new DateOnly(1970, 1, 1), [new DemoEntrySource(1, null)], 24, Now);

        var allergies = entries.OfType<AllergyEntry>().Select(a => a.Substance).ToList();
        Assert.Equal((24 + Enum.GetValues<EntryKind>().Length - 1) / Enum.GetValues<EntryKind>().Length, allergies.Count);
        Assert.Equal(allergies.Count, allergies.Distinct().Count());
    }

    [Fact]
    public void Lab_results_flag_values_outside_their_reference_range()
    {
        var entries = new DemoDataGenerator().CreateEntries(10, 7, new DateOnly(1970, 1, 1), [new DemoEntrySource(1, null)], 600, Now).OfType<LabResultEntry>().ToList();

        Assert.NotEmpty(entries);
        foreach (var lab in entries)
        {
            var value = decimal.Parse(lab.Value, System.Globalization.CultureInfo.InvariantCulture);
            var expected = value < lab.ReferenceLow ? AbnormalFlag.Low : value > lab.ReferenceHigh ? AbnormalFlag.High : AbnormalFlag.Normal;
            Assert.Equal(expected, lab.Flag);
        }

        Assert.Contains(entries, e => e.Flag != AbnormalFlag.Normal);
    }

    [Fact]
    public void The_provider_register_has_every_provider_type()
    {
        Assert.Equal(
            Enum.GetValues<Nehr.Core.Administration.ProviderType>(),
            DemoDataGenerator.Providers.Select(p => p.Type).Distinct().Order());
        Assert.Contains(DemoDataGenerator.Providers, p => !p.Onboarded);
    }
}
