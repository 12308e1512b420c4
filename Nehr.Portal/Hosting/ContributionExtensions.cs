using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Threading.RateLimiting;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using Nehr.Core.Contribution;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Portal.Hosting;

/// <summary>Settings of the contribution API (section Nehr:Contribution).</summary>
public sealed class ContributionOptions
{
    public const string Section = "Nehr:Contribution";

    /// <summary>Lifetime of a system's access token.</summary>
    public int TokenMinutes { get; set; } = 5;

    /// <summary>Bundles a system may post per minute; more are answered 429 with Retry-After.</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>The largest request body accepted (413 above it).</summary>
    public long MaxBundleBytes { get; set; } = 8 * 1024 * 1024;
}

/// <summary>
/// The contribution API: OAuth 2.0 client credentials (OpenIddict issues and validates the tokens; the client is
/// checked against the NEHR's own register of system connections, so a suspension applies at once) and the FHIR R4
/// endpoint at /fhir: POST a Bundle, GET metadata.
/// </summary>
internal static class ContributionExtensions
{
    public const string FhirBase = "/fhir";
    public const string TokenPath = "/connect/token";
    public const string SystemPolicy = "ContributingSystem";
    public const string SystemClaim = "nehr_system";
    private const string FhirJson = "application/fhir+json";

    public static WebApplicationBuilder AddNehrContribution(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ContributionOptions>().BindConfiguration(ContributionOptions.Section)
            .Validate(o => o.TokenMinutes is >= 1 and <= 60 && o.RequestsPerMinute >= 1 && o.MaxBundleBytes >= 1024,
                "Nehr:Contribution needs TokenMinutes 1-60, RequestsPerMinute >= 1 and MaxBundleBytes >= 1024.")
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
                // encryption keys; no token is signed with them, so per-instance ephemeral ones do.)
                server.UseDataProtection();
                server.AddEphemeralSigningKey();
                server.AddEphemeralEncryptionKey();
                server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseScopedHandler<ValidateSystemClient>());
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
        return builder;
    }

    public static WebApplication MapNehrContribution(this WebApplication app)
    {
        app.MapPost(TokenPath, IssueToken).AllowAnonymous().DisableAntiforgery();
        app.MapGet(FhirBase + "/metadata", (HttpContext context) => WriteFhirAsync(context, Capabilities(context), context.RequestAborted))
            .AllowAnonymous();
        app.MapPost(FhirBase, ContributeAsync)
            .RequireAuthorization(SystemPolicy)
            .DisableAntiforgery();
        return app;
    }

    /// <summary>The token endpoint, reached once <see cref="ValidateSystemClient"/> has accepted the client.</summary>
    private static IResult IssueToken(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        var transaction = context.Features.Get<OpenIddictServerAspNetCoreFeature>()?.Transaction
            ?? throw new InvalidOperationException("The OpenIddict transaction cannot be retrieved.");
        var systemId = (int)transaction.Properties[SystemClaim]!;
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, request.ClientId);
        identity.SetClaim(SystemClaim, systemId.ToString(CultureInfo.InvariantCulture));
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task ContributeAsync(
        HttpContext context, ContributionService contributions, SystemRateLimiter limiter, Microsoft.Extensions.Options.IOptions<ContributionOptions> options)
    {
        var caller = new SystemCaller(
            int.Parse(context.User.FindFirstValue(SystemClaim)!, CultureInfo.InvariantCulture),
            context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier);
        using var lease = limiter.Acquire(caller.SystemId);
        if (!lease.IsAcquired)
        {
            var seconds = RateLimits.Refuse(context, lease);
            await WriteFhirAsync(context, Outcome(OperationOutcome.IssueType.Throttled, "Bundle",
                $"Too many requests: at most {options.Value.RequestsPerMinute} a minute per system. Retry after {seconds} s."), context.RequestAborted);
            return;
        }

        // The token may outlive a suspension: the connection's state is checked again now.
        if (!await contributions.AuthoriseAsync(caller, context.RequestAborted))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await WriteFhirAsync(context, Outcome(OperationOutcome.IssueType.Security, "Bundle", "This system may not contribute: its connection is suspended or revoked."), context.RequestAborted);
            return;
        }

        var max = options.Value.MaxBundleBytes;
        if (context.Request.ContentLength > max)
        {
            await TooLargeAsync(context, max);
            return;
        }

        string json;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            var buffer = new char[16 * 1024];
            var text = new StringBuilder();
            int read;
            while ((read = await reader.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                text.Append(buffer, 0, read);
                if (text.Length > max)
                {
                    await TooLargeAsync(context, max);
                    return;
                }
            }

            json = text.ToString();
        }

        var result = await contributions.ContributeAsync(caller, json, context.RequestAborted);
        context.Response.StatusCode = result.Status;
        if (!result.Accepted)
        {
            var outcome = new OperationOutcome();
            foreach (var issue in result.Issues)
            {
                outcome.Issue.Add(new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Error,
                    Code = issue.Kind switch
                    {
                        IssueKind.Malformed => OperationOutcome.IssueType.Structure,
                        IssueKind.NotSupported => OperationOutcome.IssueType.NotSupported,
                        IssueKind.UnknownPatient => OperationOutcome.IssueType.NotFound,
                        IssueKind.TooLarge => OperationOutcome.IssueType.TooLong,
                        _ => OperationOutcome.IssueType.Invalid,
                    },
                    Diagnostics = issue.Message,
                    Expression = [issue.Location],
                });
            }

            await WriteFhirAsync(context, outcome, context.RequestAborted);
            return;
        }

        var response = new Bundle
        {
            Type = result.BundleType == nameof(Bundle.BundleType.Batch) ? Bundle.BundleType.BatchResponse : Bundle.BundleType.TransactionResponse,
        };
        foreach (var outcome in result.Outcomes)
        {
            response.Entry.Add(new Bundle.EntryComponent
            {
                Response = new Bundle.ResponseComponent { Status = outcome.Created ? "201 Created" : "200 OK" },
            });
        }

        await WriteFhirAsync(context, response, context.RequestAborted);
    }

    private static async Task TooLargeAsync(HttpContext context, long max)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        await WriteFhirAsync(context, Outcome(OperationOutcome.IssueType.TooLong, "Bundle",
            $"The bundle is larger than {max / 1024 / 1024} MB. Split it into smaller bundles."), context.RequestAborted);
    }

    private static OperationOutcome Outcome(OperationOutcome.IssueType type, string location, string message) => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = type, Diagnostics = message, Expression = [location] }],
    };

    private static readonly FhirJsonSerializer Serializer = new();

    private static async Task WriteFhirAsync(HttpContext context, Resource resource, CancellationToken cancellationToken)
    {
        context.Response.ContentType = FhirJson + "; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(Serializer.SerializeToString(resource), cancellationToken);
    }

    private static CapabilityStatement Capabilities(HttpContext context)
    {
        var types = FhirBundleReader.SupportedTypes;
        return new CapabilityStatement
        {
            Status = PublicationStatus.Active,
            Date = "2026-11-24",
            Kind = CapabilityStatementKind.Instance,
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["json"],
            Software = new CapabilityStatement.SoftwareComponent { Name = "NEHR Portal contribution API" },
            Implementation = new CapabilityStatement.ImplementationComponent
            {
                Description = $"NEHR contribution API. Patients are matched by identifier system {FhirBundleReader.NricSystem} (NRIC/FIN). Observations must be laboratory results.",
                Url = $"{context.Request.Scheme}://{context.Request.Host}{FhirBase}",
            },
            Rest =
            [
                new CapabilityStatement.RestComponent
                {
                    Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                    Security = new CapabilityStatement.SecurityComponent
                    {
                        Description = $"OAuth 2.0 client credentials: POST {TokenPath} with the client id and secret issued at onboarding; send the token as a Bearer token.",
                    },
                    Interaction =
                    [
                        new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction },
                        new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Batch },
                    ],
                    Resource = types.Select(t => new CapabilityStatement.ResourceComponent { Type = t }).ToList(),
                },
            ],
        };
    }
}

/// <summary>
/// Checks a token request's client credentials against the NEHR's register of system connections (degraded mode has
/// no application store): the secret against its hash, and the connection's state now. Both outcomes are audited.
/// </summary>
internal sealed class ValidateSystemClient(ContributionService contributions) : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenRequestContext>
{
    public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.IsClientCredentialsGrantType())
        {
            context.Reject(Errors.UnsupportedGrantType, "Only the client_credentials grant is supported.");
            return;
        }

        var http = context.Transaction.GetHttpRequest()?.HttpContext;
        var systemId = await contributions.AuthenticateClientAsync(
            context.ClientId, context.Request.ClientSecret, http?.Connection.RemoteIpAddress?.ToString(),
            http?.TraceIdentifier ?? Guid.NewGuid().ToString("N"), context.CancellationToken);
        if (systemId is null)
        {
            context.Reject(Errors.InvalidClient, "Unknown client, wrong secret, or a connection that is not approved (suspended or revoked).");
            return;
        }

        context.Transaction.Properties[ContributionExtensions.SystemClaim] = systemId.Value;
    }
}

/// <summary>Bundles per minute, per system (a fixed window for each); more are answered 429 with Retry-After.</summary>
internal sealed class SystemRateLimiter(Microsoft.Extensions.Options.IOptions<ContributionOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<int> _limiter = RateLimits.PerMinute<int>(options.Value.RequestsPerMinute);

    public RateLimitLease Acquire(int systemId) => _limiter.AttemptAcquire(systemId);

    public void Dispose() => _limiter.Dispose();
}
