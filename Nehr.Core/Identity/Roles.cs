namespace Nehr.Core.Identity;

/// <summary>The portal roles. Accounts are provisioned; nobody registers themselves.</summary>
public static class Roles
{
    public const string Patient = "Patient";
    public const string Clinician = "Clinician";
    public const string ProviderAdmin = "ProviderAdmin";
    public const string MohAuditor = "MohAuditor";
    public const string MohAdmin = "MohAdmin";

    public static readonly IReadOnlyList<string> All = [Patient, Clinician, ProviderAdmin, MohAuditor, MohAdmin];

    /// <summary>Staff: holding any portal role but patient. Staff sign in with a second factor.</summary>
    public static bool IsStaff(IEnumerable<string> roles) => roles.Any(r => r != Patient && All.Contains(r));

    public static string Display(string role) => role switch
    {
        ProviderAdmin => "Provider administrator",
        MohAuditor => "MOH auditor",
        MohAdmin => "MOH administrator",
        _ => role,
    };
}
