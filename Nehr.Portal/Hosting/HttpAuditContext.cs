using System.Security.Claims;
using Nehr.Core.Audit;

namespace Nehr.Portal.Hosting;

/// <summary>The "who" and "where" of an audit event for an HTTP request (static pages, endpoints, middleware).</summary>
internal static class HttpAuditContext
{
    /// <summary>For the given account (or nobody), from the request's client address, correlated by its trace id.</summary>
    public static AuditContext Who(this HttpContext context, string? userId) =>
        new(userId, context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier);

    /// <summary>For the request's signed-in account, if any (and whom it acts for).</summary>
    public static AuditContext Who(this HttpContext context) => context.Who(context.User.FindFirstValue(ClaimTypes.NameIdentifier)) with
    {
        RepresentationId = Security.AccountState.ActingFor(context.User),
    };
}
