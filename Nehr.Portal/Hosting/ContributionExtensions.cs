using System.Buffers;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Threading.RateLimiting;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Hl7.Fhir.Utility;
using Microsoft.Net.Http.Headers;
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

    /// <summary>
    /// Token requests per minute for one client id from one address (a token lasts minutes; a system needs few):
    /// more are answered 429 with Retry-After before the secret is checked, so guessing secrets is slow.
    /// </summary>
    public int TokenRequestsPerMinute { get; set; } = 30;

    /// <summary>The largest bundle accepted (413 above it): a lifetime's export of one patient fits.</summary>
    public long MaxBundleBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The largest population-register load (NDJSON, read as it arrives).</summary>
    public long MaxRegisterLoadBytes { get; set; } = 8L * 1024 * 1024 * 1024;
}

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
    private const string FhirJson = "application/fhir+json";

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
                // encryption keys; no token is signed with them, so per-instance ephemeral ones do.)
                server.UseDataProtection();
                server.AddEphemeralSigningKey();
                server.AddEphemeralEncryptionKey();
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
                await WriteFhirAsync(context, Outcome(e.StatusCode == StatusCodes.Status413PayloadTooLarge ? OperationOutcome.IssueType.TooLong : OperationOutcome.IssueType.Structure,
                    "Bundle", e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : $"The request could not be read: {e.Message}"), CancellationToken.None);
                return;
            }
            catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Nehr.Contribution")
                    .LogError(e, "Contribution request {TraceId} failed.", context.TraceIdentifier);
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await WriteFhirAsync(context, Outcome(OperationOutcome.IssueType.Exception, "Bundle",
                    $"The NEHR could not process the request (trace {context.TraceIdentifier}); nothing was filed. Report it to the NEHR helpdesk with the trace."),
                    CancellationToken.None);
                return;
            }

            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted)
            {
                // A status without a body (no such endpoint, wrong method): say so in FHIR, not with a page.
                context.Response.Headers.ContentLength = null;
                await WriteFhirAsync(context, Outcome(context.Response.StatusCode switch
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
        app.MapPost(TokenPath, IssueToken).AllowAnonymous().DisableAntiforgery();
        app.MapGet(FhirBase + "/metadata", (HttpContext context) => WriteFhirAsync(context, Capabilities(context), context.RequestAborted))
            .AllowAnonymous();
        app.MapPost(FhirBase, ContributeAsync)
            .RequireAuthorization(SystemPolicy)
            .DisableAntiforgery();
        app.MapPost(RegisterLoadPath, LoadRegisterAsync)
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

    /// <summary>The caller, within its rate, with a connection that may contribute now; otherwise the answer is already written.</summary>
    private static async Task<SystemCaller?> AdmitAsync(HttpContext context, ContributionService contributions, SystemRateLimiter limiter, ContributionOptions options)
    {
        var caller = new SystemCaller(
            int.Parse(context.User.FindFirstValue(SystemClaim)!, CultureInfo.InvariantCulture),
            context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier);
        using var lease = limiter.Acquire(caller.SystemId);
        if (!lease.IsAcquired)
        {
            var seconds = RateLimits.Refuse(context, lease);
            await WriteFhirAsync(context, Outcome(OperationOutcome.IssueType.Throttled, "Bundle",
                $"Too many requests: at most {options.RequestsPerMinute} a minute per system. Retry after {seconds} s."), context.RequestAborted);
            return null;
        }

        // The token may outlive a suspension: the connection's state is checked again now (and again in the write).
        if (await contributions.AuthoriseAsync(caller, context.RequestAborted) is not { } system)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await WriteFhirAsync(context, Outcome(OperationOutcome.IssueType.Security, "Bundle", "This system may not contribute: its connection is suspended or revoked."), context.RequestAborted);
            return null;
        }

        return caller with { Kind = system.Kind };
    }

    private static async Task ContributeAsync(
        HttpContext context, ContributionService contributions, SystemRateLimiter limiter, Microsoft.Extensions.Options.IOptions<ContributionOptions> options)
    {
        var settings = options.Value;
        if (await AdmitAsync(context, contributions, limiter, settings) is not { } caller)
        {
            return;
        }

        if (UnsupportedMediaType(context.Request.ContentType, ndjson: false) is { } mediaProblem)
        {
            await RefuseAsync(context, contributions, caller, StatusCodes.Status415UnsupportedMediaType, new ContributionIssue(IssueKind.NotSupported, "Bundle", mediaProblem));
            return;
        }

        using var body = await ReadBodyAsync(context, settings.MaxBundleBytes);
        if (body is null)
        {
            await RefuseAsync(context, contributions, caller, StatusCodes.Status413PayloadTooLarge, new ContributionIssue(IssueKind.TooLarge, "Bundle",
                $"The bundle is larger than {settings.MaxBundleBytes / 1024 / 1024} MB. Split it into smaller bundles."));
            return;
        }

        var result = await contributions.ContributeAsync(caller, body.Bytes, context.RequestAborted);
        context.Response.StatusCode = result.Status;
        if (!result.Accepted)
        {
            await WriteFhirAsync(context, OutcomeOf(result.Issues), context.RequestAborted);
            return;
        }

        var response = new Bundle
        {
            Type = result.BundleType == "batch" ? Bundle.BundleType.BatchResponse : Bundle.BundleType.TransactionResponse,
        };
        foreach (var entry in result.Entries)
        {
            response.Entry.Add(new Bundle.EntryComponent
            {
                Response = new Bundle.ResponseComponent
                {
                    Status = entry.StatusLine,
                    Outcome = entry.Issues.Count > 0 ? OutcomeOf(entry.Issues) : null,
                },
            });
        }

        await WriteFhirAsync(context, response, context.RequestAborted);
    }

    /// <summary>The population register's first fill: NDJSON, one Patient a line, read as it arrives.</summary>
    private static async Task LoadRegisterAsync(
        HttpContext context, ContributionService contributions, SystemRateLimiter limiter, Microsoft.Extensions.Options.IOptions<ContributionOptions> options)
    {
        var settings = options.Value;
        if (await AdmitAsync(context, contributions, limiter, settings) is not { } caller)
        {
            return;
        }

        if (UnsupportedMediaType(context.Request.ContentType, ndjson: true) is { } mediaProblem)
        {
            await RefuseAsync(context, contributions, caller, StatusCodes.Status415UnsupportedMediaType, new ContributionIssue(IssueKind.NotSupported, "Patient", mediaProblem));
            return;
        }

        if (context.Request.ContentLength > settings.MaxRegisterLoadBytes)
        {
            await RefuseAsync(context, contributions, caller, StatusCodes.Status413PayloadTooLarge, new ContributionIssue(IssueKind.TooLarge, "Patient",
                $"A load is at most {settings.MaxRegisterLoadBytes / 1024 / 1024} MB. Split it."));
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = settings.MaxRegisterLoadBytes;
        }

        var result = await contributions.LoadPopulationRegisterAsync(caller, context.Request.Body, context.RequestAborted);
        context.Response.StatusCode = result.Status;
        var outcome = OutcomeOf(result.Problems);
        outcome.Issue.Insert(0, new OperationOutcome.IssueComponent
        {
            Severity = OperationOutcome.IssueSeverity.Information,
            Code = OperationOutcome.IssueType.Informational,
            Diagnostics = string.Create(CultureInfo.InvariantCulture,
                $"{result.Lines:N0} lines read, {result.Applied:N0} persons applied, {result.Refused:N0} lines refused. {string.Join(", ", result.Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value:N0}"))}"),
        });
        await WriteFhirAsync(context, outcome, context.RequestAborted);
    }

    /// <summary>FHIR JSON only: application/fhir+json (or application/json), UTF-8; NDJSON for the register's load.</summary>
    private static string? UnsupportedMediaType(string? contentType, bool ndjson)
    {
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.MediaType.HasValue)
        {
            return ndjson
                ? "Send the load as application/fhir+ndjson (one Patient in FHIR JSON a line)."
                : $"Send the bundle as {FhirJson} (FHIR R4 JSON): the Content-Type header is missing or unreadable.";
        }

        var type = media.MediaType.Value!.ToLowerInvariant();
        if (media.Charset.HasValue && media.Charset.Value is { Length: > 0 } charset && !string.Equals(charset.Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return $"The NEHR reads UTF-8 only, not {FhirBundleReader.Printable(charset)}.";
        }

        if (ndjson)
        {
            return type is "application/fhir+ndjson" or "application/ndjson" or "application/x-ndjson"
                ? null
                : $"Send the load as application/fhir+ndjson (one Patient in FHIR JSON a line), not {FhirBundleReader.Printable(type)}.";
        }

        return type is FhirJson or "application/json" or "application/json+fhir"
            ? null
            : type.Contains("xml", StringComparison.Ordinal)
                ? "The NEHR takes FHIR JSON only, not XML: send the bundle as application/fhir+json."
                : $"Send the bundle as {FhirJson} (FHIR R4 JSON), not {FhirBundleReader.Printable(type)}.";
    }

    /// <summary>
    /// The body, in a buffer from the shared pool (a bundle is usually larger than the large-object threshold, and
    /// allocating one per request would keep the garbage collector busy), or null when it is larger than the limit
    /// (read no further). The caller returns the buffer to the pool.
    /// </summary>
    private static async Task<PooledBody?> ReadBodyAsync(HttpContext context, long max)
    {
        if (context.Request.ContentLength > max)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Our own limit decides, with our own answer (the server's default is 30 MB).
            limit.MaxRequestBodySize = max + 1;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(context.Request.ContentLength is { } length and > 0 ? (int)length + 1 : 64 * 1024);
        var used = 0;
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer.AsMemory(used), context.RequestAborted)) > 0)
            {
                used += read;
                if (used > max)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }

                if (used == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, max + 1));
                    buffer.AsSpan(0, used).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return new PooledBody(buffer, used);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>A request body in a pooled buffer; disposing returns the buffer.</summary>
    private sealed class PooledBody(byte[] buffer, int length) : IDisposable
    {
        public ReadOnlyMemory<byte> Bytes => buffer.AsMemory(0, length);

        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }

    private static async Task RefuseAsync(HttpContext context, ContributionService contributions, SystemCaller caller, int status, ContributionIssue issue)
    {
        var result = await contributions.RefuseAsync(caller, issue, status, context.RequestAborted);
        context.Response.StatusCode = status;
        await WriteFhirAsync(context, OutcomeOf(result.Issues), context.RequestAborted);
    }

    /// <summary>The issues as an OperationOutcome: errors, or notes of severity information; each names its place.</summary>
    internal static OperationOutcome OutcomeOf(IEnumerable<ContributionIssue> issues)
    {
        var outcome = new OperationOutcome();
        foreach (var issue in issues)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = issue.IsError ? OperationOutcome.IssueSeverity.Error : OperationOutcome.IssueSeverity.Information,
                Code = EnumUtility.ParseLiteral<OperationOutcome.IssueType>(issue.Code) ?? OperationOutcome.IssueType.Invalid,
                Diagnostics = issue.Message,
                Expression = [issue.Location],
            });
        }

        return outcome;
    }

    internal static OperationOutcome Outcome(OperationOutcome.IssueType type, string location, string message) => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = type, Diagnostics = message, Expression = [location] }],
    };

    private static readonly FhirJsonSerializer Serializer = new();

    internal static async Task WriteFhirAsync(HttpContext context, Resource resource, CancellationToken cancellationToken)
    {
        context.Response.ContentType = FhirJson + "; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(Serializer.SerializeToString(resource), cancellationToken);
    }

    private static CapabilityStatement Capabilities(HttpContext context) => new()
    {
        Status = PublicationStatus.Active,
        Date = "2026-11-26",
        Kind = CapabilityStatementKind.Instance,
        FhirVersion = FHIRVersion.N4_0_1,
        Format = ["json"],
        Software = new CapabilityStatement.SoftwareComponent { Name = "NEHR Portal contribution API" },
        Implementation = new CapabilityStatement.ImplementationComponent
        {
            Description = $"NEHR contribution API. Persons are identified by identifier system {FhirBundleReader.NricSystem} (NRIC/FIN); every bundle carries "
                + "the Patient (name, birthDate, gender) of each person it files for, cross-checked with the person register. Observations and "
                + "DiagnosticReports are kept when they are laboratory or imaging (radiology) results; what the NEHR does not keep is reported as not kept.",
            Url = $"{context.Request.Scheme}://{context.Request.Host}{FhirBase}",
        },
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Security = new CapabilityStatement.SecurityComponent
                {
                    Description = $"OAuth 2.0 client credentials: POST {TokenPath} with the client id and secret issued at onboarding; send the token as a Bearer token in the Authorization header.",
                },
                Interaction =
                [
                    new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction },
                    new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Batch },
                ],
                Resource = FhirBundleReader.KeptTypes.Select(t => new CapabilityStatement.ResourceComponent { Type = t }).ToList(),
            },
        ],
    };
}

/// <summary>
/// Checks a token request's client credentials against the NEHR's register of system connections (degraded mode has
/// no application store): the secret against its hash, and the connection's state now. Both outcomes are audited.
/// </summary>
internal sealed class ValidateSystemClient(ContributionService contributions, TokenRateLimiter limiter) : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenRequestContext>
{
    public const string Throttled = "nehr:token-throttled";

    public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.Transaction.GetHttpRequest()?.HttpContext;

        // Per client id and address, before anything costs a hash: a wrong secret costs about 60 ms to check.
        using var lease = limiter.Acquire(context.ClientId, http?.Connection.RemoteIpAddress?.ToString());
        if (!lease.IsAcquired)
        {
            var seconds = http is null ? 60 : RateLimits.Refuse(http, lease);
            context.Transaction.Properties[Throttled] = true;
            context.Reject("slow_down", $"Too many token requests for this client from your address: at most {limiter.PermitsPerMinute} a minute. Retry after {seconds} s.");
            return;
        }

        if (!context.Request.IsClientCredentialsGrantType())
        {
            context.Reject(Errors.UnsupportedGrantType, "Only the client_credentials grant is supported.");
            return;
        }

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

/// <summary>Token requests per minute for one client id from one address (a fixed window each).</summary>
internal sealed class TokenRateLimiter(Microsoft.Extensions.Options.IOptions<ContributionOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = RateLimits.PerMinute<string>(options.Value.TokenRequestsPerMinute);

    public int PermitsPerMinute => options.Value.TokenRequestsPerMinute;

    public RateLimitLease Acquire(string? clientId, string? address) =>
        _limiter.AttemptAcquire($"{(clientId is { Length: > 200 } ? clientId[..200] : clientId)}|{address}");

    public void Dispose() => _limiter.Dispose();
}
