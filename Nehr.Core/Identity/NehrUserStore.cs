using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Core.Identity;

/// <summary>
/// Identity's user store, with the account secrets it keeps as tokens (the authenticator key, the recovery codes)
/// protected at rest by the data-protection key ring, itself encrypted at rest: whoever reads the database does not
/// read the keys that make the second factor. A protected value starts with <see cref="Marker"/>; one without it
/// (written before) is still read, and <see cref="ProtectStoredSecretsAsync"/> protects those at start-up.
/// </summary>
public sealed class NehrUserStore(NehrDbContext context, IDataProtectionProvider protection, IdentityErrorDescriber? describer = null)
    : UserStore<ApplicationUser, IdentityRole, NehrDbContext>(context, describer)
{
    public const string Marker = "protected:v1:";

    /// <summary>Identity's own login provider name for the tokens it keeps, and the names of the secret ones.</summary>
    public const string InternalLoginProvider = "[AspNetUserStore]";

    private const string Purpose = "Nehr.Identity.AccountSecrets.v1";

    private static readonly string[] SecretNames = ["AuthenticatorKey", "RecoveryCodes"];

    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);

    public override Task SetTokenAsync(ApplicationUser user, string loginProvider, string name, string? value, CancellationToken cancellationToken)
        => base.SetTokenAsync(user, loginProvider, name, IsSecret(loginProvider, name) && value is not null ? Protect(_protector, value) : value, cancellationToken);

    public override async Task<string?> GetTokenAsync(ApplicationUser user, string loginProvider, string name, CancellationToken cancellationToken)
    {
        var value = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return value is not null && value.StartsWith(Marker, StringComparison.Ordinal) ? _protector.Unprotect(value[Marker.Length..]) : value;
    }

    /// <summary>Protects the account secrets still stored in clear (written before they were protected); returns how many.</summary>
    public static async Task<int> ProtectStoredSecretsAsync(NehrDbContext db, IDataProtectionProvider protection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(protection);
        var protector = protection.CreateProtector(Purpose);
        await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
        var clear = await db.UserTokens
            .Where(t => t.LoginProvider == InternalLoginProvider && SecretNames.Contains(t.Name) && t.Value != null && !t.Value.StartsWith(Marker))
            .ToListAsync(cancellationToken);
        foreach (var token in clear)
        {
            token.Value = Protect(protector, token.Value!);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return clear.Count;
    }

    private static bool IsSecret(string loginProvider, string name) => loginProvider == InternalLoginProvider && SecretNames.Contains(name);

    private static string Protect(IDataProtector protector, string value) => Marker + protector.Protect(value);
}
