using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;
using Nehr.Core.Identity;

namespace Nehr.Portal.Security;

/// <summary>
/// What a session has proved and what its account still owes, read from the principal. The principal is rebuilt from
/// current data on every request (the security stamp is validated each time), except "amr", which records how this
/// session signed in and is carried over.
/// </summary>
public static class AccountState
{
    /// <summary>
    /// The representation a patient's session acts under (the id), set by switching to act for someone and removed by
    /// switching back. It only selects: every command checks the representation on current data.
    /// </summary>
    public const string ActingForClaim = "nehr:acting-for";

    /// <summary>The representation this session acts under, or null.</summary>
    public static long? ActingFor(ClaimsPrincipal user) =>
        long.TryParse(user?.FindFirstValue(ActingForClaim), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>The name the portal shows as signed in (the e-mail, or the person's name when the account has none).</summary>
    public const string ShownNameClaim = "nehr:shown-name";

    /// <summary>Set while the account still has its temporary password.</summary>
    public const string PasswordChangeRequiredClaim = "nehr:password-change-required";

    /// <summary>The authentication methods reference claim Identity sets at sign-in (RFC 8176 values).</summary>
    public const string MethodClaim = "amr";

    /// <summary>Signed in with a second factor: an authenticator code or recovery code ("mfa") or a passkey ("pop").</summary>
    public static bool HasSecondFactor(ClaimsPrincipal user) =>
        user.HasClaim(MethodClaim, "mfa") || user.HasClaim(MethodClaim, "pop");

    public static bool MustChangePassword(ClaimsPrincipal user) => user.HasClaim(c => c.Type == PasswordChangeRequiredClaim);

    /// <summary>Staff: any role but patient. Staff work needs a second factor.</summary>
    public static bool IsStaff(ClaimsPrincipal user) => Roles.IsStaff(Roles.All.Where(user.IsInRole));

    /// <summary>A member of staff without a second factor yet: sent to set up an authenticator before anything else.</summary>
    public static async Task<bool> MustSetUpSecondFactorAsync(UserManager<ApplicationUser> users, ApplicationUser account)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(account);
        return !account.TwoFactorEnabled && Roles.IsStaff(await users.GetRolesAsync(account));
    }

    /// <summary>
    /// Nothing owed: a staff session has its second factor, a patient's session was signed in with the national
    /// digital identity, and no temporary password remains.
    /// </summary>
    public static bool IsReady(ClaimsPrincipal user) => Owed(user) is null;

    public const string PasswordOwed = "temporary password not yet changed";

    public const string SecondFactorOwed = "staff sign-in without a second factor";

    public const string NationalIdentityOwed = "patient sign-in not with the national digital identity";

    /// <summary>The "amr" value of a session signed in with the national digital identity (patients' only way in).</summary>
    public const string NationalIdentityMethod = "nid";

    public static bool SignedInWithNationalIdentity(ClaimsPrincipal user) => user.HasClaim(MethodClaim, NationalIdentityMethod);

    /// <summary>What the account still owes before its area opens, or null.</summary>
    public static string? Owed(ClaimsPrincipal user) =>
        MustChangePassword(user) ? PasswordOwed
        : IsStaff(user) && !HasSecondFactor(user) ? SecondFactorOwed
        : user.IsInRole(Roles.Patient) && !IsStaff(user) && !SignedInWithNationalIdentity(user) ? NationalIdentityOwed
        : null;

    /// <summary>Keeps how the session signed in, and whom it acts for, when the security-stamp check rebuilds the principal.</summary>
    public static Task CarryOverSignInMethod(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.CurrentPrincipal is { } current && context.NewPrincipal?.Identity is ClaimsIdentity identity)
        {
            foreach (var method in current.FindAll(MethodClaim).Where(m => !identity.HasClaim(MethodClaim, m.Value)))
            {
                identity.AddClaim(new Claim(MethodClaim, method.Value));
            }

            if (current.FindFirst(ActingForClaim) is { } acting && !identity.HasClaim(c => c.Type == ActingForClaim))
            {
                identity.AddClaim(new Claim(ActingForClaim, acting.Value));
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>Adds what the account owes (a temporary password to replace) to the principal built from current data.</summary>
public sealed class NehrClaimsPrincipalFactory(
    UserManager<ApplicationUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = await base.GenerateClaimsAsync(user);
        // Who the portal says is signed in: the e-mail of an account that signs in with one; otherwise (a patient
        // enrolled with the national identity, who has no e-mail yet) the person's name, never the internal user name.
        identity.AddClaim(new Claim(AccountState.ShownNameClaim, user.Email ?? user.DisplayName));
        if (user.MustChangePassword)
        {
            identity.AddClaim(new Claim(AccountState.PasswordChangeRequiredClaim, "true"));
        }

        return identity;
    }
}
