using System.Security.Claims;
using Nehr.Core.Identity;

namespace Nehr.Portal.Security;

/// <summary>Where each area starts, and which area a signed-in person lands in.</summary>
public static class AreaRoutes
{
    public const string Patient = "/patient";
    public const string Clinician = "/clinician";
    public const string ProviderAdmin = "/admin/provider";
    public const string Moh = "/admin/moh";

    public static string? HomeFor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.IsInRole(Roles.Clinician))
        {
            return Clinician;
        }

        if (user.IsInRole(Roles.ProviderAdmin))
        {
            return ProviderAdmin;
        }

        if (user.IsInRole(Roles.MohAuditor) || user.IsInRole(Roles.MohAdmin))
        {
            return Moh;
        }

        return user.IsInRole(Roles.Patient) ? Patient : null;
    }
}
