using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;
using Nehr.Portal.Security;

namespace Nehr.Portal.Hosting.NationalIdentity;

/// <summary>
/// Patients sign in with the national digital identity (Singpass's OpenID Connect profile), through ASP.NET Core's
/// OpenID Connect handler: authorization code with PKCE, the request pushed first (PAR, required), the portal
/// authenticated with <c>private_key_jwt</c> (its own EC key, its public JWKS at <see cref="NationalIdentityKeys.JwksPath"/>),
/// the ID token signature (ES256/384/512) and, when the portal has an encryption key, its encryption checked, with
/// nonce and state; the NRIC/FIN is read from the subject <c>s=…,u=…</c> and checked with its check letter. The
/// handler signs in to Identity's external cookie; <see cref="CompletePath"/> then links the person
/// (<see cref="PatientEnrolment"/>) and signs in to the portal's own cookie.
/// </summary>
internal static class NationalIdentityExtensions
{
    public const string Scheme = "NationalIdentity";
    public const string DisplayName = "Singpass";
    public const string CallbackPath = "/signin-nationalid";
    public const string SignInPath = "/Account/NationalIdentity/SignIn";
    public const string CompletePath = "/Account/NationalIdentity/Complete";
    public const string NoRecordPath = "/Account/NoRecord";

    /// <summary>The claims the handler leaves on the external sign-in: the subject as parsed.</summary>
    public const string NricClaim = "nehr:nric";
    public const string UuidClaim = "nehr:identity-uuid";

    /// <summary>The sign-in page's query value when a national-identity sign-in did not complete.</summary>
    public const string FailedQuery = "national-identity";

    public static WebApplicationBuilder AddNehrNationalIdentity(this WebApplicationBuilder builder)
    {
        var environment = builder.Environment;
        var mayHostDevelopmentProvider = environment.IsDevelopment() || environment.IsEnvironment("Test");
        builder.Services.AddOptions<NationalIdentityOptions>().BindConfiguration(NationalIdentityOptions.Section)
            .Validate(o => !o.DevelopmentProvider || mayHostDevelopmentProvider,
                $"{NationalIdentityOptions.Section}:DevelopmentProvider is on outside Development: the stand-in identity provider signs anyone in as anyone, and runs only in Development and the tests.")
            .Validate(o => o.ClockSkewSeconds is >= 0 and <= 300, $"{NationalIdentityOptions.Section}:ClockSkewSeconds must be 0 to 300.")
            .Validate(o => o.Issuer.Length == 0 || Uri.TryCreate(o.Issuer, UriKind.Absolute, out var issuer) && (issuer.Scheme == Uri.UriSchemeHttps || mayHostDevelopmentProvider),
                $"{NationalIdentityOptions.Section}:Issuer must be the provider's https address.")
            .ValidateOnStart();

        // Whether patients' sign-in is configured decides which services there are; everything else is read when used.
        var configured = builder.Configuration.GetSection(NationalIdentityOptions.Section).Get<NationalIdentityOptions>() ?? new NationalIdentityOptions();
        if (!configured.IsConfigured)
        {
            return builder;
        }

        builder.Services.AddSingleton(sp => NationalIdentityKeys.Load(sp.GetRequiredService<IOptions<NationalIdentityOptions>>().Value, environment));
        builder.Services.AddSingleton<NationalIdentityIssuer>();
        builder.Services.AddSingleton<Dpop>();
        builder.Services.AddSingleton<DevelopmentIdentityProvider>(); // mapped only with DevelopmentProvider on
        builder.Services.AddTransient<DevelopmentIdentityProvider.Words>();

        builder.Services.AddAuthentication().AddOpenIdConnect(Scheme, DisplayName, o =>
        {
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Require;
            o.Scope.Clear();
            o.Scope.Add(OpenIdConnectScope.OpenId);
            o.CallbackPath = CallbackPath;
            o.SignInScheme = IdentityConstants.ExternalScheme;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.SaveTokens = false;
            o.MapInboundClaims = false;
            o.DisableTelemetry = true;
            o.UseTokenLifetime = false;
            o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
            o.RequireHttpsMetadata = !mayHostDevelopmentProvider;
            // The provider answers with a top-level GET to the callback (response_mode=query): Lax cookies come with it.
            var secure = environment.IsDevelopment() || environment.IsEnvironment("Test") ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = secure;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = secure;
            o.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512];
            o.TokenValidationParameters.RequireExpirationTime = true;
            o.TokenValidationParameters.RequireSignedTokens = true;
            o.TokenValidationParameters.NameClaimType = JwtRegisteredClaimNames.Sub;
        });

        // What needs the portal's services: the issuer (known once the server listens), the keys, the clock, the events.
        builder.Services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<NationalIdentityOptions>, NationalIdentityIssuer, NationalIdentityKeys, TimeProvider, Dpop>((o, current, issuer, keys, clock, dpop) =>
        {
            var settings = current.Value;
            o.Authority = issuer.Value;
            o.ClientId = settings.ClientId;
            var skew = TimeSpan.FromSeconds(settings.ClockSkewSeconds);
            o.TokenValidationParameters.ClockSkew = skew;
            // Token times against the portal's clock (the one every other time here is read from).
            o.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore.Value <= now + skew) && expires is { } end && end >= now - skew;
            };
            o.Events = new OpenIdConnectEvents
            {
                OnPushAuthorization = context =>
                {
                    context.ProtocolMessage.ClientAssertionType = DevelopmentIdentityProvider.AssertionType;
                    context.ProtocolMessage.ClientAssertion = keys.ClientAssertion(settings.ClientId, issuer.Value, clock.GetUtcNow());
                    // The code will be redeemable only with the portal's DPoP key.
                    context.ProtocolMessage.SetParameter("dpop_jkt", dpop.Thumbprint);
                    context.HandleClientAuthentication();
                    return Task.CompletedTask;
                },
                OnAuthorizationCodeReceived = context => RedeemWithDpopAsync(context, settings.ClientId, issuer.Value, keys, dpop, clock),
                OnTokenResponseReceived = context =>
                {
                    var idToken = context.TokenEndpointResponse.IdToken;
                    if (keys.Encryption is not { } encryption || string.IsNullOrEmpty(idToken))
                    {
                        return Task.CompletedTask;
                    }

                    if (!Jwe.IsJwe(idToken))
                    {
                        context.Fail("The ID token is not encrypted, and the portal requires it to be (it has an encryption key).");
                        return Task.CompletedTask;
                    }

                    try
                    {
                        context.TokenEndpointResponse.IdToken = Jwe.Decrypt(idToken, [encryption]);
                    }
                    catch (SecurityTokenDecryptionFailedException e)
                    {
                        context.Fail(e.Message);
                    }

                    return Task.CompletedTask;
                },
                OnTokenValidated = context =>
                {
                    // The nonce, checked here too: with the code redeemed by this portal (DPoP), the handler leaves it
                    // to the caller. The handler found this browser's nonce cookie for the token's nonce, or none.
                    var tokenNonce = context.SecurityToken?.Payload.Nonce;
                    if (string.IsNullOrEmpty(context.Nonce) || context.Nonce != tokenNonce)
                    {
                        context.Fail("The ID token's nonce is not the one this browser's sign-in sent (a replayed or foreign token).");
                        return Task.CompletedTask;
                    }

                    var sub = context.Principal?.FindFirstValue(JwtRegisteredClaimNames.Sub);
                    if (!NationalIdentitySubject.TryParse(sub, out var subject, out var error))
                    {
                        context.Fail($"The ID token's subject was refused: {error}.");
                        return Task.CompletedTask;
                    }

                    var identity = (ClaimsIdentity)context.Principal!.Identity!;
                    identity.AddClaim(new Claim(NricClaim, subject.Nric.Value));
                    identity.AddClaim(new Claim(UuidClaim, subject.Uuid.ToString("D")));
                    return Task.CompletedTask;
                },
                OnRemoteFailure = async context =>
                {
                    // Cancelled at the provider, a refused token, an expired or replayed callback: audited, and the
                    // person is back on the sign-in page with a plain message (never the exception page).
                    var why = context.Failure?.Message ?? "unknown failure";
                    var events = context.HttpContext.RequestServices.GetRequiredService<SecurityEvents>();
                    await events.SignInFailedAsync(context.HttpContext.Who(null), $"{PatientEnrolment.Method}: {Shorten(why)}", CancellationToken.None);
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Nehr.NationalIdentity")
                        .LogWarning("A national identity sign-in did not complete ({TraceId}): {Why}", context.HttpContext.TraceIdentifier, why);
                    context.Response.Redirect($"/Account/Login?failed={FailedQuery}");
                    context.HandleResponse();
                },
            };
        });
        return builder;
    }

    public static WebApplication MapNehrNationalIdentity(this WebApplication app)
    {
        // Not configured when the portal was built: no sign-in for patients (the sign-in page says so).
        if (app.Services.GetService<NationalIdentityIssuer>() is null)
        {
            return app;
        }

        var settings = app.Services.GetRequiredService<IOptions<NationalIdentityOptions>>().Value;

        // The portal's public keys, for the provider: it checks the client assertions with the first and encrypts ID tokens to the second.
        app.MapGet(NationalIdentityKeys.JwksPath, (NationalIdentityKeys keys, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Text(keys.Jwks, "application/jwk-set+json");
        }).AllowAnonymous();

        app.MapGet(SignInPath, (string? returnUrl) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = $"{CompletePath}?returnUrl={Uri.EscapeDataString(LocalOrHome(returnUrl))}" }, [Scheme]))
            .AllowAnonymous()
            .RequireRateLimiting(SignInRateLimit.Policy);

        app.MapGet(CompletePath, CompleteAsync).AllowAnonymous();

        if (settings.DevelopmentProvider)
        {
            DevelopmentIdentityProvider.Map(app);
        }

        return app;
    }

    /// <summary>
    /// After the handler: the person from the external sign-in is linked to their patient account (made now on the
    /// first sign-in) and signed in to the portal; no NEHR record, or a refusal, and they are told so.
    /// </summary>
    private static async Task<IResult> CompleteAsync(
        HttpContext context, string? returnUrl, PatientEnrolment enrolment, SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users,
        SecurityEvents events)
    {
        var external = await context.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await context.SignOutAsync(IdentityConstants.ExternalScheme);
        var nric = external.Principal?.FindFirstValue(NricClaim);
        var uuid = external.Principal?.FindFirstValue(UuidClaim);
        if (!external.Succeeded || !NationalIdentitySubject.TryParse($"s={nric},u={uuid}", out var subject, out _))
        {
            return Results.Redirect($"/Account/Login?failed={FailedQuery}");
        }

        var outcome = await enrolment.SignInAsync(context.Who(null), subject, context.RequestAborted);
        if (outcome.AccountId is null)
        {
            return Results.Redirect(outcome.HasNoRecord ? NoRecordPath : $"{NoRecordPath}?reason=deceased");
        }

        var account = await users.FindByIdAsync(outcome.AccountId);
        if (account is null || !await signIn.CanSignInAsync(account) || await users.IsLockedOutAsync(account))
        {
            await events.SignInFailedAsync(context.Who(outcome.AccountId), $"{PatientEnrolment.Method}: account locked or deactivated", CancellationToken.None);
            return Results.Redirect("/Account/Lockout");
        }

        await signIn.SignInWithClaimsAsync(account, new AuthenticationProperties { IsPersistent = false },
            [new Claim(AccountState.MethodClaim, AccountState.NationalIdentityMethod)]);
        await events.SignedInAsync(context.Who(account.Id), outcome.Enrolled ? $"{PatientEnrolment.Method}; first sign-in, account made" : PatientEnrolment.Method, CancellationToken.None);
        return Results.LocalRedirect(LocalOrHome(returnUrl));
    }

    /// <summary>
    /// Redeems the code as the handler would, with a DPoP proof (RFC 9449) the handler does not make: the client
    /// assertion, the proof for this POST, once more with the provider's nonce if it asks for one (use_dpop_nonce).
    /// The handler then validates the ID token as ever.
    /// </summary>
    private static async Task RedeemWithDpopAsync(
        AuthorizationCodeReceivedContext context, string clientId, string issuer, NationalIdentityKeys keys, Dpop dpop, TimeProvider clock)
    {
        var request = context.TokenEndpointRequest!;
        request.ClientSecret = null;
        request.ClientAssertionType = DevelopmentIdentityProvider.AssertionType;
        var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var endpoint = new Uri(configuration.TokenEndpoint);
        string? nonce = null;
        for (var attempt = 1; ; attempt++)
        {
            request.ClientAssertion = keys.ClientAssertion(clientId, issuer, clock.GetUtcNow()); // one use each
            using var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(request.Parameters) };
            message.Headers.Add(Dpop.Header, dpop.Proof("POST", endpoint, clock.GetUtcNow(), nonce));
            using var response = await context.Backchannel.SendAsync(message, context.HttpContext.RequestAborted);
            var body = await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted);
            if (response.IsSuccessStatusCode)
            {
                context.HandleCodeRedemption(new OpenIdConnectMessage(body));
                return;
            }

            if (attempt == 1 && response.Headers.TryGetValues("DPoP-Nonce", out var nonces) && body.Contains("use_dpop_nonce", StringComparison.Ordinal))
            {
                nonce = nonces.First();
                continue;
            }

            context.Fail($"The provider refused the token request ({(int)response.StatusCode}): {Shorten(body)}");
            return;
        }
    }

    private static string LocalOrHome(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
