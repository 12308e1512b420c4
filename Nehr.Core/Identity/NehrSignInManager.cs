using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;

namespace Nehr.Core.Identity;

/// <summary>
/// Identity's sign-in manager, with a password sign-in that costs the same whether or not the account exists and
/// whether or not it is locked. Identity answers an unknown name and a locked account without hashing the password,
/// so the time of the answer tells which accounts exist; here every password attempt computes one hash of the same
/// cost (PBKDF2 with the configured iterations, against a hash made once for an account that does not exist).
/// </summary>
public sealed class NehrSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation,
    IPasswordHasher<ApplicationUser> passwordHasher,
    IOptions<PasswordHasherOptions> hasherOptions)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private static readonly Lock HashLock = new();
    private static (int Iterations, string Hash)? _nobody;

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            HashInVain(password);
            return SignInResult.Failed;
        }

        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    public override async Task<SignInResult> CheckPasswordSignInAsync(ApplicationUser user, string password, bool lockoutOnFailure)
    {
        ArgumentNullException.ThrowIfNull(user);
        // Identity refuses a locked account (or one without a password) before it looks at the password.
        if (user.PasswordHash is null || await IsLockedOut(user))
        {
            HashInVain(password);
        }

        return await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
    }

    /// <summary>Verifies the password against a hash nobody's password matches: the work of a real check, for nothing.</summary>
    private void HashInVain(string password)
    {
        var nobody = new ApplicationUser();
        string hash;
        lock (HashLock)
        {
            // The hash carries its iteration count: one made with the configured count costs what a real one does.
            var iterations = hasherOptions.Value.IterationCount;
            if (_nobody is not { } made || made.Iterations != iterations)
            {
                made = (iterations, passwordHasher.HashPassword(nobody, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));
                _nobody = made;
            }

            hash = made.Hash;
        }

        passwordHasher.VerifyHashedPassword(nobody, hash, password ?? string.Empty);
    }
}
