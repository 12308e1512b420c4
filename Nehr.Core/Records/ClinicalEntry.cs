using System.Security.Cryptography;
using System.Text;

namespace Nehr.Core.Records;

/// <summary>
/// The kinds of clinical information the NEHR holds (the "selected copy"), in the order the record shows them:
/// allergies and adverse reactions, vaccinations, medications, laboratory results, radiology results, diagnoses,
/// surgeries and procedures, visits (admission and visit history), discharge summaries and other clinical documents.
/// </summary>
public enum EntryKind
{
    Allergy,
    Vaccination,
    Medication,
    LabResult,
    RadiologyResult,
    Diagnosis,
    Procedure,
    Visit,
    Summary,
}

/// <summary>
/// One piece of contributed clinical information. Keeps its source provider, the contributing system, the source's
/// own identifier (whole, never cut), when it happened and when it was contributed, the status the source gave it,
/// and whether the source has withdrawn it (sent it again as entered-in-error).
/// </summary>
public abstract class ClinicalEntry
{
    /// <summary>The longest free text the NEHR keeps (a report, a summary): FHIR's own limit for a string, 1 MB.</summary>
    public const int MaxTextLength = 1_048_576;

    /// <summary>The longest name-like text (a test, a substance, a medication): longer than any real one, so none is refused or cut.</summary>
    public const int MaxShortTextLength = 1000;

    /// <summary>The longest source identifier (system|value): FHIR's limit for a string. It is kept whole and compared whole.</summary>
    public const int MaxSourceIdentifierLength = 1_048_576;

    public const int MaxCodeLength = 64;

    /// <summary>The patient and provider of an entry read from a contribution, until <see cref="FileUnder"/>.</summary>
    public const int NotYetFiled = int.MaxValue;

    protected ClinicalEntry()
    {
        SourceIdentifier = string.Empty;
        SourceIdentifierHash = string.Empty;
    }

    protected ClinicalEntry(EntrySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.PatientId <= 0 || source.ProviderId <= 0)
        {
            throw new DomainException("An entry needs its patient and its source provider.");
        }

        SourceIdentifier = Required(source.SourceIdentifier, "source identifier", MaxSourceIdentifierLength);
        SourceIdentifierHash = HashOf(SourceIdentifier);
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
        Status = Optional(source.Status, "status", MaxCodeLength);
    }

    public long Id { get; private set; }

    public int PatientId { get; private set; }

    public abstract EntryKind Kind { get; }

    public int SourceProviderId { get; private set; }

    /// <summary>The contributing system; null for entries keyed in through the portal or seeded.</summary>
    public int? SourceSystemId { get; private set; }

    /// <summary>The source's own identifier, whole.</summary>
    public string SourceIdentifier { get; private set; }

    /// <summary>SHA-256 of <see cref="SourceIdentifier"/> (hex): what the index holds, so that any length is looked up fast.</summary>
    public string SourceIdentifierHash { get; private set; }

    public DateTime OccurredAtUtc { get; private set; }

    public DateTime ContributedAtUtc { get; private set; }

    /// <summary>The status the source gave (FHIR's code as sent, e.g. final, preliminary, active, stopped); null when it gave none.</summary>
    public string? Status { get; private set; }

    /// <summary>When the source withdrew the entry (entered-in-error): hidden from clinical views, kept for the audit.</summary>
    public DateTime? WithdrawnAtUtc { get; private set; }

    public bool IsWithdrawn => WithdrawnAtUtc is not null;

    /// <summary>The basic set stays visible to the care team when the patient restricts access.</summary>
    public bool IsInBasicSet => IsBasicSetKind(Kind);

    public static bool IsBasicSetKind(EntryKind kind) => kind is EntryKind.Allergy or EntryKind.Vaccination;

    /// <summary>Files an entry read from a contribution under its patient, its source provider and system (once, before it is stored).</summary>
    public void FileUnder(int patientId, int providerId, int? systemId)
    {
        if (Id != 0 || PatientId != NotYetFiled)
        {
            throw new InvalidOperationException("This entry is already filed.");
        }

        if (patientId <= 0 || patientId == NotYetFiled || providerId <= 0 || providerId == NotYetFiled)
        {
            throw new DomainException("An entry needs its patient and its source provider.");
        }

        PatientId = patientId;
        SourceProviderId = providerId;
        SourceSystemId = systemId;
    }

    /// <summary>
    /// The source sent this entry again: it takes the new content and status (a withdrawn entry is back, as the source
    /// now says). Only an entry of the same kind, of the same patient, from the same system under the same identifier
    /// replaces it: an entry belongs to its patient for ever.
    /// </summary>
    public void Supersede(ClinicalEntry newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        if (newer.GetType() != GetType() || newer.PatientId != PatientId || newer.SourceProviderId != SourceProviderId
            || newer.SourceSystemId != SourceSystemId || !string.Equals(newer.SourceIdentifier, SourceIdentifier, StringComparison.Ordinal))
        {
            throw new DomainException("An entry is replaced only by the same kind of entry, for the same patient, from the same source under the same identifier.");
        }

        OccurredAtUtc = newer.OccurredAtUtc;
        ContributedAtUtc = newer.ContributedAtUtc;
        Status = newer.Status;
        WithdrawnAtUtc = newer.WithdrawnAtUtc;
        TakeContentOf(newer);
    }

    /// <summary>Takes the content of an entry of the same kind (checked by <see cref="Supersede"/>).</summary>
    protected abstract void TakeContentOf(ClinicalEntry newer);

    /// <summary>FHIR's code for a resource the source entered in error.</summary>
    public const string EnteredInError = "entered-in-error";

    /// <summary>
    /// The source says the entry was entered in error (or, for a result or a visit, cancelled): it stays with its patient,
    /// withdrawn, and its status reads as the source now gives it, not as it was before.
    /// </summary>
    public void Withdraw(DateTime atUtc, string? sourceStatus = null)
    {
        WithdrawnAtUtc ??= atUtc;
        WithdrawStatus(string.IsNullOrWhiteSpace(sourceStatus) ? EnteredInError : sourceStatus.Trim());
    }

    /// <summary>Where the kind carries the withdrawal: in its status unless it has a verification status.</summary>
    protected virtual void WithdrawStatus(string sourceStatus) => Status = sourceStatus.Length <= MaxCodeLength ? sourceStatus : EnteredInError;

    /// <summary>A kind whose verification status carries entered-in-error has no clinical status then (FHIR ait-1, con-5).</summary>
    protected void ClearStatus() => Status = null;

    public static string HashOf(string sourceIdentifier) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sourceIdentifier ?? string.Empty)));

    protected static string Required(string? value, string what, int maxLength)
    {
        var trimmed = (value ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            throw new DomainException($"The {what} is required.");
        }

        if (trimmed.Length > maxLength)
        {
            throw new DomainException($"The {what} has at most {maxLength:N0} characters.");
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
            ? throw new DomainException($"The {what} has at most {maxLength:N0} characters.")
            : trimmed;
    }

    protected static TEnum Defined<TEnum>(TEnum value, string what)
        where TEnum : struct, Enum =>
        Enum.IsDefined(value) ? value : throw new DomainException($"Unknown {what}.");
}

/// <summary>Where an entry comes from and when, and the status the source gave it (null: not stated).</summary>
public sealed record EntrySource(
    int PatientId, int ProviderId, int? SystemId, string SourceIdentifier, DateTime OccurredAtUtc, DateTime ContributedAtUtc,
    string? Status = null);

/// <summary>An allergy's category; <see cref="NotStated"/> when the source gave none (never guessed).</summary>
public enum AllergyCategory
{
    NotStated,
    Medication,
    Food,
    Environment,
    Biologic,
}

public enum AllergyCriticality
{
    NotStated,
    Low,
    High,
    UnableToAssess,
}

public sealed class AllergyEntry : ClinicalEntry
{
    private AllergyEntry()
    {
        Substance = string.Empty;
    }

    public AllergyEntry(
        EntrySource source, string substance, AllergyCategory category, AllergyCriticality criticality, string? reaction,
        string? verification = null)
        : base(source)
    {
        Substance = Required(substance, "substance", MaxShortTextLength);
        Category = Defined(category, "allergy category");
        Criticality = Defined(criticality, "criticality");
        Reaction = Optional(reaction, "reaction", MaxShortTextLength);
        Verification = Optional(verification, "verification status", MaxCodeLength);
    }

    public override EntryKind Kind => EntryKind.Allergy;

    public string Substance { get; private set; }

    public AllergyCategory Category { get; private set; }

    public AllergyCriticality Criticality { get; private set; }

    public string? Reaction { get; private set; }

    /// <summary>The source's verification status (unconfirmed, confirmed, refuted); null when not stated.</summary>
    public string? Verification { get; private set; }

    protected override void WithdrawStatus(string sourceStatus)
    {
        ClearStatus();
        Verification = EnteredInError;
    }

    protected override void TakeContentOf(ClinicalEntry newer)
    {
        var entry = (AllergyEntry)newer;
        Substance = entry.Substance;
        Category = entry.Category;
        Criticality = entry.Criticality;
        Reaction = entry.Reaction;
        Verification = entry.Verification;
    }
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
        if (doseNumber is < 1 or > 100)
        {
            throw new DomainException("A dose number is between 1 and 100 (a course of allergen immunotherapy runs to dozens).");
        }

        DoseNumber = doseNumber;
    }

    public override EntryKind Kind => EntryKind.Vaccination;

    public string Vaccine { get; private set; }

    public int? DoseNumber { get; private set; }

    protected override void TakeContentOf(ClinicalEntry newer)
    {
        var entry = (VaccinationEntry)newer;
        Vaccine = entry.Vaccine;
        DoseNumber = entry.DoseNumber;
    }
}

/// <summary>What a medication entry records: a prescription, a dispensing, or a statement of use.</summary>
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
        Record = Defined(status, "medication record");
    }

    public override EntryKind Kind => EntryKind.Medication;

    public string Medication { get; private set; }

    public string? Dosage { get; private set; }

    public MedicationStatus Record { get; private set; }

    protected override void TakeContentOf(ClinicalEntry newer)
    {
        var entry = (MedicationEntry)newer;
        Medication = entry.Medication;
        Dosage = entry.Dosage;
        Record = entry.Record;
    }
}

/// <summary>A result's interpretation; <see cref="NotStated"/> when the source gave none (never shown as normal).</summary>
public enum AbnormalFlag
{
    NotStated,
    Normal,
    Low,
    High,
    CriticalLow,
    CriticalHigh,
    Abnormal,

    /// <summary>An interpretation outside the flags above (positive, detected, resistant…): its text is shown as given.</summary>
    Other,
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
        decimal? referenceLow, decimal? referenceHigh, AbnormalFlag flag, string? interpretation = null, string? referenceText = null)
        : base(source)
    {
        TestName = Required(testName, "test name", MaxShortTextLength);
        TestCode = Optional(testCode, "test code", MaxCodeLength);
        Value = Required(value, "result value", MaxTextLength);
        Unit = Optional(unit, "unit", MaxCodeLength);
        if (referenceLow is not null && referenceHigh is not null && referenceLow > referenceHigh)
        {
            throw new DomainException("The low end of the reference range is above its high end.");
        }

        ReferenceLow = referenceLow;
        ReferenceHigh = referenceHigh;
        ReferenceText = Optional(referenceText, "reference range", MaxShortTextLength);
        Flag = Defined(flag, "interpretation");
        Interpretation = Optional(interpretation, "interpretation", MaxShortTextLength);
        if (Flag == AbnormalFlag.Other && Interpretation is null)
        {
            throw new DomainException("An interpretation outside the usual flags needs its text.");
        }
    }

    public override EntryKind Kind => EntryKind.LabResult;

    public string TestName { get; private set; }

    /// <summary>LOINC code where the source gave one.</summary>
    public string? TestCode { get; private set; }

    public string Value { get; private set; }

    public string? Unit { get; private set; }

    public decimal? ReferenceLow { get; private set; }

    public decimal? ReferenceHigh { get; private set; }

    /// <summary>The reference range as text, where the source gave it so.</summary>
    public string? ReferenceText { get; private set; }

    public AbnormalFlag Flag { get; private set; }

    /// <summary>The source's interpretation in words (its display or code), where it gave one.</summary>
    public string? Interpretation { get; private set; }

    protected override void TakeContentOf(ClinicalEntry newer)
    {
        var entry = (LabResultEntry)newer;
        TestName = entry.TestName;
        TestCode = entry.TestCode;
        Value = entry.Value;
        Unit = entry.Unit;
        ReferenceLow = entry.ReferenceLow;
        ReferenceHigh = entry.ReferenceHigh;
        ReferenceText = entry.ReferenceText;
        Flag = entry.Flag;
        Interpretation = entry.Interpretation;
    }
}

/// <summary>A radiology (imaging) result: the examination, what it found and the report.</summary>
public sealed class RadiologyResultEntry : ClinicalEntry
{
    private RadiologyResultEntry()
    {
        Examination = string.Empty;
    }

    public RadiologyResultEntry(EntrySource source, string examination, string? examinationCode, string? conclusion, string? report)
        : base(source)
    {
        Examination = Required(examination, "examination", MaxShortTextLength);
        ExaminationCode = Optional(examinationCode, "examination code", MaxCodeLength);
        Conclusion = Optional(conclusion, "conclusion", MaxTextLength);
        Report = Optional(report, "report", MaxTextLength);
        if (Conclusion is null && Report is null)
        {
            throw new DomainException("A radiology result needs its conclusion or its report.");
        }
    }

    public override EntryKind Kind => EntryKind.RadiologyResult;

    public string Examination { get; private set; }

    public string? ExaminationCode { get; private set; }

    public string? Conclusion { get; private set; }

    public string? Report { get; private set; }

    protected override void TakeContentOf(ClinicalEntry newer)
    {
        var entry = (RadiologyResultEntry)newer;
        Examination = entry.Examination;
        ExaminationCode = entry.ExaminationCode;
        Conclusion = entry.Conclusion;
        Report = entry.Report;
    }
}

/// <summary>A diagnosis's clinical status as the source gave it; <see cref="NotStated"/> when it gave none.</summary>
public enum DiagnosisStatus
{
    NotStated,
    Active,
    Recurrence,
    Relapse,
    Inactive,
    Remission,
    Resolved,
}

public sealed class DiagnosisEntry : ClinicalEntry
{
    private DiagnosisEntry()
    {
        Description = string.Empty;
    }

    public DiagnosisEntry(EntrySource source, string? code, string description, DiagnosisStatus status, string? verification = null)
        : base(source)
    {
        Code = Optional(code, "diagnosis code", MaxCodeLength);
        Description = Required(description, "diagnosis", MaxShortTextLength);
        ClinicalStatus = Defined(status, "diagnosis status");
        Verification = Optional(verification, "verification status", MaxCodeLength);
    }

    public override EntryKind Kind => EntryKind.Diagnosis;

    /// <summary>ICD-10 or SNOMED CT code where the source gave one.</summary>
    public string? Code { get; private set; }

    public string Description { get; private set; }

    public DiagnosisStatus ClinicalStatus { get; private set; }

    /// <summary>The source's verification status (provisional, differential, confirmed, refuted); null when not stated.</summary>
    public string? Verification { get; private set; }

    protected override void WithdrawStatus(string sourceStatus)
    {
        ClearStatus();
        ClinicalStatus = DiagnosisStatus.NotStated;
        Verification = EnteredInError;
    }

    protected override void TakeContentOf(ClinicalEntry newer)
    {
        var entry = (DiagnosisEntry)newer;
        Code = entry.Code;
        Description = entry.Description;
        ClinicalStatus = entry.ClinicalStatus;
        Verification = entry.Verification;
    }
}

/// <summary>A surgery or procedure.</summary>
public sealed class ProcedureEntry : ClinicalEntry
{
    private ProcedureEntry()
    {
        Procedure = string.Empty;
    }

    public ProcedureEntry(
        EntrySource source, string procedure, string? code, DateTime? endedAtUtc, string? bodySite, string? reason, string? outcome)
        : base(source)
    {
        Procedure = Required(procedure, "procedure", MaxShortTextLength);
        Code = Optional(code, "procedure code", MaxCodeLength);
        if (endedAtUtc < source.OccurredAtUtc)
        {
            throw new DomainException("A procedure cannot end before it started.");
        }

        EndedAtUtc = endedAtUtc;
        BodySite = Optional(bodySite, "body site", MaxShortTextLength);
        Reason = Optional(reason, "reason", MaxShortTextLength);
        Outcome = Optional(outcome, "outcome", MaxShortTextLength);
    }

    public override EntryKind Kind => EntryKind.Procedure;

    public string Procedure { get; private set; }

    public string? Code { get; private set; }

    public DateTime? EndedAtUtc { get; private set; }

    public string? BodySite { get; private set; }

    public string? Reason { get; private set; }

    public string? Outcome { get; private set; }

    protected override void TakeContentOf(ClinicalEntry newer)
    {
        var entry = (ProcedureEntry)newer;
        Procedure = entry.Procedure;
        Code = entry.Code;
        EndedAtUtc = entry.EndedAtUtc;
        BodySite = entry.BodySite;
        Reason = entry.Reason;
        Outcome = entry.Outcome;
    }
}

/// <summary>A visit or admission (a FHIR Encounter): its type, class, period, reason and the serving organisation.</summary>
public sealed class VisitEntry : ClinicalEntry
{
    private VisitEntry()
    {
        VisitType = string.Empty;
    }

    public VisitEntry(
        EntrySource source, string visitType, string? visitClass, DateTime? endedAtUtc, string? reason, string? servedBy, string? dischargeDisposition)
        : base(source)
    {
        VisitType = Required(visitType, "visit type", MaxShortTextLength);
        VisitClass = Optional(visitClass, "visit class", MaxShortTextLength);
        if (endedAtUtc < source.OccurredAtUtc)
        {
            throw new DomainException("A visit cannot end before it started.");
        }

        EndedAtUtc = endedAtUtc;
        Reason = Optional(reason, "reason", MaxShortTextLength);
        ServedBy = Optional(servedBy, "serving organisation", MaxShortTextLength);
        DischargeDisposition = Optional(dischargeDisposition, "discharge disposition", MaxShortTextLength);
    }

    public override EntryKind Kind => EntryKind.Visit;

    public string VisitType { get; private set; }

    /// <summary>The class in words (ambulatory, emergency, inpatient…), or the code as sent when it has no words here.</summary>
    public string? VisitClass { get; private set; }

    public DateTime? EndedAtUtc { get; private set; }

    public string? Reason { get; private set; }

    /// <summary>The serving organisation's name as the source displayed it.</summary>
    public string? ServedBy { get; private set; }

    public string? DischargeDisposition { get; private set; }

    protected override void TakeContentOf(ClinicalEntry newer)
    {
        var entry = (VisitEntry)newer;
        VisitType = entry.VisitType;
        VisitClass = entry.VisitClass;
        EndedAtUtc = entry.EndedAtUtc;
        Reason = entry.Reason;
        ServedBy = entry.ServedBy;
        DischargeDisposition = entry.DischargeDisposition;
    }
}

/// <summary>What a clinical document is: a discharge summary, or another note of a visit.</summary>
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
        Type = Defined(type, "summary type");
        Title = Required(title, "title", MaxShortTextLength);
        Text = Required(text, "summary text", MaxTextLength);
    }

    public override EntryKind Kind => EntryKind.Summary;

    public SummaryType Type { get; private set; }

    public string Title { get; private set; }

    public string Text { get; private set; }

    protected override void TakeContentOf(ClinicalEntry newer)
    {
        var entry = (SummaryEntry)newer;
        Type = entry.Type;
        Title = entry.Title;
        Text = entry.Text;
    }
}
