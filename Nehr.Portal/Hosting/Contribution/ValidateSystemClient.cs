using Microsoft.AspNetCore;
using System.Threading.RateLimiting;
using Nehr.Core.Contribution;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Nehr.Portal.Hosting;


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
