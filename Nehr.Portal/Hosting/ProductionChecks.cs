using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;

namespace Nehr.Portal.Hosting;

/// <summary>
/// What a Production start refuses (ASPNETCORE_ENVIRONMENT=Production, the default when none is set): demo data (its
/// accounts have a published password and authenticator key, its systems published secrets), a sign-in cookie that
/// is not Secure, links in e-mails built on whatever Host a request names, e-mail that reaches nobody, the development
/// identity provider, no national identity sign-in for patients (or no key to make it with), and no signed checkpoints
/// of the audit trail outside the database (or no key to sign them with). Every
/// problem is listed at once, and the portal stops before it touches the database.
/// </summary>
internal static class ProductionChecks
{
    /// <summary>The problems of the settings; empty when there are none.</summary>
    public static IReadOnlyList<string> SettingsProblems(IConfiguration configuration, IServiceProvider services)
    {
        var problems = new List<string>();
        if (configuration.GetValue<bool>("Nehr:Data:SeedDemoData"))
        {
            problems.Add("Nehr:Data:SeedDemoData is true: the demo accounts have a published password and authenticator key. Demo data is for Development.");
        }

        var keyEncryptionKey = Nehr.Core.Identity.KeyEncryptionKeys.ConfiguredSource(configuration) is not null;
        if (!keyEncryptionKey)
        {
            problems.Add("Nehr:DataProtection:KeyEncryptionKey (or KeyEncryptionKeyFile) is not set: the data-protection key ring would be stored unencrypted.");
        }

        // The cookie's options are complete only with the key ring (they seal the ticket with it), which needs that key.
        var cookie = keyEncryptionKey ? services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme).Cookie : null;
        var policy = services.GetRequiredService<IOptions<CookiePolicyOptions>>().Value.Secure;
        if (policy != CookieSecurePolicy.Always || cookie is not null && (cookie.SecurePolicy != CookieSecurePolicy.Always || cookie.Name?.StartsWith("__Host-", StringComparison.Ordinal) != true))
        {
            problems.Add("The sign-in cookie is not Secure with the __Host- prefix.");
        }

        if (!Uri.TryCreate(configuration[PublicAddress.Setting], UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"{PublicAddress.Setting} is not the portal's https address: password reset links would be built on the Host a request names.");
        }

        var identity = configuration.GetSection(NationalIdentity.NationalIdentityOptions.Section).Get<NationalIdentity.NationalIdentityOptions>()
            ?? new NationalIdentity.NationalIdentityOptions();
        const string section = NationalIdentity.NationalIdentityOptions.Section;
        if (identity.DevelopmentProvider)
        {
            problems.Add($"{section}:DevelopmentProvider is true: the stand-in identity provider signs anyone in as anyone. It is for Development and the tests.");
        }

        if (identity.Issuer.Length == 0 || identity.ClientId.Length == 0)
        {
            problems.Add($"{section}:Issuer and ClientId are not set: patients could not sign in (they sign in with the national digital identity only).");
        }

        if (string.IsNullOrWhiteSpace(identity.SigningKeyFile))
        {
            problems.Add($"{section}:SigningKeyFile is not set: the portal has no key to authenticate to the national identity provider with (private_key_jwt).");
        }
        else
        {
            try
            {
                _ = NationalIdentity.NationalIdentityKeys.Load(identity, services.GetRequiredService<IHostEnvironment>());
            }
            catch (InvalidOperationException e)
            {
                problems.Add(e.Message);
            }
        }

        var integrity = configuration.GetSection(Nehr.Core.Audit.AuditIntegrityOptions.Section).Get<Nehr.Core.Audit.AuditIntegrityOptions>()
            ?? new Nehr.Core.Audit.AuditIntegrityOptions();
        if (!integrity.WritesCheckpoints)
        {
            problems.Add("Nehr:Integrity:CheckpointFile is not set: no signed checkpoints of the audit trail are kept outside the database, so a database rewritten with a recomputed chain would go unnoticed.");
        }

        if (string.IsNullOrWhiteSpace(integrity.SigningKeyFile))
        {
            problems.Add("Nehr:Integrity:SigningKeyFile is not set: the audit trail's checkpoints need a signing key (ECDSA P-256, PEM) kept outside the database.");
        }

        if (string.IsNullOrWhiteSpace(configuration["Nehr:Email:SmtpHost"]))
        {
            problems.Add("Nehr:Email:SmtpHost is not set: e-mail (password resets, patients' access notices) would only be written to a folder.");
        }

        return problems;
    }

    /// <summary>The problems of the database: demo accounts or demo systems in it (a database seeded for a demonstration).</summary>
    public static async Task<IReadOnlyList<string>> DatabaseProblemsAsync(NehrDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var emails = DemoAccounts.All.Select(a => a.Email.ToUpperInvariant()).ToList();
        string[] clientIds = [DemoAccounts.SystemClientId, DemoAccounts.RegisterClientId];
        var problems = new List<string>();
        if (await db.Users.AnyAsync(u => emails.Contains(u.NormalizedEmail!), cancellationToken))
        {
            problems.Add("The database has the demo accounts (published password and authenticator key): it was seeded for a demonstration.");
        }

        if (await db.SystemConnections.AnyAsync(s => s.ClientId != null && clientIds.Contains(s.ClientId), cancellationToken))
        {
            problems.Add("The database has the demo systems (published client secrets): it was seeded for a demonstration.");
        }

        return problems;
    }

    public static void RefuseUnsafeProductionSettings(this WebApplication app)
    {
        if (app.Environment.IsProduction())
        {
            Refuse(SettingsProblems(app.Configuration, app.Services));
        }
    }

    public static async Task RefuseDemoDatabaseInProductionAsync(this WebApplication app)
    {
        if (app.Environment.IsProduction())
        {
            await using var scope = app.Services.CreateAsyncScope();
            Refuse(await DatabaseProblemsAsync(scope.ServiceProvider.GetRequiredService<NehrDbContext>()));
        }
    }

    private static void Refuse(IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                "The portal does not start in Production with:\n - " + string.Join("\n - ", problems)
                + "\nFix the settings (see README, \"Running in production\"), or run another environment (ASPNETCORE_ENVIRONMENT=Development for the demo).");
        }
    }
}
