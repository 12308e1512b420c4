using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.IdentityModel.Tokens;
using Hl7.Fhir.Model;
using Nehr.Core;
using Nehr.Core.Contribution;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;

namespace Nehr.Portal.Hosting;

/// <summary>
/// The contribution API: OAuth 2.0 client credentials (OpenIddict issues and validates the tokens; the client is
/// checked against the NEHR's own register of system connections, so a suspension applies at once) and the FHIR R4
/// endpoints: POST /fhir a Bundle (transaction or batch), POST /fhir/Patient/$load the population register's NDJSON,
/// GET /fhir/metadata. Every answer of /fhir, refusals and errors included, is FHIR JSON: a Bundle or an
/// OperationOutcome, never a page.
/// </summary>
internal static class ContributionExtensions
{
    public const string FhirBase = "/fhir";
    public const string RegisterLoadPath = "/fhir/Patient/$load";
    public const string TokenPath = "/connect/token";
    public const string SystemPolicy = "ContributingSystem";
    public const string SystemClaim = "nehr_system";

    public static WebApplicationBuilder AddNehrContribution(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ContributionOptions>().BindConfiguration(ContributionOptions.Section)
            .Validate(o => o.TokenMinutes is >= 1 and <= 60 && o.RequestsPerMinute >= 1 && o.TokenRequestsPerMinute >= 1 && o.MaxBundleBytes >= 1024 && o.MaxRegisterLoadBytes >= 1024,
                "Nehr:Contribution needs TokenMinutes 1-60, RequestsPerMinute and TokenRequestsPerMinute >= 1, MaxBundleBytes and MaxRegisterLoadBytes >= 1024.")
            .ValidateOnStart();
        builder.Services.AddOptions<RegistrationOptions>().BindConfiguration(RegistrationOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOpenIddict()
            .AddServer(server =>
            {
                server.SetTokenEndpointUris(TokenPath.TrimStart('/'));
                server.AllowClientCredentialsFlow();

                // The NEHR's register of system connections is the client store: degraded mode lets the token
                // endpoint below check client credentials against it instead of OpenIddict's own application store.
                server.EnableDegradedMode();
                server.DisableTokenStorage();
                // Access tokens are sealed with ASP.NET Core Data Protection, whose key ring is in the database: a
                // token issued by one portal instance is accepted by every other. (OpenIddict still wants signing and
                // encryption keys; no token is signed with them, so per-instance ephemeral ones do: an elliptic-curve
                // and a symmetric one, because OpenIddict's default ephemeral keys are RSA, a 2048-bit key generation
                // each, 0.2 to 0.8 s of CPU at every start.)
                server.UseDataProtection();
                server.AddSigningKey(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)));
                server.AddEncryptionKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));
                server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseScopedHandler<ValidateSystemClient>());
                // A token request over its rate is answered 429 (OpenIddict would answer 400).
                server.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(handler => handler
                    .UseInlineHandler(context =>
                    {
                        if (context.Transaction.Properties.ContainsKey(ValidateSystemClient.Throttled)
                            && context.Transaction.GetHttpRequest()?.HttpContext.Response is { } response)
                        {
                            response.StatusCode = StatusCodes.Status429TooManyRequests;
                        }

                        return default;
                    })
                    .SetOrder(OpenIddict.Server.AspNetCore.OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<OpenIddictServerEvents.ApplyTokenResponseContext>.Descriptor.Order + 1));
                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .DisableTransportSecurityRequirement(); // TLS ends at the load balancer in front of the portal
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseDataProtection();
                validation.UseAspNetCore();
            });

        // The bearer token only in the Authorization header: a token in a URL (?access_token=) ends up in logs and
        // browser histories, and one in a form body is not how FHIR clients send it.
        builder.Services.ConfigureAll<OpenIddictValidationAspNetCoreOptions>(o =>
        {
            o.DisableAccessTokenExtractionFromQueryString = true;
            o.DisableAccessTokenExtractionFromBodyForm = true;
        });
        builder.Services.AddOptions<OpenIddictServerOptions>().Configure<TimeProvider, Microsoft.Extensions.Options.IOptions<ContributionOptions>>((o, clock, settings) =>
        {
            o.TimeProvider = clock;
            o.AccessTokenLifetime = TimeSpan.FromMinutes(settings.Value.TokenMinutes);
        });
        builder.Services.AddOptions<OpenIddictValidationOptions>().Configure<TimeProvider>((o, clock) => o.TimeProvider = clock);

        builder.Services.AddAuthorizationBuilder().AddPolicy(SystemPolicy, policy => policy
            .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(SystemClaim));

        builder.Services.AddSingleton<SystemRateLimiter>();
        builder.Services.AddSingleton<TokenRateLimiter>();
        return builder;
    }

    /// <summary>
    /// Inside the portal's exception handler and status pages: on /fhir, an error of any kind is answered with an
    /// OperationOutcome (FHIR JSON), never with the portal's HTML pages.
    /// </summary>
    public static WebApplication UseNehrFhirErrors(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(FhirBase), fhir => fhir.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = e.StatusCode;
                await FhirResponses.WriteAsync(context, FhirResponses.Outcome(e.StatusCode == StatusCodes.Status413PayloadTooLarge ? OperationOutcome.IssueType.TooLong : OperationOutcome.IssueType.Structure,
                    "Bundle", e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : $"The request could not be read: {e.Message}"), CancellationToken.None);
                return;
            }
            catch (AccessRefusedException e) when (!context.Response.HasStarted)
            {
                // The system lost the right to contribute while its request ran (refused and audited by the command).
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await FhirResponses.WriteAsync(context, FhirResponses.Outcome(OperationOutcome.IssueType.Security, "Bundle", e.Message), CancellationToken.None);
                return;
            }
            catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Nehr.Contribution")
                    .LogError(e, "Contribution request {TraceId} failed.", context.TraceIdentifier);
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await FhirResponses.WriteAsync(context, FhirResponses.Outcome(OperationOutcome.IssueType.Exception, "Bundle",
                    $"The NEHR could not process the request (trace {context.TraceIdentifier}); nothing was filed. Report it to the NEHR helpdesk with the trace."),
                    CancellationToken.None);
                return;
            }

            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted)
            {
                // A status without a body (no such endpoint, wrong method): say so in FHIR, not with a page.
                context.Response.Headers.ContentLength = null;
                await FhirResponses.WriteAsync(context, FhirResponses.Outcome(context.Response.StatusCode switch
                {
                    StatusCodes.Status401Unauthorized => OperationOutcome.IssueType.Login,
                    StatusCodes.Status403Forbidden => OperationOutcome.IssueType.Forbidden,
                    StatusCodes.Status404NotFound => OperationOutcome.IssueType.NotFound,
                    _ => OperationOutcome.IssueType.NotSupported,
                }, "Bundle", context.Response.StatusCode switch
                {
                    StatusCodes.Status401Unauthorized => UnauthorisedText,
                    StatusCodes.Status404NotFound => $"There is no such endpoint: POST a Bundle to {FhirBase}, or GET {FhirBase}/metadata.",
                    StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not supported here: POST a Bundle to {FhirBase}, or GET {FhirBase}/metadata.",
                    _ => $"The request was refused ({context.Response.StatusCode}).",
                }), context.RequestAborted);
            }
        }));
        return app;
    }

    internal const string UnauthorisedText =
        "A valid access token is required, as a bearer token in the Authorization header (from POST /connect/token with the system's client credentials).";

    public static WebApplication MapNehrContribution(this WebApplication app)
    {
        app.MapPost(TokenPath, FhirEndpoints.IssueToken).AllowAnonymous().DisableAntiforgery();
        app.MapGet(FhirBase + "/metadata", (HttpContext context) => FhirResponses.WriteAsync(context, FhirCapabilities.Of(context), context.RequestAborted))
            .AllowAnonymous();
        app.MapPost(FhirBase, FhirEndpoints.ContributeAsync)
            .RequireAuthorization(SystemPolicy)
            .DisableAntiforgery();
        app.MapPost(RegisterLoadPath, FhirEndpoints.LoadRegisterAsync)
            .RequireAuthorization(SystemPolicy)
            .DisableAntiforgery();
        return app;
    }
}
