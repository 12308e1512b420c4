using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Nehr.Portal.Hosting;

/// <summary>
/// Limits sign-in attempts (and the other account forms that take a secret or cost a password hash) per client
/// address: beyond <see cref="PermitsPerMinute"/> posts a minute, 429 with Retry-After. The limit is attached to the
/// pages' endpoints (<c>@attribute [EnableRateLimiting(SignInRateLimit.Policy)]</c>), so every address that routes to
/// them counts, whatever its spelling (a trailing slash, another case). The per-account lockout after five failures
/// is Identity's; this stops one address from trying many accounts. <c>Nehr:Security:SignInsPerMinute</c> sets the limit.
/// </summary>
internal static class SignInRateLimit
{
    public const int PermitsPerMinute = 20;
    public const string Setting = "Nehr:Security:SignInsPerMinute";
    public const string Policy = "sign-in";

    public static IServiceCollection AddNehrSignInRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                var permits = configuration.GetValue(Setting, PermitsPerMinute);
                if (permits < 1)
                {
                    throw new InvalidOperationException($"{Setting} must be at least 1.");
                }

                // Reading the pages is free; each post counts against the client's address.
                options.AddPolicy(Policy, context => HttpMethods.IsPost(context.Request.Method)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter("read"));
                options.OnRejected = async (rejected, cancellationToken) =>
                {
                    var seconds = RateLimits.Refuse(rejected.HttpContext, rejected.Lease);
                    rejected.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                    await rejected.HttpContext.Response.WriteAsync(
                        $"Too many sign-in attempts from your address. Wait {seconds} seconds and try again.", cancellationToken);
                };
            })
            .ValidateOnStart();
        return services;
    }
}
