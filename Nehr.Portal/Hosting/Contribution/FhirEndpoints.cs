using System.Buffers;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;
using Nehr.Core.Contribution;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Portal.Hosting;

/// <summary>The handlers of the contribution endpoints: the token, a bundle, the population register's load.</summary>
internal static class FhirEndpoints
{
    /// <summary>The token endpoint, reached once <see cref="ValidateSystemClient"/> has accepted the client.</summary>
    internal static IResult IssueToken(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        var transaction = context.Features.Get<OpenIddictServerAspNetCoreFeature>()?.Transaction
            ?? throw new InvalidOperationException("The OpenIddict transaction cannot be retrieved.");
        var systemId = (int)transaction.Properties[ContributionExtensions.SystemClaim]!;
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, request.ClientId);
        identity.SetClaim(ContributionExtensions.SystemClaim, systemId.ToString(CultureInfo.InvariantCulture));
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The caller, within its rate, with a connection that may contribute now; otherwise the answer is already written.</summary>
    private static async Task<SystemCaller?> AdmitAsync(HttpContext context, ContributionService contributions, SystemRateLimiter limiter, ContributionOptions options)
    {
        var caller = new SystemCaller(
            int.Parse(context.User.FindFirstValue(ContributionExtensions.SystemClaim)!, CultureInfo.InvariantCulture),
            context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier);
        using var lease = limiter.Acquire(caller.SystemId);
        if (!lease.IsAcquired)
        {
            var seconds = RateLimits.Refuse(context, lease);
            await FhirResponses.WriteAsync(context, FhirResponses.Outcome(OperationOutcome.IssueType.Throttled, "Bundle",
                $"Too many requests: at most {options.RequestsPerMinute} a minute per system. Retry after {seconds} s."), context.RequestAborted);
            return null;
        }

        // The token may outlive a suspension: the connection's state is checked again now (and again in the write).
        if (await contributions.AuthoriseAsync(caller, context.RequestAborted) is not { } system)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await FhirResponses.WriteAsync(context, FhirResponses.Outcome(OperationOutcome.IssueType.Security, "Bundle", "This system may not contribute: its connection is suspended or revoked."), context.RequestAborted);
            return null;
        }

        return caller with { Kind = system.Kind };
    }

    internal static async Task ContributeAsync(
        HttpContext context, ContributionService contributions, SystemRateLimiter limiter, Microsoft.Extensions.Options.IOptions<ContributionOptions> options)
    {
        var settings = options.Value;
        if (await AdmitAsync(context, contributions, limiter, settings) is not { } caller)
        {
            return;
        }

        if (UnsupportedMediaType(context.Request.ContentType, ndjson: false) is { } mediaProblem)
        {
            await RefuseAsync(context, contributions, caller, ContributionStatus.UnsupportedMediaType, new ContributionIssue(IssueKind.NotSupported, "Bundle", mediaProblem));
            return;
        }

        using var body = await ReadBodyAsync(context, settings.MaxBundleBytes);
        if (body is null)
        {
            await RefuseAsync(context, contributions, caller, ContributionStatus.TooLarge, new ContributionIssue(IssueKind.TooLarge, "Bundle",
                $"The bundle is larger than {settings.MaxBundleBytes / 1024 / 1024} MB. Split it into smaller bundles."));
            return;
        }

        var result = await contributions.ContributeAsync(caller, body.Bytes, context.RequestAborted);
        context.Response.StatusCode = result.Status.HttpStatus();
        if (!result.Accepted)
        {
            await FhirResponses.WriteAsync(context, FhirResponses.OutcomeOf(result.Issues), context.RequestAborted);
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
                    Status = entry.Status.StatusLine(),
                    Outcome = entry.Issues.Count > 0 ? FhirResponses.OutcomeOf(entry.Issues) : null,
                },
            });
        }

        await FhirResponses.WriteAsync(context, response, context.RequestAborted);
    }

    /// <summary>The population register's first fill: NDJSON, one Patient a line, read as it arrives.</summary>
    internal static async Task LoadRegisterAsync(
        HttpContext context, ContributionService contributions, SystemRateLimiter limiter, Microsoft.Extensions.Options.IOptions<ContributionOptions> options)
    {
        var settings = options.Value;
        if (await AdmitAsync(context, contributions, limiter, settings) is not { } caller)
        {
            return;
        }

        if (UnsupportedMediaType(context.Request.ContentType, ndjson: true) is { } mediaProblem)
        {
            await RefuseAsync(context, contributions, caller, ContributionStatus.UnsupportedMediaType, new ContributionIssue(IssueKind.NotSupported, "Patient", mediaProblem));
            return;
        }

        if (context.Request.ContentLength > settings.MaxRegisterLoadBytes)
        {
            await RefuseAsync(context, contributions, caller, ContributionStatus.TooLarge, new ContributionIssue(IssueKind.TooLarge, "Patient",
                $"A load is at most {settings.MaxRegisterLoadBytes / 1024 / 1024} MB. Split it."));
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = settings.MaxRegisterLoadBytes;
        }

        var result = await contributions.LoadPopulationRegisterAsync(caller, context.Request.Body, context.RequestAborted);
        context.Response.StatusCode = result.Status.HttpStatus();
        var outcome = FhirResponses.OutcomeOf(result.Problems);
        outcome.Issue.Insert(0, new OperationOutcome.IssueComponent
        {
            Severity = OperationOutcome.IssueSeverity.Information,
            Code = OperationOutcome.IssueType.Informational,
            Diagnostics = string.Create(CultureInfo.InvariantCulture,
                $"{result.Lines:N0} lines read, {result.Applied:N0} persons applied, {result.Refused:N0} lines refused. {string.Join(", ", result.Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value:N0}"))}"),
        });
        await FhirResponses.WriteAsync(context, outcome, context.RequestAborted);
    }

    /// <summary>FHIR JSON only: application/fhir+json (or application/json), UTF-8; NDJSON for the register's load.</summary>
    private static string? UnsupportedMediaType(string? contentType, bool ndjson)
    {
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.MediaType.HasValue)
        {
            return ndjson
                ? "Send the load as application/fhir+ndjson (one Patient in FHIR JSON a line)."
                : $"Send the bundle as {FhirResponses.FhirJson} (FHIR R4 JSON): the Content-Type header is missing or unreadable.";
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

        return type is FhirResponses.FhirJson or "application/json" or "application/json+fhir"
            ? null
            : type.Contains("xml", StringComparison.Ordinal)
                ? "The NEHR takes FHIR JSON only, not XML: send the bundle as application/fhir+json."
                : $"Send the bundle as {FhirResponses.FhirJson} (FHIR R4 JSON), not {FhirBundleReader.Printable(type)}.";
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

    private static async Task RefuseAsync(HttpContext context, ContributionService contributions, SystemCaller caller, ContributionStatus status, ContributionIssue issue)
    {
        var result = await contributions.RefuseAsync(caller, issue, status, context.RequestAborted);
        context.Response.StatusCode = status.HttpStatus();
        await FhirResponses.WriteAsync(context, FhirResponses.OutcomeOf(result.Issues), context.RequestAborted);
    }
}
