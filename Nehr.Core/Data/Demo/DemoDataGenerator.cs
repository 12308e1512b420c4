using System.Globalization;
using Nehr.Core.Administration;
using Nehr.Core.Records;

namespace Nehr.Core.Data.Demo;

/// <summary>
/// Deterministic synthetic data: the same seed and index always give the same patient and entries, so a demo,
/// a test and a benchmark can each build exactly the data they need, in any order and in batches.
/// </summary>
public sealed class DemoDataGenerator(int seed = DemoDataGenerator.DefaultSeed)
{
    public const int DefaultSeed = 20261124;

    /// <summary>
    /// The provider register of the demo: every provider type, one provider not yet onboarded, and the keeper of the
    /// population register (not a healthcare provider: not licensed, never onboarded for reading).
    /// </summary>
    public static readonly IReadOnlyList<DemoProvider> Providers =
    [
        new("CGH01", "Central General Hospital", ProviderType.PublicHospital, Onboarded: true),
        new("NSP01", "Northside Polyclinic", ProviderType.Polyclinic, Onboarded: true),
        new("BTF01", "Bukit Timah Family Clinic", ProviderType.GeneralPractice, Onboarded: true),
        new("HSC01", "Harbourfront Heart Specialists", ProviderType.SpecialistClinic, Onboarded: true),
        new("ISL01", "Island Diagnostics Laboratory", ProviderType.Laboratory, Onboarded: true),
        new("CRI01", "City Radiology Imaging", ProviderType.Radiology, Onboarded: true),
        new("EVD01", "Eastview Dental Centre", ProviderType.Dental, Onboarded: true),
        new("WRP01", "Westgate Retail Pharmacy", ProviderType.RetailPharmacy, Onboarded: true),
        new("SGH02", "Southern General Hospital", ProviderType.PublicHospital, Onboarded: true),
        new("YGP01", "Yishun Garden Medical Practice", ProviderType.GeneralPractice, Onboarded: false),
        new("ICA01", "Immigration & Checkpoints Authority (population register)", ProviderType.PopulationRegister, Onboarded: false, Licensed: false),
    ];

    private static readonly int KindCount = Enum.GetValues<EntryKind>().Length;

    public int Seed { get; } = seed;

    /// <summary>
    /// The patient at this index. Indexes 0, 1 and 2 are the named demo patients, adults of the ages their stories need;
    /// the others are of every age, about as many children and old people as Singapore has.
    /// </summary>
    public Patient CreatePatient(int index, DateOnly today)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = RandomFor(index, 1);
        var named = index < DemoPatients.Length ? DemoPatients[index] : null;
        var race = named?.Race ?? (Race)WeightedRace(random);
        var sex = named?.Sex ?? (random.Next(2) == 0 ? Sex.Female : Sex.Male);
        var name = named?.Name ?? SyntheticNames.Person(random, race, sex);
        while (named is null && DemoPatients.Any(d => d.Name == name))
        {
            // Nobody else bears a named demo patient's name: the development identity provider's list shows names only.
            name = SyntheticNames.Person(random, race, sex);
        }

        var age = named?.Age ?? WeightedAge(random);
        var dateOfBirth = today.AddYears(-age).AddDays(-random.Next(0, 365));
        return new Patient(NricFor(index, dateOfBirth), name, dateOfBirth, sex, race, today);
    }

    /// <summary>
    /// The parent the population register links to each child under 14 among these people: a generated person (none of
    /// the three named demo patients) who was 20 to 45 at the child's birth and whose other children were born at least
    /// a year apart from this one, of the child's race where there is one, preferably one of the first
    /// <paramref name="preferredFirst"/> (those the development identity provider lists). A child nobody fits is left out.
    /// </summary>
    public static IReadOnlyDictionary<Patient, Patient> ParentsOfChildren(IReadOnlyList<Patient> people, DateTime nowUtc, int preferredFirst)
    {
        var parents = new Dictionary<Patient, Patient>();
        var families = new Dictionary<Patient, List<DateOnly>>();
        foreach (var child in people.Where(p => nowUtc < Representatives.Representation.FourteenthBirthdayUtc(p.DateOfBirth)))
        {
            var parent = people
                .Select((person, index) => (Person: person, Index: index))
                .Skip(DemoPatients.Length)
                .Where(p => p.Person.DateOfBirth.AddYears(20) <= child.DateOfBirth && p.Person.DateOfBirth.AddYears(45) >= child.DateOfBirth)
                .Where(p => !families.TryGetValue(p.Person, out var births)
                    || births.All(b => b.AddYears(1) <= child.DateOfBirth || child.DateOfBirth.AddYears(1) <= b))
                .OrderByDescending(p => p.Person.Race == child.Race)
                .ThenByDescending(p => p.Index < preferredFirst)
                .ThenBy(p => p.Index)
                .Select(p => p.Person)
                .FirstOrDefault();
            if (parent is not null)
            {
                parents[child] = parent;
                (families.TryGetValue(parent, out var births) ? births : families[parent] = []).Add(child.DateOfBirth);
            }
        }

        return parents;
    }

    /// <summary>
    /// A unique, valid NRIC/FIN for each index: the digits are a bijection of the index, so no two indexes collide.
    /// About one in ten is a foreigner (F, G or M series).
    /// </summary>
    public static Nric NricFor(int index, DateOnly dateOfBirth)
    {
        var digits = (int)((index * 7_919L + 1_234_567L) % 10_000_000L);
        var foreigner = index % 10 == 9;
        var series = (foreigner, dateOfBirth.Year >= 2000) switch
        {
            (false, false) => 'S',
            (false, true) => 'T',
            (true, _) when index % 30 == 29 => 'M',
            (true, false) => 'F',
            (true, true) => 'G',
        };
        return Nric.FromDigits(series, digits);
    }

    /// <summary>
    /// The entries of one patient, between birth (or 8 years ago) and now, each fitting the patient's age and sex when it
    /// happened and drawn from a given source provider of a kind that produces it (a laboratory reports results, a
    /// radiology centre images, a pharmacy dispenses, only a hospital admits); every kind appears once count &gt;= 9, and
    /// no allergy repeats before those that fit are used up. A public hospital among the sources can produce every entry.
    /// </summary>
    /// <exception cref="InvalidOperationException">No source is of a kind that can produce an entry this patient needs.</exception>
    public IEnumerable<ClinicalEntry> CreateEntries(
        int patientId, int patientIndex, DateOnly dateOfBirth, Sex sex, IReadOnlyList<DemoEntrySource> sources, int count, DateTime nowUtc)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        if (sources.Count == 0)
        {
            throw new ArgumentException("At least one source provider is needed.", nameof(sources));
        }

        return Entries(patientId, patientIndex, dateOfBirth, sex, new SourcePool(sources), count, nowUtc);
    }

    private IEnumerable<ClinicalEntry> Entries(
        int patientId, int patientIndex, DateOnly dateOfBirth, Sex sex, SourcePool sources, int count, DateTime nowUtc)
    {
        var random = RandomFor(patientIndex, 2);
        var born = dateOfBirth.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var earliest = born > nowUtc.AddYears(-8) ? born : nowUtc.AddYears(-8);
        var spanMinutes = Math.Max(120, (int)(nowUtc - earliest).TotalMinutes);
        var offset = random.Next(100);
        var allergies = new HashSet<DemoAllergy>();
        for (var i = 0; i < count; i++)
        {
            var kind = (EntryKind)(i % KindCount);
            var occurred = nowUtc.AddMinutes(-random.Next(60, spanMinutes));
            var contributed = occurred.AddMinutes(random.Next(1, 240));
            if (contributed > nowUtc)
            {
                contributed = nowUtc;
            }

            var draw = new Draw(
                random, sources, AgeAt(dateOfBirth, occurred), sex, DateOnly.FromDateTime(occurred), nowUtc,
                new EntrySource(patientId, 0, null, string.Create(CultureInfo.InvariantCulture, $"{kind}-{patientIndex}-{i}"), occurred, contributed));
            yield return CreateEntry(kind, draw, offset + i / KindCount, allergies);
        }
    }

    private static ClinicalEntry CreateEntry(EntryKind kind, Draw draw, int round, HashSet<DemoAllergy> allergiesSoFar)
    {
        var random = draw.Random;
        switch (kind)
        {
            case EntryKind.Allergy:
                var allergy = NextAllergy(draw, round, allergiesSoFar);
                return new AllergyEntry(
                    draw.From(DemoCatalogue.AllergyRecorders, kind) with { Status = "active" }, allergy.Substance, allergy.Category,
                    allergy.Criticality, allergy.ReactionText, "confirmed");
            case EntryKind.Vaccination:
                var vaccines = DemoCatalogue.Vaccines.Where(v => draw.Fits(v.Fits) && draw.CanCome(v.Places)).ToList();
                var vaccine = vaccines.Count > 0 ? vaccines[round % vaccines.Count] : throw draw.Nothing(kind);
                return new VaccinationEntry(draw.From(vaccine.Places, kind) with { Status = "completed" }, vaccine.Name, random.Next(1, vaccine.MaxDose + 1));
            case EntryKind.Medication:
                var medication = draw.Pick(DemoCatalogue.Medications, m => m.Fits, m => m.Prescribers, kind);
                // A prescription is written where medicines are prescribed; it is dispensed there or at a retail pharmacy.
                var dispensers = medication.Prescribers.Append(ProviderType.RetailPharmacy).ToArray();
                var dispensed = random.Next(2) == 0;
                return new MedicationEntry(
                    draw.From(dispensed ? dispensers : medication.Prescribers, kind) with { Status = random.Next(4) == 0 ? "completed" : "active" },
                    medication.Name, medication.Dosage, dispensed ? MedicationStatus.Dispensed : MedicationStatus.Prescribed);
            case EntryKind.LabResult:
                var test = draw.Pick(DemoCatalogue.LabTests, t => t.Fits, _ => DemoCatalogue.Laboratories, kind);
                var (low, high, drawLow, drawHigh) = test.Range(draw.Age, draw.Sex);
                var value = Math.Round(LabValue(random, low ?? drawLow, high, drawLow, drawHigh), test.Decimals);
                var flag = value < low ? AbnormalFlag.Low : value > high ? AbnormalFlag.High : AbnormalFlag.Normal;
                return new LabResultEntry(
                    draw.From(DemoCatalogue.Laboratories, kind) with { Status = "final" }, test.Name, test.Code,
                    value.ToString(CultureInfo.InvariantCulture), test.Unit, low, high, flag);
            case EntryKind.RadiologyResult:
                var exam = draw.Pick(DemoCatalogue.RadiologyExams, e => e.Fits, _ => DemoCatalogue.Imaging, kind);
                return new RadiologyResultEntry(draw.From(DemoCatalogue.Imaging, kind) with { Status = "final" }, exam.Name, exam.Code, exam.Conclusion,
                    $"{exam.Name}. Comparison: none. Findings: {exam.Conclusion} Impression: {exam.Conclusion}");
            case EntryKind.Procedure:
                var procedure = draw.Pick(DemoCatalogue.Procedures, p => p.Fits, p => p.Places, kind);
                var performed = draw.From(procedure.Places, kind);
                return new ProcedureEntry(performed with { Status = "completed" }, procedure.Name, procedure.Code, performed.OccurredAtUtc.AddMinutes(45),
                    procedure.BodySite, procedure.Reason, "Uneventful");
            case EntryKind.Visit:
                var visit = draw.Pick(DemoCatalogue.Visits, v => v.Fits, v => v.Places, kind);
                var at = draw.From(visit.Places, kind);
                var reasons = visit.Class is "Inpatient" or "Emergency" ? DemoCatalogue.AdmissionReasons
                    : visit.Places is [ProviderType.Dental] ? DemoCatalogue.DentalReasons
                    : DemoCatalogue.VisitReasons;
                var reason = draw.Pick(reasons, r => r.Fits, _ => visit.Places, kind).Reason;
                var ended = at.OccurredAtUtc.AddHours(visit.Class == "Inpatient" ? 24 * random.Next(1, 6) : 1);
                // An admission that has not ended yet is still in progress: nobody is discharged in the future.
                return ended > draw.NowUtc
                    ? new VisitEntry(at with { Status = "in-progress" }, visit.Type, visit.Class, null, reason, null, null)
                    : new VisitEntry(at with { Status = "finished" }, visit.Type, visit.Class, ended, reason, null,
                        visit.Class == "Inpatient" ? "Discharged home" : null);
            case EntryKind.Diagnosis:
                var diagnosis = draw.Pick(DemoCatalogue.Diagnoses, d => d.Fits, _ => DemoCatalogue.Diagnosers, kind);
                var resolved = diagnosis.Course switch
                {
                    Course.Chronic => false,
                    Course.Acute => true,
                    _ => random.Next(2) == 0,
                };
                return new DiagnosisEntry(
                    draw.From(DemoCatalogue.Diagnosers, kind) with { Status = resolved ? "resolved" : "active" }, diagnosis.Code, diagnosis.Description,
                    resolved ? DiagnosisStatus.Resolved : DiagnosisStatus.Active, "confirmed");
            default:
                // Only a hospital discharges; a visit is summarised wherever people are seen.
                var discharge = random.Next(4) == 0 && draw.CanCome(DemoCatalogue.Admitting);
                var why = draw.Pick(discharge ? DemoCatalogue.AdmissionReasons : DemoCatalogue.VisitReasons, r => r.Fits,
                    _ => discharge ? DemoCatalogue.Admitting : DemoCatalogue.VisitRecorders, kind);
                return new SummaryEntry(
                    draw.From(discharge ? DemoCatalogue.Admitting : DemoCatalogue.VisitRecorders, kind),
                    discharge ? SummaryType.Discharge : SummaryType.Visit,
                    discharge ? "Discharge summary" : "Outpatient visit",
                    discharge ? $"Admitted for {why.Reason}. {why.Plan}" : $"Seen for {why.Reason}. {why.Plan}");
        }
    }

    /// <summary>The next allergy of the round that fits and that this patient does not have yet (any that fits once all do).</summary>
    private static DemoAllergy NextAllergy(Draw draw, int round, HashSet<DemoAllergy> soFar)
    {
        var all = DemoCatalogue.Allergies;
        DemoAllergy? fitting = null;
        for (var step = 0; step < all.Length; step++)
        {
            var allergy = all[(round + step) % all.Length];
            if (draw.Fits(allergy.Fits))
            {
                fitting ??= allergy;
                if (soFar.Add(allergy))
                {
                    return allergy;
                }
            }
        }

        return fitting ?? throw draw.Nothing(EntryKind.Allergy);
    }

    /// <summary>Three in four within the reference range; the others low or high, never beyond what a living patient has.</summary>
    private static decimal LabValue(Random random, decimal low, decimal high, decimal drawLow, decimal drawHigh)
    {
        var roll = random.Next(8);
        var (from, to) = roll switch
        {
            0 when drawLow < low => (drawLow, low),
            0 or 1 => (high, drawHigh),
            _ => (low, high),
        };
        return from + (decimal)random.NextDouble() * (to - from);
    }

    private static int AgeAt(DateOnly dateOfBirth, DateTime utc)
    {
        var day = DateOnly.FromDateTime(utc);
        var age = day.Year - dateOfBirth.Year;
        return dateOfBirth.AddYears(age) > day ? age - 1 : age;
    }

    /// <summary>The sources by their kind of provider, to draw one of the kinds that produce an entry.</summary>
    private sealed class SourcePool(IReadOnlyList<DemoEntrySource> sources)
    {
        private readonly ILookup<ProviderType, DemoEntrySource> _byType = sources.ToLookup(s => s.Type);

        public int Count(ProviderType[] places)
        {
            var count = 0;
            foreach (var place in places)
            {
                count += _byType[place].Count();
            }

            return count;
        }

        public DemoEntrySource Pick(Random random, ProviderType[] places)
        {
            var n = random.Next(Count(places));
            foreach (var place in places)
            {
                foreach (var source in _byType[place])
                {
                    if (n-- == 0)
                    {
                        return source;
                    }
                }
            }

            throw new InvalidOperationException("No source of these kinds.");
        }
    }

    /// <summary>One entry being made: the patient's age and sex that day, and the sources to draw it from.</summary>
    private sealed record Draw(Random Random, SourcePool Sources, int Age, Sex Sex, DateOnly Day, DateTime NowUtc, EntrySource Entry)
    {
        public bool Fits(Fits fits) => fits.For(Age, Sex, Day);

        public bool CanCome(ProviderType[] places) => Sources.Count(places) > 0;

        /// <summary>One of the items that fit the patient and that a given source can produce.</summary>
        public T Pick<T>(IReadOnlyList<T> items, Func<T, Fits> fits, Func<T, ProviderType[]> places, EntryKind kind)
        {
            var count = 0;
            foreach (var item in items)
            {
                count += Fits(fits(item)) && CanCome(places(item)) ? 1 : 0;
            }

            if (count == 0)
            {
                throw Nothing(kind);
            }

            var n = Random.Next(count);
            foreach (var item in items)
            {
                if (Fits(fits(item)) && CanCome(places(item)) && n-- == 0)
                {
                    return item;
                }
            }

            throw Nothing(kind);
        }

        /// <summary>The entry, from a source of one of these kinds of provider.</summary>
        public EntrySource From(ProviderType[] places, EntryKind kind)
        {
            if (!CanCome(places))
            {
                throw Nothing(kind);
            }

            var source = Sources.Pick(Random, places);
            return Entry with { ProviderId = source.ProviderId, SystemId = source.SystemId };
        }

        public InvalidOperationException Nothing(EntryKind kind) => new(string.Create(CultureInfo.InvariantCulture,
            $"None of the source providers given can produce a {kind} entry for a patient aged {Age}: a public hospital among them can produce any."));
    }

    // HashCode.Combine is seeded per process; a fixed mix (SplitMix64's finaliser) keeps runs identical.
    private Random RandomFor(int index, int stream)
    {
        var z = unchecked((ulong)Seed * 0x9E3779B97F4A7C15UL + (ulong)index * 0xBF58476D1CE4E5B9UL + (ulong)stream);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return new Random((int)((z ^ (z >> 31)) & int.MaxValue));
    }

    private static int WeightedRace(Random random) => random.Next(100) switch
    {
        < 74 => (int)Race.Chinese,
        < 88 => (int)Race.Malay,
        < 97 => (int)Race.Indian,
        _ => (int)Race.Others,
    };

    /// <summary>Ages in whole years: children, teenagers, working ages and old people in about Singapore's proportions.</summary>
    private static int WeightedAge(Random random) => random.Next(100) switch
    {
        < 13 => random.Next(1, 14), // no babies: a demo patient has 27 entries, too many for their first months
        < 18 => random.Next(14, 18),
        < 48 => random.Next(18, 40),
        < 82 => random.Next(40, 65),
        _ => random.Next(65, 95),
    };

    /// <summary>
    /// The named demo patients, each of the age their story needs: Tan Mei Ling is Priya's caregiver; Muhammad Faizal
    /// signs in with his own account and restricts every provider; Priya, older, allows only her polyclinic.
    /// </summary>
    private static readonly DemoPatient[] DemoPatients =
    [
        new("Tan Mei Ling", Sex.Female, Race.Chinese, 46),
        new("Muhammad Faizal bin Rahman", Sex.Male, Race.Malay, 38),
        new("Priya d/o Raman", Sex.Female, Race.Indian, 71),
    ];

    private sealed record DemoPatient(string Name, Sex Sex, Race Race, int Age);
}

public sealed record DemoProvider(string Code, string Name, ProviderType Type, bool Onboarded, bool Licensed = true);

/// <summary>A provider (and optionally its system) that entries may come from, with its kind: what it can have produced.</summary>
public sealed record DemoEntrySource(int ProviderId, int? SystemId, ProviderType Type);
