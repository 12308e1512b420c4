namespace Nehr.Core.Access;

/// <summary>What a patient chose about who may see the full record.</summary>
public enum RestrictionMode
{
    /// <summary>Every provider the patient is registered with sees the full record.</summary>
    None,

    /// <summary>Every provider sees only the basic set (demographics, allergies, vaccinations).</summary>
    RestrictAll,

    /// <summary>Only the providers the patient selected see the full record; others see the basic set.</summary>
    AllowSelectedProviders,
}
