using Nehr.Core.Access;

namespace Nehr.Portal.Components.Patient;

/// <summary>The three access settings in the patient's words (English keys of <see cref="PatientText"/>).</summary>
public static class RestrictionText
{
    public static string Title(RestrictionMode mode) => mode switch
    {
        RestrictionMode.None => "All my providers may see my full record",
        RestrictionMode.RestrictAll => "Restrict my record: providers see only my basic set",
        _ => "Only the providers I choose may see my full record",
    };

    public static string Explanation(RestrictionMode mode) => mode switch
    {
        RestrictionMode.None => "The care teams of the providers you are registered with see everything in your record.",
        RestrictionMode.RestrictAll => "Every provider sees only your demographics, allergies and vaccinations.",
        _ => "The providers you choose see your full record; all others see only your basic set.",
    };

    /// <summary>The setting in force, as the home page says it.</summary>
    public static string Summary(RestrictionMode mode) => mode switch
    {
        RestrictionMode.RestrictAll => "You restrict access: providers see only your basic set (allergies and vaccinations).",
        RestrictionMode.AllowSelectedProviders => "Only the providers you selected see your full record; others see your basic set.",
        _ => "The care teams of the providers you are registered with see your full record.",
    };

    public static string InBrief(RestrictionMode mode) => mode switch
    {
        RestrictionMode.AllowSelectedProviders => "Only: {0}",
        RestrictionMode.RestrictAll => "Restricted (basic set only)",
        _ => "All my providers",
    };
}
