using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Core.Identity;

/// <summary>
/// Authenticator-app codes that work once. ASP.NET Identity's own provider accepts a code again for as long as it is
/// valid, so a code seen over a shoulder or replayed from a log signs in a second time; this one records the step of
/// the last accepted code on the account and accepts only a later step. The record is a conditional update in the
/// database, so two sign-ins racing with the same code (on one instance or several) cannot both win.
/// </summary>
public sealed class SingleUseAuthenticatorTokenProvider(NehrDbContext db, TimeProvider clock) : IUserTwoFactorTokenProvider<ApplicationUser>
{
    /// <summary>
    /// Steps before the current one that are still accepted: one, for a code typed as its 30 seconds ran out. None
    /// after it: a code is never valid before its time, and its life is at most 60 seconds (ASVS 6.5.5 asks 30; see SECURITY.md).
    /// </summary>
    public const int StepsBack = 1;

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));
    }

    /// <summary>The code comes from the user's app, never from the server.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<ApplicationUser> manager, ApplicationUser user) => Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(user);
        if (token is not { Length: Totp.Digits } || !token.All(char.IsAsciiDigit)
            || await manager.GetAuthenticatorKeyAsync(user) is not { Length: > 0 } base32Key)
        {
            return false;
        }

        var key = Totp.FromBase32(base32Key);
        var now = Totp.StepAt(clock.GetUtcNow());
        for (var step = now - StepsBack; step <= now; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Totp.Code(key, step)), Encoding.ASCII.GetBytes(token)))
            {
                return await ClaimStepAsync(user, step);
            }
        }

        return false;
    }

    /// <summary>Records the step as used if no equal or later step was used before; false when one was.</summary>
    private async Task<bool> ClaimStepAsync(ApplicationUser user, long step)
    {
        var claimed = await db.Users
            .Where(u => u.Id == user.Id && (u.LastAuthenticatorStep == null || u.LastAuthenticatorStep < step))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastAuthenticatorStep, step));
        if (claimed == 1)
        {
            // The loaded account shows the step just claimed; saving it never writes the step (only this update does).
            user.LastAuthenticatorStep = step;
        }

        return claimed == 1;
    }
}
