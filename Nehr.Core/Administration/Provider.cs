namespace Nehr.Core.Administration;

public enum ProviderType
{
    PublicHospital,
    Polyclinic,
    GeneralPractice,
    SpecialistClinic,
    Laboratory,
    Radiology,
    Dental,
    RetailPharmacy,

    /// <summary>The keeper of the population register (not a healthcare provider): its systems are the person register's authority.</summary>
    PopulationRegister,
}

public static class ProviderTypes
{
    public static string Display(ProviderType type) => type switch
    {
        ProviderType.PublicHospital => "Public hospital",
        ProviderType.GeneralPractice => "General practice",
        ProviderType.SpecialistClinic => "Specialist clinic",
        ProviderType.RetailPharmacy => "Retail pharmacy",
        ProviderType.PopulationRegister => "Population register",
        _ => type.ToString(),
    };
}

/// <summary>Where a provider stands in joining the NEHR.</summary>
public enum OnboardingState
{
    NotOnboarded,
    Onboarded,
}

public static class OnboardingStates
{
    public static string Display(OnboardingState state) => state == OnboardingState.Onboarded ? "Onboarded" : "Not onboarded";
}

/// <summary>A licensed healthcare provider in the register.</summary>
public sealed class Provider
{
    public const int MaxNameLength = 160;

    private Provider()
    {
        Name = string.Empty;
    }

    public Provider(ProviderCode code, string name, ProviderType type, bool licensed = true)
    {
        if (code == default)
        {
            throw new DomainException("A provider needs a code.");
        }

        var trimmed = (name ?? string.Empty).Trim();
        if (trimmed.Length is 0 or > MaxNameLength)
        {
            throw new DomainException($"A provider's name has 1 to {MaxNameLength} characters.");
        }

        Code = code;
        Name = trimmed;
        Type = type;
        IsLicensed = licensed;
        OnboardingState = OnboardingState.NotOnboarded;
    }

    public int Id { get; private set; }

    public ProviderCode Code { get; private set; }

    public string Name { get; private set; }

    public ProviderType Type { get; private set; }

    /// <summary>Licensed providers must contribute to the NEHR.</summary>
    public bool IsLicensed { get; private set; }

    public OnboardingState OnboardingState { get; private set; }

    /// <summary>Set by an MOH corrective action: nobody at this provider may read the NEHR.</summary>
    public bool NehrAccessSuspended { get; private set; }

    /// <summary>When the provider was first onboarded: its first recertification cycle starts then (null before, or for one onboarded before cycles were kept).</summary>
    public DateTime? OnboardedAtUtc { get; private set; }

    /// <summary>When a provider administrator last attested the whole list of its personnel's roles and care involvement.</summary>
    public DateTime? RecertifiedAtUtc { get; private set; }

    /// <summary>The account of the administrator who last attested.</summary>
    public string? RecertifiedBy { get; private set; }

    public void Onboard(DateTime atUtc)
    {
        if (!IsLicensed)
        {
            throw new DomainException("Only a licensed provider can be onboarded.");
        }

        OnboardingState = OnboardingState.Onboarded;
        OnboardedAtUtc ??= atUtc;
    }

    /// <summary>An administrator attested the whole list of personnel: a new cycle starts now.</summary>
    public void Recertify(string by, DateTime atUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        RecertifiedBy = by;
        RecertifiedAtUtc = atUtc;
    }

    public void SuspendNehrAccess() => NehrAccessSuspended = true;

    public void LiftNehrAccessSuspension() => NehrAccessSuspended = false;
}
