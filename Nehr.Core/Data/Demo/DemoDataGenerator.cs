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

    private static readonly (string Exam, string Code, string Conclusion)[] RadiologyExams =
    [
        ("XR Chest 2 views", "36643-5", "No acute cardiopulmonary abnormality."),
        ("CT Head without contrast", "30799-1", "No intracranial haemorrhage or mass effect."),
        ("US Abdomen", "24558-9", "Mild hepatic steatosis. No gallstones."),
        ("MRI Lumbar spine", "24967-2", "L4-L5 disc bulge without nerve root compression."),
        ("Mammogram screening bilateral", "24606-6", "BI-RADS 1: negative."),
    ];

    private static readonly (string Name, string Code, string? BodySite)[] Procedures =
    [
        ("Colonoscopy", "73761001", "Colon"),
        ("Cataract extraction", "54885007", "Right eye"),
        ("Appendicectomy", "80146002", "Appendix"),
        ("Coronary angiography", "33367005", "Heart"),
        ("Excision of skin lesion", "177300000", "Back"),
    ];

    private static readonly (string Type, string Class)[] Visits =
    [
        ("Outpatient consultation", "Ambulatory"),
        ("Polyclinic follow-up", "Ambulatory"),
        ("Emergency department attendance", "Emergency"),
        ("Inpatient admission", "Inpatient"),
        ("Teleconsultation", "Virtual"),
    ];

    private static readonly (string Substance, AllergyCategory Category, string Reaction)[] Allergies =
    [
        ("Penicillin", AllergyCategory.Medication, "Urticaria"),
        ("Amoxicillin", AllergyCategory.Medication, "Rash"),
        ("Aspirin", AllergyCategory.Medication, "Bronchospasm"),
        ("Sulfonamides", AllergyCategory.Medication, "Stevens-Johnson syndrome"),
        ("Shellfish", AllergyCategory.Food, "Anaphylaxis"),
        ("Peanut", AllergyCategory.Food, "Angioedema"),
        ("House dust mite", AllergyCategory.Environment, "Rhinitis"),
        ("Latex", AllergyCategory.Environment, "Contact dermatitis"),
    ];

    private static readonly string[] Vaccines =
    [
        "Influenza (quadrivalent)", "COVID-19 mRNA", "Hepatitis B", "Pneumococcal conjugate (PCV13)",
        "Tetanus, diphtheria, pertussis (Tdap)", "Measles, mumps, rubella (MMR)", "Human papillomavirus (HPV)",
    ];

    private static readonly (string Name, string Dosage)[] Medications =
    [
        ("Metformin 500 mg tablet", "1 tablet twice daily with meals"),
        ("Amlodipine 5 mg tablet", "1 tablet once daily"),
        ("Atorvastatin 20 mg tablet", "1 tablet at night"),
        ("Losartan 50 mg tablet", "1 tablet once daily"),
        ("Paracetamol 500 mg tablet", "2 tablets every 6 hours as needed"),
        ("Salbutamol 100 mcg inhaler", "2 puffs as needed"),
        ("Omeprazole 20 mg capsule", "1 capsule before breakfast"),
    ];

    private static readonly (string Name, string Code, string Unit, decimal Low, decimal High, int Decimals)[] LabTests =
    [
        ("Haemoglobin", "718-7", "g/dL", 12.0m, 16.0m, 1),
        ("HbA1c", "4548-4", "%", 4.0m, 6.0m, 1),
        ("Fasting glucose", "1558-6", "mmol/L", 3.9m, 6.0m, 1),
        ("Creatinine", "2160-0", "umol/L", 60m, 110m, 0),
        ("LDL cholesterol", "13457-7", "mmol/L", 0m, 3.4m, 1),
        ("Potassium", "2823-3", "mmol/L", 3.5m, 5.1m, 1),
        ("Alanine aminotransferase", "1742-6", "U/L", 7m, 56m, 0),
    ];

    private static readonly (string Code, string Description)[] Diagnoses =
    [
        ("E11.9", "Type 2 diabetes mellitus without complications"),
        ("I10", "Essential (primary) hypertension"),
        ("E78.5", "Hyperlipidaemia"),
        ("J45.909", "Asthma, uncomplicated"),
        ("K21.9", "Gastro-oesophageal reflux disease"),
        ("M54.5", "Low back pain"),
        ("N18.3", "Chronic kidney disease, stage 3"),
    ];

    private static readonly string[] VisitReasons =
    [
        "review of blood pressure control", "follow-up of diabetes", "acute upper respiratory tract infection",
        "annual health screening", "medication review", "review of laboratory results",
    ];

    public int Seed { get; } = seed;

    /// <summary>The patient at this index. Indexes 0, 1 and 2 are the named demo patients.</summary>
    public Patient CreatePatient(int index, DateOnly today)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = RandomFor(index, 1);
        var named = index < DemoPatients.Length ? DemoPatients[index] : null;
        var race = named?.Race ?? (Race)WeightedRace(random);
        var sex = named?.Sex ?? (random.Next(2) == 0 ? Sex.Female : Sex.Male);
        var name = named?.Name ?? SyntheticNames.Person(random, race, sex);
        var age = random.Next(1, 95);
        var dateOfBirth = today.AddYears(-age).AddDays(-random.Next(0, 365));
        return new Patient(NricFor(index, dateOfBirth), name, dateOfBirth, sex, race, today);
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
    /// The entries of one patient, drawn from the given source providers, between birth (or 8 years ago) and now;
    /// every kind appears once count >= 6, and no allergy or vaccine repeats before the list of them is used up.
    /// </summary>
    public IEnumerable<ClinicalEntry> CreateEntries(
        int patientId, int patientIndex, DateOnly dateOfBirth, IReadOnlyList<DemoEntrySource> sources, int count, DateTime nowUtc)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        if (sources.Count == 0)
        {
            throw new ArgumentException("At least one source provider is needed.", nameof(sources));
        }

        var random = RandomFor(patientIndex, 2);
        var born = dateOfBirth.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var earliest = born > nowUtc.AddYears(-8) ? born : nowUtc.AddYears(-8);
        var spanMinutes = Math.Max(120, (int)(nowUtc - earliest).TotalMinutes);
        var offset = random.Next(100);
        for (var i = 0; i < count; i++)
        {
            var kind = (EntryKind)(i % KindCount);
            var source = sources[random.Next(sources.Count)];
            var occurred = nowUtc.AddMinutes(-random.Next(60, spanMinutes));
            var contributed = occurred.AddMinutes(random.Next(1, 240));
            if (contributed > nowUtc)
            {
                contributed = nowUtc;
            }

            var entrySource = new EntrySource(
                patientId, source.ProviderId, source.SystemId,
                string.Create(CultureInfo.InvariantCulture, $"{kind}-{patientIndex}-{i}"), occurred, contributed);
            yield return CreateEntry(kind, entrySource, random, offset + i / KindCount);
        }
    }

    private static ClinicalEntry CreateEntry(EntryKind kind, EntrySource source, Random random, int round)
    {
        switch (kind)
        {
            case EntryKind.Allergy:
                var allergy = Allergies[round % Allergies.Length];
                return new AllergyEntry(
                    source with { Status = "active" }, allergy.Substance, allergy.Category,
                    random.Next(3) == 0 ? AllergyCriticality.High : AllergyCriticality.Low, allergy.Reaction, "confirmed");
            case EntryKind.Vaccination:
                return new VaccinationEntry(source with { Status = "completed" }, Vaccines[round % Vaccines.Length], random.Next(1, 4));
            case EntryKind.Medication:
                var medication = SyntheticNames.Pick(random, Medications);
                return new MedicationEntry(
                    source with { Status = random.Next(4) == 0 ? "completed" : "active" }, medication.Name, medication.Dosage,
                    random.Next(2) == 0 ? MedicationStatus.Prescribed : MedicationStatus.Dispensed);
            case EntryKind.LabResult:
                var test = SyntheticNames.Pick(random, LabTests);
                var span = test.High - test.Low;
                var value = Math.Round(test.Low - span * 0.3m + (decimal)random.NextDouble() * span * 1.6m, test.Decimals);
                var flag = value < test.Low ? AbnormalFlag.Low : value > test.High ? AbnormalFlag.High : AbnormalFlag.Normal;
                return new LabResultEntry(
                    source with { Status = "final" }, test.Name, test.Code, value.ToString(CultureInfo.InvariantCulture), test.Unit, test.Low, test.High, flag);
            case EntryKind.RadiologyResult:
                var exam = SyntheticNames.Pick(random, RadiologyExams);
                return new RadiologyResultEntry(source with { Status = "final" }, exam.Exam, exam.Code, exam.Conclusion,
                    $"{exam.Exam}. Comparison: none. Findings: {exam.Conclusion} Impression: {exam.Conclusion}");
            case EntryKind.Procedure:
                var procedure = SyntheticNames.Pick(random, Procedures);
                return new ProcedureEntry(source with { Status = "completed" }, procedure.Name, procedure.Code, source.OccurredAtUtc.AddMinutes(45),
                    procedure.BodySite, SyntheticNames.Pick(random, VisitReasons), "Uneventful");
            case EntryKind.Visit:
                var visit = SyntheticNames.Pick(random, Visits);
                var inpatient = visit.Class == "Inpatient";
                return new VisitEntry(source with { Status = "finished" }, visit.Type, visit.Class,
                    source.OccurredAtUtc.AddHours(inpatient ? 24 * random.Next(1, 6) : 1), SyntheticNames.Pick(random, VisitReasons),
                    null, inpatient ? "Discharged home" : null);
            case EntryKind.Diagnosis:
                var diagnosis = SyntheticNames.Pick(random, Diagnoses);
                var resolved = random.Next(4) == 0;
                return new DiagnosisEntry(
                    source with { Status = resolved ? "resolved" : "active" }, diagnosis.Code, diagnosis.Description,
                    resolved ? DiagnosisStatus.Resolved : DiagnosisStatus.Active, "confirmed");
            default:
                var discharge = random.Next(4) == 0;
                var reason = SyntheticNames.Pick(random, VisitReasons);
                return new SummaryEntry(
                    source,
                    discharge ? SummaryType.Discharge : SummaryType.Visit,
                    discharge ? "Discharge summary" : "Outpatient visit",
                    discharge
                        ? $"Admitted for {reason}. Condition stable at discharge; follow-up at the specialist outpatient clinic in 2 weeks."
                        : $"Seen for {reason}. Advised on diet and exercise; medication unchanged; review in 3 months.");
        }
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

    private static readonly DemoPatient[] DemoPatients =
    [
        new("Tan Mei Ling", Sex.Female, Race.Chinese),
        new("Muhammad Faizal bin Rahman", Sex.Male, Race.Malay),
        new("Priya d/o Raman", Sex.Female, Race.Indian),
    ];

    private sealed record DemoPatient(string Name, Sex Sex, Race Race);
}

public sealed record DemoProvider(string Code, string Name, ProviderType Type, bool Onboarded, bool Licensed = true);

public sealed record DemoEntrySource(int ProviderId, int? SystemId);
