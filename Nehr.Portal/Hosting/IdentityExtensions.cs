using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Nehr.Core.Data;
using Nehr.Core.Identity;
using Nehr.Portal.Components.Account;
using Nehr.Portal.Security;

namespace Nehr.Portal.Hosting;

internal static class IdentityExtensions
{
    /// <summary>PBKDF2 iterations for password hashes (OWASP's figure for PBKDF2-HMAC-SHA512).</summary>
    public const int PasswordHashIterations = 210_000;

    public const int MaxFailedSignIns = 5;

    /// <summary>
    /// The sign-in cookie's name: with the <c>__Host-</c> prefix outside development, so a browser takes it only when
    /// Secure, for the whole host and from no other (sub)domain. Development runs on plain http://127.0.0.1.
    /// </summary>
    public static string SignInCookieName(IHostEnvironment environment) =>
        environment.IsDevelopment() ? "nehr.auth" : "__Host-nehr.auth";

    public static WebApplicationBuilder AddNehrIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Keys for cookies and antiforgery live in the database: they survive restarts and are shared by instances.
        // Each key's secret is encrypted there under a key-encryption key kept outside the database (KeyEncryptionKeys).
        services.AddDataProtection().SetApplicationName("NEHR Portal").PersistKeysToDbContext<NehrDbContext>();
        services.AddSingleton(sp => KeyEncryptionKeys.FromConfiguration(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>()));
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<KeyEncryptionKeys>((o, keys) => o.XmlEncryptor = new AesGcmXmlEncryptor(keys));
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddOptions<RevalidationOptions>()
            .Configure<IConfiguration>((o, configuration) => o.Seconds = configuration.GetValue(IdentityRevalidatingAuthenticationStateProvider.Setting, o.Seconds))
            .Validate(o => o.Seconds is >= 1 and <= 30, $"{IdentityRevalidatingAuthenticationStateProvider.Setting} must be from 1 to 30 (seconds).")
            .ValidateOnStart();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/Account/Login";
            cookie.AccessDeniedPath = "/Account/AccessDenied";
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(30);
            cookie.SlidingExpiration = true;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.Name = SignInCookieName(builder.Environment);
        });

        // Every cookie (sign-in, second-factor step, antiforgery) is Secure outside development, whatever the
        // request's scheme: TLS ends at the load balancer, and the portal must not hand a session to plain HTTP.
        services.Configure<CookiePolicyOptions>(o => o.Secure = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always);
        services.ConfigureAll<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(o =>
            o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always);

        // The security stamp is checked on every request, so a changed stamp (sign-out, role change, deactivation,
        // password change) ends the other sessions at their next request; open circuits revalidate every 30 s.
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = TimeSpan.Zero;
            o.OnRefreshingPrincipal = AccountState.CarryOverSignInMethod;
        });
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = PasswordHashIterations);

        services.AddAuthorizationBuilder().AddNehrPolicies();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuditedAuthorizationResultHandler>();

        // No self-registration: accounts are provisioned by administrators (and the demo seeder).
        services.AddIdentityCore<ApplicationUser>(options =>
            {
                IdentityStoreSettings.Apply(options);
                options.SignIn.RequireConfirmedAccount = false;
                // Staff accounts need a unique e-mail; patient accounts (national identity) may have none: AccountEmailValidator.
                options.User.RequireUniqueEmail = false;
                // The user name is the work e-mail, checked as an address when the account is made (o'brien@…, josé@…);
                // Identity's default list of letters, digits and -._@+ would refuse real addresses.
                options.User.AllowedUserNameCharacters = string.Empty;
                // Length, not composition (ASVS 6.2.1, 6.2.5): a long passphrase of plain words is a good password.
                options.Password.RequiredLength = 12;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddUserValidator<AccountEmailValidator>()
            .AddRoles<IdentityRole>()
            .AddUserManager<NehrUserManager>()
            .AddEntityFrameworkStores<NehrDbContext>()
            .AddUserStore<NehrUserStore>()
            .AddSignInManager<NehrSignInManager>()
            .AddClaimsPrincipalFactory<NehrClaimsPrincipalFactory>()
            .AddDefaultTokenProviders()
            // Replaces Identity's authenticator provider (which accepts a code again while it is valid) under its name.
            .AddTokenProvider<SingleUseAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);

        // A password reset link works for an hour (Identity's default is a day), and once: a reset renews the stamp it is bound to.
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = PasswordResets.LinkLifetime);
        return builder;
    }
}
