using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;

namespace Nehr.Core.Identity;

/// <summary>
/// Identity's user manager, with the sign-in counters changed by one conditional update each. Identity counts a
/// failure by changing the account it loaded and saving all of it; a sign-in that loaded the account before another
/// one changed it then writes the old values back (an authenticator step already used, a failure count). Here a
/// failure is counted, and the account locked at the threshold, in one statement on the row as it is; the step of
/// the last code and the failure count are never written by saving the entity (see <c>ApplicationUserConfiguration</c>).
/// </summary>
public sealed class NehrUserManager(
    IUserStore<ApplicationUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<ApplicationUser> passwordHasher,
    IEnumerable<IUserValidator<ApplicationUser>> userValidators,
    IEnumerable<IPasswordValidator<ApplicationUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<ApplicationUser>> logger,
    NehrDbContext db,
    TimeProvider clock)
    : UserManager<ApplicationUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    public override async Task<IdentityResult> AccessFailedAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var threshold = Options.Lockout.MaxFailedAccessAttempts;
        DateTimeOffset? lockedUntil = clock.GetUtcNow() + Options.Lockout.DefaultLockoutTimeSpan;
        // In SQL every SET reads the row as it was, so the count, the lockout and its reset are one change.
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.LockoutEnd, u => u.LockoutEnabled && u.AccessFailedCount + 1 >= threshold ? lockedUntil : u.LockoutEnd)
            .SetProperty(u => u.AccessFailedCount, u => u.LockoutEnabled && u.AccessFailedCount + 1 >= threshold ? 0 : u.AccessFailedCount + 1));
        await RefreshCountersAsync(user);
        return IdentityResult.Success;
    }

    public override async Task<IdentityResult> ResetAccessFailedCountAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        await db.Users.Where(u => u.Id == user.Id && u.AccessFailedCount != 0).ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, 0));
        await RefreshCountersAsync(user);
        return IdentityResult.Success;
    }

    /// <summary>Gives the loaded account the stored counters, as unchanged values (nothing to save).</summary>
    private async Task RefreshCountersAsync(ApplicationUser user)
    {
        var stored = await db.Users.AsNoTracking().Where(u => u.Id == user.Id)
            .Select(u => new { u.AccessFailedCount, u.LockoutEnd, u.LastAuthenticatorStep }).SingleAsync();
        user.AccessFailedCount = stored.AccessFailedCount;
        user.LockoutEnd = stored.LockoutEnd;
        user.LastAuthenticatorStep = stored.LastAuthenticatorStep;
        if (db.Entry(user) is { State: not EntityState.Detached } entry)
        {
            entry.Property(u => u.AccessFailedCount).OriginalValue = stored.AccessFailedCount;
            entry.Property(u => u.LockoutEnd).OriginalValue = stored.LockoutEnd;
            entry.Property(u => u.LastAuthenticatorStep).OriginalValue = stored.LastAuthenticatorStep;
        }
    }
}
