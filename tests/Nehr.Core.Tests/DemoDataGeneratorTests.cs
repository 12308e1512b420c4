using System.Globalization;
using Nehr.Core.Administration;
using Nehr.Core.Data.Demo;
using Nehr.Core.Records;

namespace Nehr.Core.Tests;

public class DemoDataGeneratorTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);
    private static readonly DateTime Now = new(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

    /// <summary>A public hospital produces every kind of entry.</summary>
    private static readonly DemoEntrySource Hospital = new(1, null, ProviderType.PublicHospital);

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
        var sources = new[] { new DemoEntrySource(1, null, ProviderType.PublicHospital), new DemoEntrySource(2, null, ProviderType.Polyclinic) };
        var generator = new DemoDataGenerator();

        var entries = generator.CreateEntries(10, 3, new DateOnly(1970, 1, 1), Sex.Female, sources, 12, Now).ToList();
        var again = generator.CreateEntries(10, 3, new DateOnly(1970, 1, 1), Sex.Female, sources, 12, Now).ToList();

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

            var entries = generator.CreateEntries(index + 1, index, patient.DateOfBirth, patient.Sex, [Hospital], 24, Now);

            Assert.All(entries, e => Assert.InRange(e.OccurredAtUtc, born, Now));
        }
    }

    [Fact]
    public void A_patient_does_not_get_the_same_allergy_twice()
    {
        var entries = new DemoDataGenerator().CreateEntries(1, 5, new DateOnly(1970, 1, 1), Sex.Male, [Hospital], 24, Now);

        var allergies = entries.OfType<AllergyEntry>().Select(a => a.Substance).ToList();
        Assert.Equal((24 + Enum.GetValues<EntryKind>().Length - 1) / Enum.GetValues<EntryKind>().Length, allergies.Count);
        Assert.Equal(allergies.Count, allergies.Distinct().Count());
    }

    [Fact]
    public void Lab_results_flag_values_outside_their_reference_range()
    {
        var entries = new DemoDataGenerator().CreateEntries(10, 7, new DateOnly(1970, 1, 1), Sex.Male, [Hospital], 600, Now).OfType<LabResultEntry>().ToList();

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

    // The rules below hold over everything the generator makes: the first 2,000 people (the demo's 50 among them), each
    // with a demo patient's 27 entries, drawn from every provider the demo onboards. Written here from what a clinician
    // expects, not read from the generator, so that a change to its catalogues that breaks one of them fails here.
    private const int People = 2_000;

    private static readonly Lazy<List<(Patient Patient, ClinicalEntry Entry, ProviderType Source)>> s_world = new(() =>
    {
        var providers = DemoDataGenerator.Providers.Select((p, i) => (Id: i + 1, p.Type, p.Onboarded)).Where(p => p.Onboarded).ToList();
        var types = providers.ToDictionary(p => p.Id, p => p.Type);
        var sources = providers.Select(p => new DemoEntrySource(p.Id, null, p.Type)).ToList();
        var generator = new DemoDataGenerator();
        var world = new List<(Patient, ClinicalEntry, ProviderType)>();
        for (var index = 0; index < People; index++)
        {
            var patient = generator.CreatePatient(index, Today);
            world.AddRange(generator.CreateEntries(index + 1, index, patient.DateOfBirth, patient.Sex, sources, DemoDataSeeder.EntriesPerDemoPatient, Now)
                .Select(e => (patient, e, types[e.SourceProviderId])));
        }

        return world;
    });

    private static IEnumerable<(Patient Patient, T Entry, ProviderType Source)> All<T>() where T : ClinicalEntry =>
        s_world.Value.Where(w => w.Entry is T).Select(w => (w.Patient, (T)w.Entry, w.Source));

    private static int AgeAt(Patient patient, DateTime utc)
    {
        var day = DateOnly.FromDateTime(utc);
        var age = day.Year - patient.DateOfBirth.Year;
        return patient.DateOfBirth.AddYears(age) > day ? age - 1 : age;
    }

    private static readonly string[] SevereReactions = ["anaphylaxis", "stevens-johnson", "bronchospasm", "angioedema", "toxic epidermal necrolysis"];
    private static readonly string[] MildReactions = ["urticaria", "rash", "rhinitis", "contact dermatitis", "itch", "nausea", "conjunctivitis"];

    [Fact]
    public void Every_severe_allergic_reaction_is_of_high_criticality_and_every_mild_one_of_low()
    {
        var allergies = All<AllergyEntry>().Select(a => a.Entry).ToList();

        Assert.NotEmpty(allergies);
        Assert.All(allergies, a =>
        {
            var reaction = a.Reaction?.ToLowerInvariant() ?? "";
            var severe = SevereReactions.Any(r => reaction.Contains(r, StringComparison.Ordinal));
            Assert.True(severe || MildReactions.Any(r => reaction.Contains(r, StringComparison.Ordinal)), $"'{a.Reaction}' is neither a known severe nor a known mild reaction");
            Assert.True(
                a.Criticality == (severe ? AllergyCriticality.High : AllergyCriticality.Low),
                $"{a.Substance} with {a.Reaction} at {a.Criticality} criticality");
        });
        Assert.Contains(allergies, a => a.Criticality == AllergyCriticality.High);
    }

    /// <summary>Per LOINC code: the unit the code means, the values a living patient can have, and the decimals a lab reports.</summary>
    private static readonly Dictionary<string, (string Unit, decimal Min, decimal Max, int Decimals)> Plausible = new()
    {
        ["718-7"] = ("g/dL", 5.0m, 20.0m, 1),       // Haemoglobin [Mass/volume] in Blood
        ["4548-4"] = ("%", 3.5m, 15.0m, 1),         // Haemoglobin A1c/Haemoglobin.total in Blood
        ["14771-0"] = ("mmol/L", 2.5m, 25.0m, 1),   // Fasting glucose [Moles/volume] in Serum or Plasma
        ["14682-9"] = ("umol/L", 15m, 1000m, 0),    // Creatinine [Moles/volume] in Serum or Plasma
        ["22748-8"] = ("mmol/L", 0.5m, 8.0m, 1),    // Cholesterol in LDL [Moles/volume] in Serum or Plasma
        ["2823-3"] = ("mmol/L", 2.0m, 7.0m, 1),     // Potassium [Moles/volume] in Serum or Plasma
        ["1742-6"] = ("U/L", 3m, 1000m, 0),         // Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma
    };

    [Fact]
    public void Every_lab_value_is_plausible_for_its_loinc_code_in_the_unit_of_the_code_with_the_decimals_a_lab_reports()
    {
        var labs = All<LabResultEntry>().Select(l => l.Entry).ToList();

        Assert.NotEmpty(labs);
        Assert.All(labs, lab =>
        {
            Assert.True(Plausible.TryGetValue(lab.TestCode ?? "", out var rule), $"{lab.TestName} has code {lab.TestCode}, not one known here");
            var value = decimal.Parse(lab.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            Assert.True(value >= rule.Min && value <= rule.Max, $"{lab.TestName} {lab.Value} {lab.Unit}");
            Assert.Equal(rule.Unit, lab.Unit);
            Assert.Equal(rule.Decimals, lab.Value.Contains('.', StringComparison.Ordinal) ? lab.Value.Length - lab.Value.IndexOf('.', StringComparison.Ordinal) - 1 : 0);
            Assert.True(lab.ReferenceLow is null || lab.ReferenceLow > 0, $"{lab.TestName} reference low {lab.ReferenceLow}");
            Assert.True(lab.ReferenceHigh is { } high && high <= rule.Max, $"{lab.TestName} reference high {lab.ReferenceHigh}");
        });
    }

    /// <summary>What each kind of provider produces: a laboratory reports results, a radiology centre images, a pharmacy dispenses.</summary>
    private static readonly Dictionary<ProviderType, EntryKind[]> Produces = new()
    {
        [ProviderType.PublicHospital] = Enum.GetValues<EntryKind>(),
        [ProviderType.Polyclinic] = [EntryKind.Allergy, EntryKind.Vaccination, EntryKind.Medication, EntryKind.LabResult, EntryKind.Diagnosis, EntryKind.Visit, EntryKind.Summary],
        [ProviderType.GeneralPractice] = [EntryKind.Allergy, EntryKind.Vaccination, EntryKind.Medication, EntryKind.Diagnosis, EntryKind.Procedure, EntryKind.Visit, EntryKind.Summary],
        [ProviderType.SpecialistClinic] = [EntryKind.Allergy, EntryKind.Medication, EntryKind.Diagnosis, EntryKind.Visit, EntryKind.Summary],
        [ProviderType.Laboratory] = [EntryKind.LabResult],
        [ProviderType.Radiology] = [EntryKind.RadiologyResult],
        [ProviderType.Dental] = [EntryKind.Allergy, EntryKind.Medication, EntryKind.Procedure, EntryKind.Visit],
        [ProviderType.RetailPharmacy] = [EntryKind.Medication],
        [ProviderType.PopulationRegister] = [],
    };

    [Fact]
    public void Every_entry_comes_from_a_kind_of_provider_that_produces_it()
    {
        Assert.All(s_world.Value, w => Assert.True(Produces[w.Source].Contains(w.Entry.Kind), $"{w.Entry.Kind} from {w.Source}"));

        // And within a kind: a pharmacy dispenses but does not prescribe; only a hospital admits, runs an emergency
        // department or discharges.
        Assert.All(All<MedicationEntry>(), m => Assert.False(m.Source == ProviderType.RetailPharmacy && m.Entry.Record != MedicationStatus.Dispensed, $"{m.Entry.Record} by a pharmacy"));
        Assert.All(All<VisitEntry>(), v => Assert.True(v.Source == ProviderType.PublicHospital || v.Entry.VisitClass is not ("Inpatient" or "Emergency"), $"{v.Entry.VisitType} at {v.Source}"));
        Assert.All(All<SummaryEntry>(), s => Assert.True(s.Source == ProviderType.PublicHospital || s.Entry.Type != SummaryType.Discharge, $"discharge summary from {s.Source}"));
        Assert.Contains(All<LabResultEntry>(), l => l.Source == ProviderType.Laboratory);
        Assert.Contains(All<RadiologyResultEntry>(), r => r.Source == ProviderType.Radiology);
        Assert.Contains(All<MedicationEntry>(), m => m.Source == ProviderType.RetailPharmacy);
    }

    private static readonly string[] AdultConditions = ["E11", "I10", "E78", "N18", "M54"];
    private static readonly string[] AdultMedicines = ["Metformin", "Amlodipine", "Atorvastatin", "Losartan", "Omeprazole"];

    [Fact]
    public void Entries_fit_the_patients_age_and_sex_when_they_happened()
    {
        Assert.All(All<DiagnosisEntry>(), d => Assert.False(
            AgeAt(d.Patient, d.Entry.OccurredAtUtc) < 18 && AdultConditions.Any(c => d.Entry.Code?.StartsWith(c, StringComparison.Ordinal) == true),
            $"{d.Entry.Description} at {AgeAt(d.Patient, d.Entry.OccurredAtUtc)}"));
        Assert.All(All<MedicationEntry>(), m => Assert.False(
            AgeAt(m.Patient, m.Entry.OccurredAtUtc) < 18 && AdultMedicines.Any(n => m.Entry.Medication.StartsWith(n, StringComparison.Ordinal)),
            $"{m.Entry.Medication} at {AgeAt(m.Patient, m.Entry.OccurredAtUtc)}"));
        Assert.All(All<MedicationEntry>(), m => Assert.False(
            AgeAt(m.Patient, m.Entry.OccurredAtUtc) < 12 && m.Entry.Medication.Contains("tablet", StringComparison.Ordinal),
            $"{m.Entry.Medication} at {AgeAt(m.Patient, m.Entry.OccurredAtUtc)}"));
        Assert.All(All<RadiologyResultEntry>(), r => Assert.False(
            r.Entry.Examination.StartsWith("Mammogram", StringComparison.Ordinal) && (r.Patient.Sex != Sex.Female || AgeAt(r.Patient, r.Entry.OccurredAtUtc) < 40),
            $"{r.Entry.Examination} for a {r.Patient.Sex} of {AgeAt(r.Patient, r.Entry.OccurredAtUtc)}"));
        Assert.All(All<ProcedureEntry>(), p => Assert.False(
            p.Entry.Procedure is "Cataract extraction" or "Coronary angiography" or "Colonoscopy" && AgeAt(p.Patient, p.Entry.OccurredAtUtc) < 30,
            $"{p.Entry.Procedure} at {AgeAt(p.Patient, p.Entry.OccurredAtUtc)}"));
        Assert.All(All<VaccinationEntry>(), v =>
        {
            var age = AgeAt(v.Patient, v.Entry.OccurredAtUtc);
            var fits = v.Entry.Vaccine switch
            {
                var x when x.StartsWith("Measles", StringComparison.Ordinal) => age < 7,
                var x when x.StartsWith("Human papillomavirus", StringComparison.Ordinal) => v.Patient.Sex == Sex.Female && age is >= 9 and <= 26,
                var x when x.StartsWith("Pneumococcal", StringComparison.Ordinal) => age < 5 || age >= 65,
                var x when x.StartsWith("COVID-19", StringComparison.Ordinal) => age >= 5 && v.Entry.OccurredAtUtc >= new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                _ => true,
            };
            Assert.True(fits, $"{v.Entry.Vaccine} for a {v.Patient.Sex} of {age} on {v.Entry.OccurredAtUtc:yyyy-MM-dd}");
        });
    }

    [Fact]
    public void The_demo_patients_with_accounts_are_adults_and_the_population_has_children_and_old_people()
    {
        var generator = new DemoDataGenerator();

        // Muhammad Faizal restricts every provider with his own account; Tan Mei Ling is Priya's caregiver.
        foreach (var index in new[] { 0, 1, 2 })
        {
            var patient = generator.CreatePatient(index, Today);
            Assert.True(patient.DateOfBirth.AddYears(18) <= Today, $"{patient.Name}, born {patient.DateOfBirth}");
        }

        var ages = Enumerable.Range(0, People).Select(i => generator.CreatePatient(i, Today)).Select(p => AgeAt(p, Now)).ToList();
        Assert.Contains(ages, a => a < 14);
        Assert.Contains(ages, a => a >= 65);
        Assert.True(ages.Count(a => a >= 18) > ages.Count / 2, "most people are adults");
    }

    [Fact]
    public void Every_demo_child_has_a_parent_of_an_age_to_be_one_whatever_the_day_the_demo_is_seeded()
    {
        var generator = new DemoDataGenerator();
        for (var day = 0; day < 730; day += 5)
        {
            var today = Today.AddDays(day);
            var now = today.ToDateTime(new TimeOnly(8, 0), DateTimeKind.Utc);
            var people = Enumerable.Range(0, DemoDataSeeder.DemoPatientCount).Select(i => generator.CreatePatient(i, today)).ToList();
            var children = people.Where(p => p.DateOfBirth.AddYears(14) > today).ToList();

            var parents = DemoDataGenerator.ParentsOfChildren(people, now, 12);

            Assert.NotEmpty(children);
            Assert.All(children, child =>
            {
                Assert.True(parents.TryGetValue(child, out var parent), $"{child.Name}, born {child.DateOfBirth}, has no parent on {today}");
                Assert.InRange(child.DateOfBirth.Year - parent.DateOfBirth.Year, 19, 46);
                Assert.True(people.IndexOf(parent) >= 3, $"{parent.Name} is a named demo patient");
                // Siblings are born at least a year apart.
                Assert.All(parents.Where(p => p.Value == parent && p.Key != child), sibling =>
                    Assert.True(Math.Abs(sibling.Key.DateOfBirth.DayNumber - child.DateOfBirth.DayNumber) >= 365, $"{child.Name} and {sibling.Key.Name}"));
            });
        }
    }
}
