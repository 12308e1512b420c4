using System.ComponentModel.DataAnnotations;

namespace Nehr.Core.Administration;

/// <summary>Settings of section "Nehr:Recertification": how often providers re-attest their personnel, and the grace after.</summary>
public sealed class RecertificationOptions
{
    public const string Section = "Nehr:Recertification";

    /// <summary>Every provider administrator re-attests their personnel's roles and care involvement this often, in days.</summary>
    [Range(7, 365, ErrorMessage = "Nehr:Recertification:IntervalDays must be between 7 and 365.")]
    public int IntervalDays { get; set; } = 90;

    /// <summary>
    /// How long an overdue provider keeps NEHR access, in days; past it, its personnel's reads are refused until it
    /// recertifies.
    /// </summary>
    [Range(0, 90, ErrorMessage = "Nehr:Recertification:GraceDays must be between 0 and 90.")]
    public int GraceDays { get; set; } = 14;

    public TimeSpan Interval => TimeSpan.FromDays(IntervalDays);

    public TimeSpan Grace => TimeSpan.FromDays(GraceDays);
}

/// <summary>Where a provider stands with the recertification of its personnel's roles.</summary>
public enum RecertificationState
{
    /// <summary>Not onboarded (it reads nothing), or the population register's keeper.</summary>
    NotApplicable,

    /// <summary>Attested within the interval.</summary>
    Current,

    /// <summary>Past its due date, within the grace period: its staff still read the NEHR.</summary>
    Overdue,

    /// <summary>Past its due date and the grace period: its staff's NEHR access is lost until it recertifies.</summary>
    Lapsed,
}

/// <summary>
/// A provider's recertification at a moment: when it last attested, when the next attestation is due (a cycle starts at
/// onboarding, then at each attestation) and when its staff lose NEHR access if it does not. Pure: computed from the
/// provider's current data, so an attestation restores access on the very next read.
/// </summary>
public sealed record RecertificationStatus(RecertificationState State, DateTime? LastAttestedAtUtc, DateTime? DueUtc, DateTime? AccessEndsUtc)
{
    public bool IsOverdue => State is RecertificationState.Overdue or RecertificationState.Lapsed;

    public static RecertificationStatus Of(Provider provider, DateTime nowUtc, RecertificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(options);
        if (provider.OnboardingState != OnboardingState.Onboarded || provider.Type == ProviderType.PopulationRegister)
        {
            return new(RecertificationState.NotApplicable, provider.RecertifiedAtUtc, null, null);
        }

        // A provider onboarded before recertification existed has no start to count from: it is shown overdue (never
        // attested) but keeps access until it attests once (see the README's upgrade note).
        if ((provider.RecertifiedAtUtc ?? provider.OnboardedAtUtc) is not { } start)
        {
            return new(RecertificationState.Overdue, null, null, null);
        }

        var due = start + options.Interval;
        var ends = due + options.Grace;
        var state = nowUtc < due ? RecertificationState.Current : nowUtc < ends ? RecertificationState.Overdue : RecertificationState.Lapsed;
        return new(state, provider.RecertifiedAtUtc, due, ends);
    }
}

/// <summary>What a provider administrator attests for one person: their role and whether they are directly involved in care.</summary>
public sealed record PersonnelAttestation(int PersonnelId, ProfessionalRole? Role, bool InvolvedInCare);

/// <summary>The administrator's own provider's recertification, for their personnel page.</summary>
public sealed record ProviderRecertification(string ProviderName, RecertificationStatus Status, int IntervalDays, int GraceDays);
