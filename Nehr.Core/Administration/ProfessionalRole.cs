namespace Nehr.Core.Administration;

/// <summary>A person's role at their provider, kept current by the provider administrator.</summary>
public enum ProfessionalRole
{
    Doctor,
    Nurse,
    Pharmacist,
    Dentist,
    AlliedHealthProfessional,
    Radiographer,
    LaboratoryTechnologist,
    Administrator,
    FrontDeskStaff,
    Researcher,
}

public static class ProfessionalRoles
{
    /// <summary>Roles that can be directly involved in patient care; only these may get NEHR access.</summary>
    public static bool IsCareRole(ProfessionalRole role) => role is
        ProfessionalRole.Doctor or ProfessionalRole.Nurse or ProfessionalRole.Pharmacist or ProfessionalRole.Dentist or
        ProfessionalRole.AlliedHealthProfessional or ProfessionalRole.Radiographer or ProfessionalRole.LaboratoryTechnologist;

    public static string Display(ProfessionalRole role) => role switch
    {
        ProfessionalRole.AlliedHealthProfessional => "Allied health professional",
        ProfessionalRole.LaboratoryTechnologist => "Laboratory technologist",
        ProfessionalRole.FrontDeskStaff => "Front desk staff",
        _ => role.ToString(),
    };
}
