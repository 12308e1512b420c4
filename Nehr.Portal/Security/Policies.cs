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

    /// <summary>
    /// The pages of a portal password, authenticator and passkeys: staff accounts only (owing a second factor or a new
    /// password included, which these pages are for). Patients sign in with the national identity and have none.
    /// </summary>
    public const string StaffAccount = nameof(StaffAccount);

    /// <summary>
    /// Each area needs its role and an account with nothing owed: no temporary password, and for staff a sign-in
    /// with a second factor (see <see cref="AccountState"/>).
    /// </summary>
    public static AuthorizationBuilder AddNehrPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(PatientArea, p => p.RequireRole(Roles.Patient).RequireAssertion(Ready))
        .AddPolicy(ClinicianArea, p => p.RequireRole(Roles.Clinician).RequireAssertion(Ready))
        .AddPolicy(ProviderAdminArea, p => p.RequireRole(Roles.ProviderAdmin).RequireAssertion(Ready))
        .AddPolicy(MohArea, p => p.RequireRole(Roles.MohAuditor, Roles.MohAdmin).RequireAssertion(Ready))
        .AddPolicy(MohAuditorArea, p => p.RequireRole(Roles.MohAuditor).RequireAssertion(Ready))
        .AddPolicy(MohAdminArea, p => p.RequireRole(Roles.MohAdmin).RequireAssertion(Ready))
        .AddPolicy(StaffAccount, p => p.RequireAuthenticatedUser().RequireAssertion(context => AccountState.IsStaff(context.User)));

    private static bool Ready(AuthorizationHandlerContext context) => AccountState.IsReady(context.User);
}
