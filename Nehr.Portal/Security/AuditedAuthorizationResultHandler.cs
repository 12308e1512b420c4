using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Nehr.Core.Audit;
using Nehr.Portal.Hosting;

namespace Nehr.Portal.Security;

/// <summary>
/// Writes every refusal by an authorisation policy (a page or endpoint the caller may not open, signed in or not) to
/// the audit trail, then answers as ASP.NET does: a redirect to sign-in, or to the access-denied page.
/// </summary>
internal sealed class AuditedAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged || authorizeResult.Forbidden)
        {
            var who = context.Who();
            await context.RequestServices.GetRequiredService<SecurityEvents>()
                .RefusedAsync(who, context.Request.Path.Value ?? "/", Why(context.User, authorizeResult), context.RequestAborted);
        }

        if ((authorizeResult.Challenged || authorizeResult.Forbidden) && context.Request.Path.StartsWithSegments(ContributionExtensions.FhirBase))
        {
            // The FHIR API answers a system, not a browser: 401 with an OperationOutcome, never a sign-in redirect.
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await FhirResponses.WriteAsync(context, FhirResponses.Outcome(
                Hl7.Fhir.Model.OperationOutcome.IssueType.Login, "Bundle", ContributionExtensions.UnauthorisedText), context.RequestAborted);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>Why, in the words an auditor reads.</summary>
    internal static string Why(ClaimsPrincipal user, PolicyAuthorizationResult result)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return "not signed in";
        }

        var failed = result.AuthorizationFailure?.FailedRequirements ?? [];
        if (failed.OfType<RolesAuthorizationRequirement>().FirstOrDefault() is { } roles)
        {
            return $"requires {string.Join(" or ", roles.AllowedRoles)}";
        }

        return AccountState.Owed(user) ?? "refused by policy";
    }
}
