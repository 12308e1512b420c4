using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nehr.Core.Data;

namespace Nehr.Portal.Hosting;

/// <summary>
/// Health endpoints for a load balancer or orchestrator: liveness (the process answers) and readiness (it can use its
/// database). Anonymous, and they say only "Healthy" or "Unhealthy".
/// </summary>
internal static class HealthEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddNehrHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        return builder;
    }

    public static IEndpointRouteBuilder MapNehrHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        endpoints.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return endpoints;
    }

    /// <summary>Ready when the database answers and holds the portal's schema (the audit chain's head is there).</summary>
    private sealed class DatabaseHealthCheck(IDbContextFactory<NehrDbContext> contexts) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                return await db.AuditChainHeads.AsNoTracking().AnyAsync(cancellationToken)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("The audit chain head is missing.");
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("The database cannot be used.", e);
            }
        }
    }
}
