namespace Nehr.Core.Access;

/// <summary>Why the access decision came out as it did; one value per outcome of the access rules (docs/specification.md, A1–A8).</summary>
public enum DecisionReason
{
    PurposeNotCare,
    AccountDisabled,
    PersonNehrAccessSuspended,
    ProviderNehrAccessSuspended,
    ProviderNotOnboarded,
    RoleNotInCare,
    PatientNotRegistered,
    EmergencyOverride,
    NoRestriction,
    ProviderAllowedByPatient,
    PatientRestricted,
    OwnRecord,
    NotOwnRecord,

    /// <summary>The record of a patient the reader represents (a parent, a caregiver, an appointed representative): never a provider's access.</summary>
    RepresentedPatient,

    /// <summary>The person's provider did not recertify its personnel's roles in time (past the grace period).</summary>
    ProviderNotRecertified,
}

/// <summary>The outcome of one access decision: the level, always with its reason.</summary>
public sealed record AccessDecision(AccessLevel Level, DecisionReason Reason)
{
    public bool IsOverride => Reason == DecisionReason.EmergencyOverride;

    public bool AllowsClinicalData => Level != AccessLevel.Denied;

    /// <summary>Plain-language explanation, fit to show to the person who asked.</summary>
    public string Explanation => Reason switch
    {
        DecisionReason.PurposeNotCare => "The NEHR may only be used for patient care. Employment, insurance and other purposes are not allowed.",
        DecisionReason.AccountDisabled => "Your account is not active at your institution.",
        DecisionReason.PersonNehrAccessSuspended => "Your NEHR access is suspended by MOH.",
        DecisionReason.ProviderNehrAccessSuspended => "Your institution's NEHR access is suspended by MOH.",
        DecisionReason.ProviderNotOnboarded => "Your institution is not onboarded to the NEHR.",
        DecisionReason.RoleNotInCare => "Your current role is not directly involved in patient care.",
        DecisionReason.PatientNotRegistered => "This patient is not registered with your institution.",
        DecisionReason.EmergencyOverride => "Full record under your emergency override.",
        DecisionReason.NoRestriction => "Full record.",
        DecisionReason.ProviderAllowedByPatient => "Full record: the patient allows your institution.",
        DecisionReason.PatientRestricted => "The patient restricted access: only the basic set (demographics, allergies, vaccinations) is shown.",
        DecisionReason.OwnRecord => "Your own record.",
        DecisionReason.NotOwnRecord => "This account has no health record of its own.",
        DecisionReason.RepresentedPatient => "The record of the person you act for.",
        DecisionReason.ProviderNotRecertified => "Your institution has not recertified its personnel's roles in time: NEHR access is paused until a provider administrator of your institution attests the personnel list.",
        _ => Reason.ToString(),
    };
}

/// <summary>Everything the decision needs, read from current data at the moment of the read.</summary>
public sealed record AccessRequest
{
    public required PurposeOfUse Purpose { get; init; }

    /// <summary>The account can sign in (not disabled or locked) and the person has not left the provider.</summary>
    public required bool AccountActive { get; init; }

    public required bool PersonNehrAccessSuspended { get; init; }

    public required bool PersonInvolvedInCare { get; init; }

    public required bool ProviderOnboarded { get; init; }

    public required bool ProviderNehrAccessSuspended { get; init; }

    /// <summary>The provider's recertification is overdue past its grace period (<see cref="Administration.RecertificationState.Lapsed"/>).</summary>
    public bool ProviderRecertificationLapsed { get; init; }

    public required bool PatientRegisteredWithProvider { get; init; }

    public required RestrictionMode Restriction { get; init; }

    public required bool PatientAllowsProvider { get; init; }

    public required bool OverrideActive { get; init; }
}

/// <summary>The access rules (docs/specification.md, A1–A8), in order; the first that matches decides. Pure: no I/O, no clock.</summary>
public static class AccessRules
{
    public static AccessDecision Decide(AccessRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // 1. Only care.
        if (!request.Purpose.IsCare)
        {
            return new(AccessLevel.Denied, DecisionReason.PurposeNotCare);
        }

        // 2. Suspensions and onboarding.
        if (!request.AccountActive)
        {
            return new(AccessLevel.Denied, DecisionReason.AccountDisabled);
        }

        if (request.PersonNehrAccessSuspended)
        {
            return new(AccessLevel.Denied, DecisionReason.PersonNehrAccessSuspended);
        }

        if (request.ProviderNehrAccessSuspended)
        {
            return new(AccessLevel.Denied, DecisionReason.ProviderNehrAccessSuspended);
        }

        if (!request.ProviderOnboarded)
        {
            return new(AccessLevel.Denied, DecisionReason.ProviderNotOnboarded);
        }

        if (request.ProviderRecertificationLapsed)
        {
            return new(AccessLevel.Denied, DecisionReason.ProviderNotRecertified);
        }

        // 3. Current role directly involved in care.
        if (!request.PersonInvolvedInCare)
        {
            return new(AccessLevel.Denied, DecisionReason.RoleNotInCare);
        }

        // 4. Care registration.
        if (!request.PatientRegisteredWithProvider)
        {
            return new(AccessLevel.Denied, DecisionReason.PatientNotRegistered);
        }

        // 5. Active emergency override by this person for this patient.
        if (request.OverrideActive)
        {
            return new(AccessLevel.Full, DecisionReason.EmergencyOverride);
        }

        // 6.-8. The patient's restriction.
        return request.Restriction switch
        {
            RestrictionMode.None => new(AccessLevel.Full, DecisionReason.NoRestriction),
            RestrictionMode.AllowSelectedProviders when request.PatientAllowsProvider => new(AccessLevel.Full, DecisionReason.ProviderAllowedByPatient),
            _ => new(AccessLevel.BasicSetOnly, DecisionReason.PatientRestricted),
        };
    }
}
