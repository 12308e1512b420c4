namespace Nehr.Core.Access;

/// <summary>The statutory boards an MOH auditor refers a clinician to after an inappropriate emergency override.</summary>
public enum ProfessionalBody
{
    SingaporeMedicalCouncil = 1,
    SingaporeNursingBoard,
    SingaporePharmacyCouncil,
    SingaporeDentalCouncil,
    AlliedHealthProfessionsCouncil,
}

public static class ProfessionalBodies
{
    /// <summary>The longest reference a body gives its case that the NEHR keeps.</summary>
    public const int MaxReferenceLength = 100;

    /// <summary>The longest outcome, and the longest penalty, the NEHR keeps of a body's decision.</summary>
    public const int MaxOutcomeLength = 2000;

    /// <summary>Every body, in the order a form offers them.</summary>
    public static IReadOnlyList<ProfessionalBody> All { get; } = Enum.GetValues<ProfessionalBody>();

    /// <summary>The body's name, as people read it.</summary>
    public static string Display(ProfessionalBody body) => body switch
    {
        ProfessionalBody.SingaporeMedicalCouncil => "Singapore Medical Council",
        ProfessionalBody.SingaporeNursingBoard => "Singapore Nursing Board",
        ProfessionalBody.SingaporePharmacyCouncil => "Singapore Pharmacy Council",
        ProfessionalBody.SingaporeDentalCouncil => "Singapore Dental Council",
        ProfessionalBody.AlliedHealthProfessionsCouncil => "Allied Health Professions Council",
        _ => "Professional body",
    };
}
