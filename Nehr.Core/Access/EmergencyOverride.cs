namespace Nehr.Core.Access;

public enum OverrideReason
{
    UnconsciousPatient,
    LifeThreateningCondition,
    PatientUnableToConsent,
}

public enum OverrideReviewStatus
{
    Pending,
    Appropriate,
    Inappropriate,
}

/// <summary>
/// "Break the glass": a clinician's time-bound override of a patient's restriction in a life-threatening emergency.
/// Reviewed afterwards by an MOH auditor.
/// </summary>
public sealed class EmergencyOverride
{
    /// <summary>The ceiling on any override window (5 days), whatever the configuration says.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(5);

    private EmergencyOverride()
    {
        Justification = string.Empty;
    }

    public EmergencyOverride(
        int patientId, int personnelId, int providerId, OverrideReason reason, Justification justification,
        bool attested, DateTime grantedAtUtc, TimeSpan duration)
    {
        if (patientId <= 0 || personnelId <= 0 || providerId <= 0)
        {
            throw new DomainException("An override needs a patient, a clinician and a provider.");
        }

        if (!Enum.IsDefined(reason))
        {
            throw new DomainException("Choose the reason for the emergency override.");
        }

        if (justification == default)
        {
            throw new DomainException("A justification is required.");
        }

        if (!attested)
        {
            throw new DomainException("Confirm that you understand overrides are audited and misuse is penalised.");
        }

        if (duration <= TimeSpan.Zero || duration > MaxDuration)
        {
            throw new DomainException("An override lasts more than zero and at most 5 days.");
        }

        PatientId = patientId;
        PersonnelId = personnelId;
        ProviderId = providerId;
        Reason = reason;
        Justification = justification.Text;
        GrantedAtUtc = grantedAtUtc;
        ExpiresAtUtc = grantedAtUtc + duration;
        ReviewStatus = OverrideReviewStatus.Pending;
    }

    public long Id { get; private set; }

    public int PatientId { get; private set; }

    public int PersonnelId { get; private set; }

    public int ProviderId { get; private set; }

    public OverrideReason Reason { get; private set; }

    public string Justification { get; private set; }

    public DateTime GrantedAtUtc { get; private set; }

    public DateTime ExpiresAtUtc { get; private set; }

    public OverrideReviewStatus ReviewStatus { get; private set; }

    public string? ReviewedBy { get; private set; }

    public DateTime? ReviewedAtUtc { get; private set; }

    public string? Findings { get; private set; }

    public bool ReferredToProfessionalBody { get; private set; }

    public bool IsActiveAt(DateTime nowUtc) => nowUtc >= GrantedAtUtc && nowUtc < ExpiresAtUtc;

    /// <summary>
    /// Ends the override early, at the clinician's word: from <paramref name="atUtc"/> on it gives nothing (the window
    /// ends then). It is still reviewed by MOH, as every override is.
    /// </summary>
    public void EndAt(DateTime atUtc)
    {
        if (!IsActiveAt(atUtc))
        {
            throw new DomainException("This emergency override has already ended.");
        }

        ExpiresAtUtc = atUtc;
    }

    /// <summary>The body the clinician was referred to after an inappropriate verdict; null when not referred.</summary>
    public ProfessionalBody? ReferredTo { get; private set; }

    /// <summary>The body's reference for its case, given at the referral or when its decision comes back.</summary>
    public string? ReferralReference { get; private set; }

    /// <summary>What the body decided, recorded by an MOH auditor when it comes back.</summary>
    public string? ReferralOutcome { get; private set; }

    /// <summary>The penalty the body imposed (null: none).</summary>
    public string? ReferralPenalty { get; private set; }

    public string? ReferralOutcomeRecordedBy { get; private set; }

    public DateTime? ReferralOutcomeRecordedAtUtc { get; private set; }

    /// <summary>
    /// The auditor's verdict, given once: appropriate, or inappropriate with findings and perhaps a referral to the
    /// clinician's professional body (with the body's reference when it is known already).
    /// </summary>
    public void Review(bool appropriate, string? findings, ProfessionalBody? referTo, string reviewedBy, DateTime atUtc, string? reference = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reviewedBy);
        if (ReviewStatus != OverrideReviewStatus.Pending)
        {
            throw new DomainException("This override has already been reviewed.");
        }

        var trimmed = findings?.Trim();
        if (!appropriate && string.IsNullOrEmpty(trimmed))
        {
            throw new DomainException("Record the findings that make this override inappropriate.");
        }

        var trimmedReference = reference?.Trim();
        if (referTo is null && !string.IsNullOrEmpty(trimmedReference))
        {
            throw new DomainException("Choose the professional body the reference is of.");
        }

        if (appropriate && referTo is not null)
        {
            throw new DomainException("Only an inappropriate override can be referred to the professional body.");
        }

        if (referTo is { } body && !Enum.IsDefined(body))
        {
            throw new DomainException("Choose the professional body from the list.");
        }

        if (trimmedReference?.Length > ProfessionalBodies.MaxReferenceLength)
        {
            throw new DomainException($"The body's reference has at most {ProfessionalBodies.MaxReferenceLength} characters.");
        }

        ReviewStatus = appropriate ? OverrideReviewStatus.Appropriate : OverrideReviewStatus.Inappropriate;
        Findings = string.IsNullOrEmpty(trimmed) ? null : trimmed;
        ReferredTo = referTo;
        ReferredToProfessionalBody = referTo is not null;
        ReferralReference = string.IsNullOrEmpty(trimmedReference) ? null : trimmedReference;
        ReviewedBy = reviewedBy;
        ReviewedAtUtc = atUtc;
    }

    /// <summary>
    /// The professional body's decision, recorded once when it comes back: its reference (if not given at the referral),
    /// its outcome, and the penalty it imposed (none when empty).
    /// </summary>
    public void RecordReferralOutcome(string? reference, string? outcome, string? penalty, string recordedBy, DateTime atUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(recordedBy);
        if (ReferredTo is null)
        {
            throw new DomainException("This override was not referred to a professional body: there is no outcome to record.");
        }

        if (ReferralOutcome is not null)
        {
            throw new DomainException("The professional body's outcome has already been recorded.");
        }

        var trimmedReference = reference?.Trim();
        if (string.IsNullOrEmpty(trimmedReference))
        {
            trimmedReference = ReferralReference;
        }

        if (string.IsNullOrEmpty(trimmedReference))
        {
            throw new DomainException("Enter the professional body's reference for its case.");
        }

        if (trimmedReference.Length > ProfessionalBodies.MaxReferenceLength)
        {
            throw new DomainException($"The body's reference has at most {ProfessionalBodies.MaxReferenceLength} characters.");
        }

        var trimmedOutcome = outcome?.Trim();
        if (string.IsNullOrEmpty(trimmedOutcome))
        {
            throw new DomainException("Record the professional body's outcome.");
        }

        var trimmedPenalty = penalty?.Trim();
        if (trimmedOutcome.Length > ProfessionalBodies.MaxOutcomeLength || trimmedPenalty?.Length > ProfessionalBodies.MaxOutcomeLength)
        {
            throw new DomainException($"The outcome and the penalty have at most {ProfessionalBodies.MaxOutcomeLength} characters each.");
        }

        ReferralReference = trimmedReference;
        ReferralOutcome = trimmedOutcome;
        ReferralPenalty = string.IsNullOrEmpty(trimmedPenalty) ? null : trimmedPenalty;
        ReferralOutcomeRecordedBy = recordedBy;
        ReferralOutcomeRecordedAtUtc = atUtc;
    }
}
