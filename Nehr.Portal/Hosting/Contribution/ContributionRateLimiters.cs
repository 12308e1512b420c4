using System.Threading.RateLimiting;
using Nehr.Core.Contribution;

namespace Nehr.Portal.Hosting;


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
