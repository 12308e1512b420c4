namespace Nehr.Core.Records;

/// <summary>The six kinds of clinical information the NEHR holds (the "selected copy").</summary>
public enum EntryKind
{
    Allergy,
    Vaccination,
    Medication,
    LabResult,
    Diagnosis,
    Summary,
}

/// <summary>
/// One piece of contributed clinical information. Keeps its source provider, the contributing system,
/// the source's own identifier, when it happened and when it was contributed.
/// </summary>
public abstract class ClinicalEntry
{
    public const int MaxTextLength = 4000;
    public const int MaxShortTextLength = 200;

    protected ClinicalEntry()
    {
        SourceIdentifier = string.Empty;
    }

    protected ClinicalEntry(EntrySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.PatientId <= 0 || source.ProviderId <= 0)
        {
            throw new DomainException("An entry needs its patient and its source provider.");
        }

        SourceIdentifier = Required(source.SourceIdentifier, "source identifier", MaxShortTextLength);
        if (source.ContributedAtUtc < source.OccurredAtUtc.AddDays(-1))
        {
            // A day of slack allows for clocks and time zones at the source.
            throw new DomainException("An entry cannot be contributed before it happened.");
        }

        PatientId = source.PatientId;
        SourceProviderId = source.ProviderId;
        SourceSystemId = source.SystemId;
        OccurredAtUtc = source.OccurredAtUtc;
        ContributedAtUtc = source.ContributedAtUtc;
    }

    public long Id { get; private set; }

    public int PatientId { get; private set; }

    public abstract EntryKind Kind { get; }

    public int SourceProviderId { get; private set; }

    /// <summary>The contributing system; null for entries keyed in through the portal or seeded.</summary>
    public int? SourceSystemId { get; private set; }

    public string SourceIdentifier { get; private set; }

    public DateTime OccurredAtUtc { get; private set; }

    public DateTime ContributedAtUtc { get; private set; }

    /// <summary>The basic set stays visible to the care team when the patient restricts access.</summary>
    public bool IsInBasicSet => IsBasicSetKind(Kind);

    public static bool IsBasicSetKind(EntryKind kind) => kind is EntryKind.Allergy or EntryKind.Vaccination;

    protected static string Required(string? value, string what, int maxLength)
    {
        var trimmed = (value ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            throw new DomainException($"The {what} is required.");
        }

        if (trimmed.Length > maxLength)
        {
            throw new DomainException($"The {what} has at most {maxLength} characters.");
        }

        return trimmed;
    }

    protected static string? Optional(string? value, string what, int maxLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        return trimmed.Length > maxLength
            ? throw new DomainException($"The {what} has at most {maxLength} characters.")
            : trimmed;
    }
}

/// <summary>Where an entry comes from and when.</summary>
public sealed record EntrySource(
    int PatientId, int ProviderId, int? SystemId, string SourceIdentifier, DateTime OccurredAtUtc, DateTime ContributedAtUtc);

public enum AllergyCategory
{
    Medication,
    Food,
    Environment,
    Biologic,
}

public enum AllergyCriticality
{
    Low,
    High,
    Unknown,
}

public sealed class AllergyEntry : ClinicalEntry
{
    private AllergyEntry()
    {
        Substance = string.Empty;
    }

    public AllergyEntry(EntrySource source, string substance, AllergyCategory category, AllergyCriticality criticality, string? reaction)
        : base(source)
    {
        Substance = Required(substance, "substance", MaxShortTextLength);
        Category = category;
        Criticality = criticality;
        Reaction = Optional(reaction, "reaction", MaxShortTextLength);
    }

    public override EntryKind Kind => EntryKind.Allergy;

    public string Substance { get; private set; }

    public AllergyCategory Category { get; private set; }

    public AllergyCriticality Criticality { get; private set; }

    public string? Reaction { get; private set; }
}

public sealed class VaccinationEntry : ClinicalEntry
{
    private VaccinationEntry()
    {
        Vaccine = string.Empty;
    }

    public VaccinationEntry(EntrySource source, string vaccine, int? doseNumber)
        : base(source)
    {
        Vaccine = Required(vaccine, "vaccine", MaxShortTextLength);
        if (doseNumber is < 1 or > 20)
        {
            throw new DomainException("A dose number is between 1 and 20.");
        }

        DoseNumber = doseNumber;
    }

    public override EntryKind Kind => EntryKind.Vaccination;

    public string Vaccine { get; private set; }

    public int? DoseNumber { get; private set; }
}

public enum MedicationStatus
{
    Prescribed,
    Dispensed,
    Recorded,
}

public sealed class MedicationEntry : ClinicalEntry
{
    private MedicationEntry()
    {
        Medication = string.Empty;
    }

    public MedicationEntry(EntrySource source, string medication, string? dosage, MedicationStatus status)
        : base(source)
    {
        Medication = Required(medication, "medication", MaxShortTextLength);
        Dosage = Optional(dosage, "dosage", MaxShortTextLength);
        Status = status;
    }

    public override EntryKind Kind => EntryKind.Medication;

    public string Medication { get; private set; }

    public string? Dosage { get; private set; }

    public MedicationStatus Status { get; private set; }
}

public enum AbnormalFlag
{
    Normal,
    Low,
    High,
    CriticalLow,
    CriticalHigh,
    Abnormal,
}

public sealed class LabResultEntry : ClinicalEntry
{
    private LabResultEntry()
    {
        TestName = string.Empty;
        Value = string.Empty;
    }

    public LabResultEntry(
        EntrySource source, string testName, string? testCode, string value, string? unit,
        decimal? referenceLow, decimal? referenceHigh, AbnormalFlag flag)
        : base(source)
    {
        TestName = Required(testName, "test name", MaxShortTextLength);
        TestCode = Optional(testCode, "test code", 40);
        Value = Required(value, "result value", MaxShortTextLength);
        Unit = Optional(unit, "unit", 40);
        if (referenceLow is not null && referenceHigh is not null && referenceLow > referenceHigh)
        {
            throw new DomainException("The low end of the reference range is above its high end.");
        }

        ReferenceLow = referenceLow;
        ReferenceHigh = referenceHigh;
        Flag = flag;
    }

    public override EntryKind Kind => EntryKind.LabResult;

    public string TestName { get; private set; }

    /// <summary>LOINC code where the source gave one.</summary>
    public string? TestCode { get; private set; }

    public string Value { get; private set; }

    public string? Unit { get; private set; }

    public decimal? ReferenceLow { get; private set; }

    public decimal? ReferenceHigh { get; private set; }

    public AbnormalFlag Flag { get; private set; }
}

public enum DiagnosisStatus
{
    Active,
    Resolved,
}

public sealed class DiagnosisEntry : ClinicalEntry
{
    private DiagnosisEntry()
    {
        Description = string.Empty;
    }

    public DiagnosisEntry(EntrySource source, string? code, string description, DiagnosisStatus status)
        : base(source)
    {
        Code = Optional(code, "diagnosis code", 40);
        Description = Required(description, "diagnosis", MaxShortTextLength);
        Status = status;
    }

    public override EntryKind Kind => EntryKind.Diagnosis;

    /// <summary>ICD-10 or SNOMED CT code where the source gave one.</summary>
    public string? Code { get; private set; }

    public string Description { get; private set; }

    public DiagnosisStatus Status { get; private set; }
}

public enum SummaryType
{
    Visit,
    Discharge,
}

public sealed class SummaryEntry : ClinicalEntry
{
    private SummaryEntry()
    {
        Title = string.Empty;
        Text = string.Empty;
    }

    public SummaryEntry(EntrySource source, SummaryType type, string title, string text)
        : base(source)
    {
        Type = type;
        Title = Required(title, "title", MaxShortTextLength);
        Text = Required(text, "summary text", MaxTextLength);
    }

    public override EntryKind Kind => EntryKind.Summary;

    public SummaryType Type { get; private set; }

    public string Title { get; private set; }

    public string Text { get; private set; }
}
