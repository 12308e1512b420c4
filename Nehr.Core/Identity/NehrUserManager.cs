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
    public const string LockedSubject = "NEHR Portal: your account was locked";

    public override async Task<IdentityResult> AccessFailedAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var threshold = Options.Lockout.MaxFailedAccessAttempts;
        // To the millisecond, which both databases store exactly: the lock read back below is recognised as this one.
        var now = clock.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        DateTimeOffset? lockedUntil = now + Options.Lockout.DefaultLockoutTimeSpan;
        await using var transaction = db.Database.CurrentTransaction is null ? await db.BeginWriteTransactionAsync() : null;

        // In SQL every SET reads the row as it was, so the count, the lockout and its reset are one change.
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.LockoutEnd, u => u.LockoutEnabled && u.AccessFailedCount + 1 >= threshold ? lockedUntil : u.LockoutEnd)
            .SetProperty(u => u.AccessFailedCount, u => u.LockoutEnabled && u.AccessFailedCount + 1 >= threshold ? 0 : u.AccessFailedCount + 1));
        await RefreshCountersAsync(user);

        // The sign-in page gives a locked account the answer a wrong password gets (it must not tell that the account
        // exists); its owner learns of the lock by e-mail, with the lock, in the same transaction.
        if (user.LockoutEnd == lockedUntil && user.Email is { } email)
        {
            db.OutboxMessages.Add(new Notifications.OutboxMessage(email, LockedSubject,
                $"Your NEHR Portal account ({email}) was locked for {LocalTime.Duration(Options.Lockout.DefaultLockoutTimeSpan)} at "
                + $"{LocalTime.MomentNamed(now.UtcDateTime)}, after {threshold} failed sign-in attempts.\n\n"
                + "If it was you, wait and sign in again, or choose a new password with \"Forgot your password?\" on the sign-in page.\n"
                + "If it was not you, someone may be trying your password: tell your provider's administrator (patients: the NEHR helpdesk).",
                now.UtcDateTime));
            await db.SaveChangesAsync();
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync();
        }

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
