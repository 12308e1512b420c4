using Microsoft.AspNetCore.Authorization;
using Nehr.Core.Identity;

namespace Nehr.Portal.Security;

/// <summary>Authorisation policies of the portal's areas. Pages declare [Authorize(Policy = ...)].</summary>
public static class Policies
{
    public const string PatientArea = nameof(PatientArea);
    public const string ClinicianArea = nameof(ClinicianArea);
    public const string ProviderAdminArea = nameof(ProviderAdminArea);
    public const string MohArea = nameof(MohArea);
    public const string MohAuditorArea = nameof(MohAuditorArea);
    public const string MohAdminArea = nameof(MohAdminArea);

    public static AuthorizationBuilder AddNehrPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(PatientArea, p => p.RequireRole(Roles.Patient))
        .AddPolicy(ClinicianArea, p => p.RequireRole(Roles.Clinician))
        .AddPolicy(ProviderAdminArea, p => p.RequireRole(Roles.ProviderAdmin))
        .AddPolicy(MohArea, p => p.RequireRole(Roles.MohAuditor, Roles.MohAdmin))
        .AddPolicy(MohAuditorArea, p => p.RequireRole(Roles.MohAuditor))
        .AddPolicy(MohAdminArea, p => p.RequireRole(Roles.MohAdmin));
}
