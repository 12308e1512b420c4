using System.Globalization;
using System.Threading.RateLimiting;

namespace Nehr.Portal.Hosting;

/// <summary>The portal's rate limits: a fixed one-minute window per key, refused (never queued) beyond it.</summary>
internal static class RateLimits
{
    public static PartitionedRateLimiter<TKey> PerMinute<TKey>(int permits)
        where TKey : notnull => PartitionedRateLimiter.Create<TKey, TKey>(key => RateLimitPartition.GetFixedWindowLimiter(
            key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    /// <summary>Answers a refused lease with 429 and Retry-After; returns the seconds to wait, for the message.</summary>
    public static int Refuse(HttpContext context, RateLimitLease lease)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(lease);
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }
}
