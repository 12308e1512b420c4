using Microsoft.AspNetCore.Identity;
using Nehr.Core.Data;

namespace Nehr.Core.Identity;

/// <summary>
/// The e-mail rules of an account, in place of Identity's <c>RequireUniqueEmail</c> (which requires an address of
/// every account): a staff account signs in with its e-mail and must have one; a patient account, made when the
/// person first signs in with the national identity, may have none until the patient gives one. An address that is
/// given belongs to one account only.
/// </summary>
public sealed class AccountEmailValidator : IUserValidator<ApplicationUser>
{
    public async Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(user);
        var email = await manager.GetEmailAsync(user);
        if (string.IsNullOrWhiteSpace(email))
        {
            return user.PatientId is null ? IdentityResult.Failed(manager.ErrorDescriber.InvalidEmail(email)) : IdentityResult.Success;
        }

        var owner = await manager.FindByEmailAsync(email);
        return owner is not null && !string.Equals(await manager.GetUserIdAsync(owner), await manager.GetUserIdAsync(user), StringComparison.Ordinal)
            ? IdentityResult.Failed(manager.ErrorDescriber.DuplicateEmail(email))
            : IdentityResult.Success;
    }
}
