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

    public void Review(bool appropriate, string? findings, bool referToProfessionalBody, string reviewedBy, DateTime atUtc)
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

        if (appropriate && referToProfessionalBody)
        {
            throw new DomainException("Only an inappropriate override can be referred to the professional body.");
        }

        ReviewStatus = appropriate ? OverrideReviewStatus.Appropriate : OverrideReviewStatus.Inappropriate;
        Findings = string.IsNullOrEmpty(trimmed) ? null : trimmed;
        ReferredToProfessionalBody = referToProfessionalBody;
        ReviewedBy = reviewedBy;
        ReviewedAtUtc = atUtc;
    }
}
