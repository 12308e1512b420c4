using Nehr.Core.Administration;
using Nehr.Core.Records;

namespace Nehr.Core.Data.Demo;

/// <summary>
/// Who an item of the demo catalogue fits when it happens: an age in whole years (inclusive), one sex or either, and
/// the first day it existed (a vaccine before its licence would give the demo away).
/// </summary>
internal readonly record struct Fits(int MinAge = 0, int MaxAge = 120, Sex? Sex = null, DateOnly? From = null)
{
    // Through the primary constructor: a bare new() of a struct would leave MaxAge at 0.
    public static readonly Fits Anyone = new(MinAge: 0);

    public bool For(int age, Sex sex, DateOnly day) =>
        age >= MinAge && age <= MaxAge && (Sex is null || Sex == sex) && (From is null || day >= From);
}

/// <summary>How an allergic reaction presents: a severe one means a high risk of a life-threatening reaction next time.</summary>
internal enum ReactionSeverity
{
    Mild,
    Severe,
}

/// <summary>Whether a diagnosis stays (diabetes), may settle (reflux), or passes (a cold).</summary>
internal enum Course
{
    Chronic,
    Recurrent,
    Acute,
}

internal sealed record DemoAllergy(string Substance, AllergyCategory Category, string Reaction, ReactionSeverity Severity, Fits Fits)
{
    /// <summary>FHIR's criticality is the potential for a future life-threatening reaction: high after a severe one.</summary>
    public AllergyCriticality Criticality => Severity == ReactionSeverity.Severe ? AllergyCriticality.High : AllergyCriticality.Low;

    /// <summary>The reaction as a clinician writes it, with its severity (the record keeps no separate field for it).</summary>
    public string ReactionText => $"{Reaction} ({(Severity == ReactionSeverity.Severe ? "severe" : "mild")})";
}

internal sealed record DemoVaccine(string Name, int MaxDose, ProviderType[] Places, Fits Fits);

internal sealed record DemoMedication(string Name, string Dosage, ProviderType[] Prescribers, Fits Fits);

/// <summary>
/// A laboratory test: its LOINC code and the unit that code means, the decimals a lab reports, the reference range
/// (by age and sex where it differs; a null low end is "up to"), and the values drawn (physiologically possible,
/// mostly within the reference range).
/// </summary>
internal sealed record DemoLabTest(
    string Name, string Code, string Unit, int Decimals, Func<int, Sex, (decimal? Low, decimal High, decimal DrawLow, decimal DrawHigh)> Range, Fits Fits);

internal sealed record DemoExam(string Name, string Code, string Conclusion, Fits Fits);

internal sealed record DemoProcedure(string Name, string? Code, string BodySite, string Reason, ProviderType[] Places, Fits Fits);

internal sealed record DemoVisit(string Type, string Class, ProviderType[] Places, Fits Fits);

internal sealed record DemoDiagnosis(string Code, string Description, Course Course, Fits Fits);

/// <summary>Why someone was seen, and what the clinician wrote at the end.</summary>
internal sealed record DemoReason(string Reason, string Plan, Fits Fits);

/// <summary>
/// What the demo records, each item with whom it fits and which kinds of provider produce it: a laboratory reports
/// results, a radiology centre images, a pharmacy dispenses, only a hospital admits. A public hospital can produce
/// every kind of entry for a person of any age.
/// </summary>
internal static class DemoCatalogue
{
    private const ProviderType Hospital = ProviderType.PublicHospital;
    private const ProviderType Polyclinic = ProviderType.Polyclinic;
    private const ProviderType Gp = ProviderType.GeneralPractice;
    private const ProviderType Specialist = ProviderType.SpecialistClinic;

    public static readonly ProviderType[] AllergyRecorders = [Hospital, Polyclinic, Gp, Specialist, ProviderType.Dental];
    public static readonly ProviderType[] Laboratories = [Hospital, ProviderType.Laboratory, Polyclinic];
    public static readonly ProviderType[] Imaging = [ProviderType.Radiology, Hospital];
    public static readonly ProviderType[] Diagnosers = [Hospital, Polyclinic, Gp, Specialist];
    public static readonly ProviderType[] Admitting = [Hospital];
    public static readonly ProviderType[] VisitRecorders = [Hospital, Polyclinic, Gp, Specialist];

    private static readonly ProviderType[] Vaccinators = [Hospital, Polyclinic, Gp];
    private static readonly ProviderType[] Prescribers = [Hospital, Polyclinic, Gp, Specialist];

    /// <summary>Children's medicines: from the hospital, the polyclinic or the family doctor, not an adult specialist clinic.</summary>
    private static readonly ProviderType[] ChildPrescribers = [Hospital, Polyclinic, Gp];

    public static readonly DemoAllergy[] Allergies =
    [
        new("Penicillin", AllergyCategory.Medication, "Urticaria", ReactionSeverity.Mild, Fits.Anyone),
        new("Amoxicillin", AllergyCategory.Medication, "Maculopapular rash", ReactionSeverity.Mild, Fits.Anyone),
        // Aspirin is not given to children (Reye's syndrome).
        new("Aspirin", AllergyCategory.Medication, "Bronchospasm", ReactionSeverity.Severe, new(MinAge: 16)),
        new("Sulfonamides", AllergyCategory.Medication, "Stevens-Johnson syndrome", ReactionSeverity.Severe, new(MinAge: 2)),
        new("Shellfish", AllergyCategory.Food, "Anaphylaxis", ReactionSeverity.Severe, new(MinAge: 1)),
        new("Peanut", AllergyCategory.Food, "Angioedema", ReactionSeverity.Severe, new(MinAge: 1)),
        new("House dust mite", AllergyCategory.Environment, "Rhinitis", ReactionSeverity.Mild, new(MinAge: 2)),
        new("Latex", AllergyCategory.Environment, "Contact dermatitis", ReactionSeverity.Mild, new(MinAge: 5)),
    ];

    /// <summary>The national childhood schedule, and the vaccines of adults and older people.</summary>
    public static readonly DemoVaccine[] Vaccines =
    [
        new("BCG", 1, [Hospital], new(MaxAge: 0)),
        new("Hepatitis B (birth dose)", 1, [Hospital], new(MaxAge: 0)),
        new("Hepatitis B", 3, Vaccinators, new(MinAge: 18)),
        new("DTaP-IPV-Hib-HepB (6-in-1)", 3, [Polyclinic, Gp], new(MaxAge: 1)),
        new("Pneumococcal conjugate (PCV13)", 3, [Polyclinic, Gp], new(MaxAge: 1)),
        new("Pneumococcal conjugate (PCV13)", 1, Vaccinators, new(MinAge: 65)),
        new("Measles, mumps, rubella (MMR)", 2, [Polyclinic, Gp], new(MinAge: 1, MaxAge: 1)),
        new("Influenza (quadrivalent)", 1, Vaccinators, new(MinAge: 1)),
        new("COVID-19 mRNA", 3, Vaccinators, new(MinAge: 5, From: new DateOnly(2021, 1, 14))),
        new("Tetanus, diphtheria, pertussis (Tdap)", 1, Vaccinators, new(MinAge: 10)),
        new("Human papillomavirus (HPV)", 2, [Polyclinic, Gp], new(MinAge: 9, MaxAge: 26, Sex: Sex.Female)),
    ];

    /// <summary>What is prescribed (by a place that prescribes); any of them may be dispensed by a retail pharmacy too.</summary>
    public static readonly DemoMedication[] Medications =
    [
        new("Metformin 500 mg tablet", "1 tablet twice daily with meals", Prescribers, new(MinAge: 30)),
        new("Amlodipine 5 mg tablet", "1 tablet once daily", Prescribers, new(MinAge: 30)),
        new("Atorvastatin 20 mg tablet", "1 tablet at night", Prescribers, new(MinAge: 25)),
        new("Losartan 50 mg tablet", "1 tablet once daily", Prescribers, new(MinAge: 30)),
        new("Omeprazole 20 mg capsule", "1 capsule before breakfast", Prescribers, new(MinAge: 18)),
        new("Paracetamol 500 mg tablet", "2 tablets every 6 hours as needed", Prescribers, new(MinAge: 12)),
        new("Salbutamol 100 mcg inhaler", "2 puffs as needed", Prescribers, new(MinAge: 12)),
        new("Salbutamol 100 mcg inhaler with spacer", "2 puffs via spacer as needed", ChildPrescribers, new(MinAge: 2, MaxAge: 11)),
        new("Paracetamol 120 mg/5 mL oral suspension", "2.5 mL every 6 hours as needed", ChildPrescribers, new(MaxAge: 0)),
        new("Paracetamol 120 mg/5 mL oral suspension", "5 mL every 6 hours as needed", ChildPrescribers, new(MinAge: 1, MaxAge: 5)),
        new("Paracetamol 250 mg/5 mL oral suspension", "10 mL every 6 hours as needed", ChildPrescribers, new(MinAge: 6, MaxAge: 11)),
        new("Cetirizine 1 mg/mL oral solution", "5 mL once daily", ChildPrescribers, new(MinAge: 2, MaxAge: 11)),
        new("Chlorhexidine 0.2% mouthwash", "10 mL rinse twice daily for 7 days", [ProviderType.Dental, Hospital, Gp], new(MinAge: 12)),
    ];

    public static readonly DemoLabTest[] LabTests =
    [
        new("Haemoglobin", "718-7", "g/dL", 1, (age, sex) => age switch
        {
            < 2 => (10.5m, 13.5m, 8.5m, 15.0m),
            < 12 => (11.5m, 15.5m, 9.0m, 16.5m),
            _ when sex == Sex.Male => (13.5m, 17.5m, 9.5m, 18.5m),
            _ => (12.0m, 15.5m, 8.5m, 17.0m),
        }, Fits.Anyone),
        new("HbA1c", "4548-4", "%", 1, (_, _) => (4.0m, 5.6m, 4.2m, 11.0m), new(MinAge: 18)),
        new("Fasting glucose", "14771-0", "mmol/L", 1, (age, _) => age < 18 ? (3.9m, 6.0m, 3.4m, 7.0m) : (3.9m, 6.0m, 3.4m, 14.0m), new(MinAge: 1)),
        new("Creatinine", "14682-9", "umol/L", 0, (age, sex) => age switch
        {
            < 12 => (20m, 60m, 15m, 80m),
            _ when sex == Sex.Male => (65m, 110m, 50m, 450m),
            _ => (45m, 90m, 35m, 400m),
        }, new(MinAge: 1)),
        new("LDL cholesterol", "22748-8", "mmol/L", 1, (_, _) => (null, 3.4m, 1.0m, 6.2m), new(MinAge: 18)),
        new("Potassium", "2823-3", "mmol/L", 1, (_, _) => (3.5m, 5.1m, 2.8m, 6.2m), new(MinAge: 1)),
        new("Alanine aminotransferase", "1742-6", "U/L", 0, (_, _) => (7m, 56m, 5m, 250m), new(MinAge: 1)),
    ];

    public static readonly DemoExam[] RadiologyExams =
    [
        new("XR Chest 2 views", "36643-5", "No acute cardiopulmonary abnormality.", Fits.Anyone),
        new("CT Head without contrast", "30799-1", "No intracranial haemorrhage or mass effect.", new(MinAge: 1)),
        new("US Abdomen", "24558-9", "Mild hepatic steatosis. No gallstones.", new(MinAge: 18)),
        new("MRI Lumbar spine", "24967-2", "L4-L5 disc bulge without nerve root compression.", new(MinAge: 18)),
        new("Mammogram screening bilateral", "24606-6", "BI-RADS 1: negative.", new(MinAge: 40, Sex: Sex.Female)),
    ];

    public static readonly DemoProcedure[] Procedures =
    [
        new("Colonoscopy", "73761001", "Colon", "Positive faecal immunochemical test", [Hospital], new(MinAge: 40)),
        new("Cataract extraction", "54885007", "Right eye", "Age-related cataract", [Hospital], new(MinAge: 55)),
        new("Appendicectomy", "80146002", "Appendix", "Acute appendicitis", [Hospital], new(MinAge: 5)),
        new("Coronary angiography", "33367005", "Heart", "Chest pain on exertion", [Hospital], new(MinAge: 35)),
        new("Excision of skin lesion", "177300000", "Back", "Enlarging pigmented naevus", [Hospital, Gp], new(MinAge: 12)),
        new("Tooth extraction", "55162003", "Lower left first molar", "Dental caries", [ProviderType.Dental, Hospital], new(MinAge: 6)),
        new("Frenotomy", null, "Tongue", "Tongue-tie with feeding difficulty", [Hospital], new(MaxAge: 0)),
        new("Myringotomy and insertion of grommets", null, "Both ears", "Recurrent otitis media with effusion", [Hospital], new(MinAge: 1, MaxAge: 6)),
    ];

    public static readonly DemoVisit[] Visits =
    [
        new("Outpatient consultation", "Ambulatory", [Hospital, Specialist], Fits.Anyone),
        new("Polyclinic follow-up", "Ambulatory", [Polyclinic], Fits.Anyone),
        new("General practice consultation", "Ambulatory", [Gp], Fits.Anyone),
        new("Emergency department attendance", "Emergency", Admitting, Fits.Anyone),
        new("Inpatient admission", "Inpatient", Admitting, Fits.Anyone),
        new("Teleconsultation", "Virtual", VisitRecorders, new(MinAge: 18)),
        new("Dental consultation", "Ambulatory", [ProviderType.Dental], new(MinAge: 1)),
    ];

    public static readonly DemoDiagnosis[] Diagnoses =
    [
        new("E11.9", "Type 2 diabetes mellitus without complications", Course.Chronic, new(MinAge: 30)),
        new("I10", "Essential (primary) hypertension", Course.Chronic, new(MinAge: 30)),
        new("E78.5", "Hyperlipidaemia", Course.Chronic, new(MinAge: 25)),
        new("J45.909", "Asthma, uncomplicated", Course.Chronic, new(MinAge: 2)),
        new("K21.9", "Gastro-oesophageal reflux disease", Course.Recurrent, new(MinAge: 18)),
        new("M54.5", "Low back pain", Course.Recurrent, new(MinAge: 18)),
        new("N18.3", "Chronic kidney disease, stage 3", Course.Chronic, new(MinAge: 45)),
        new("J06.9", "Acute upper respiratory infection, unspecified", Course.Acute, Fits.Anyone),
        new("L20.9", "Atopic dermatitis, unspecified", Course.Recurrent, Fits.Anyone),
    ];

    public static readonly DemoReason[] VisitReasons =
    [
        new("review of blood pressure control", "Blood pressure at target; medication unchanged; review in 3 months.", new(MinAge: 30)),
        new("follow-up of diabetes", "Advised on diet and exercise; HbA1c to be repeated before the review in 3 months.", new(MinAge: 30)),
        new("annual health screening", "Results discussed; advised on diet and exercise; screening again in a year.", new(MinAge: 40)),
        new("medication review", "Medication reconciled and unchanged; review in 6 months.", new(MinAge: 18)),
        new("acute upper respiratory tract infection", "Symptomatic treatment; to return if the fever lasts beyond 3 days.", Fits.Anyone),
        new("review of laboratory results", "Results discussed; no change to treatment.", new(MinAge: 18)),
        new("developmental assessment", "Milestones appropriate for age; next assessment as scheduled.", new(MaxAge: 6)),
        new("flare of eczema", "Emollients and a mild topical steroid; review in 2 weeks.", new(MaxAge: 17)),
    ];

    public static readonly DemoReason[] DentalReasons =
    [
        new("toothache", "Caries found; restoration booked.", Fits.Anyone),
        new("routine dental check-up", "Scaling and polishing done; next check-up in 6 months.", Fits.Anyone),
    ];

    public static readonly DemoReason[] AdmissionReasons =
    [
        new("community-acquired pneumonia", "Treated with intravenous antibiotics; condition stable at discharge; follow-up at the specialist outpatient clinic in 2 weeks.", Fits.Anyone),
        new("chest pain, for evaluation", "Acute coronary syndrome excluded; condition stable at discharge; follow-up at the specialist outpatient clinic in 2 weeks.", new(MinAge: 30)),
        new("cellulitis of the left leg", "Treated with intravenous antibiotics, changed to oral; follow-up with the family doctor in 1 week.", new(MinAge: 12)),
        new("bronchiolitis", "Supportive care and feeds; discharged to the care of the parents; review at the polyclinic in 1 week.", new(MaxAge: 1)),
        new("acute gastroenteritis with dehydration", "Rehydrated; tolerating feeds at discharge; to return if vomiting recurs.", new(MaxAge: 12)),
    ];
}
