using System.Globalization;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Oversight;
using Nehr.Portal.Security;

namespace Nehr.Portal.Hosting;

internal static class AdminEndpoints
{
    public const string ConnectivityTestPath = "/api/onboarding/connectivity-test";

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The auditors' CSV export of an audit search (the search itself is audited by the service).
        endpoints.MapGet("/admin/moh/audit.csv", async (
            HttpContext context, AuditSearch search,
            string? patient, string? person, int? provider, DateOnly? from, DateOnly? to, string? type) =>
        {
            var query = new AuditQuery(patient, person, provider, from, to, type);
            return await Csv.DownloadAsync(context, search.ExportAsync(context.Who(), query, context.RequestAborted), "nehr-audit.csv",
                "Sequence,When (UTC),Event,Actor,Role,Provider,Patient,Level,Override,Outcome,Reason,Client address,Correlation id,Details",
                r => string.Join(',',
                    r.Sequence.ToString(CultureInfo.InvariantCulture), r.AtUtc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                    Csv.Cell(r.EventType), Csv.Cell(r.Actor), Csv.Cell(r.ActorRole), Csv.Cell(r.ProviderName), Csv.Cell(r.PatientNric), Csv.Cell(r.Level?.ToString()),
                    r.IsOverride ? "yes" : "no", Csv.Cell(r.Outcome.ToString()), Csv.Cell(r.Reason), Csv.Cell(r.ClientAddress), Csv.Cell(r.CorrelationId), Csv.Cell(r.Details)));
        }).RequireAuthorization(Policies.MohAuditorArea);

        // A system's connectivity test call, with the one-time key its provider got when applying.
        endpoints.MapPost(ConnectivityTestPath, async (HttpContext context, SystemOnboarding onboarding) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            var key = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
            var passed = await onboarding.ConnectivityTestAsync(key, context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier, context.RequestAborted);
            return passed
                ? Results.Ok(new { status = "passed", message = "Connectivity test passed. MOH will now check the security items." })
                : Results.Json(new { status = "refused", message = "Unknown, used or wrong key, or the application is not open." }, statusCode: StatusCodes.Status401Unauthorized);
        }).AllowAnonymous().DisableAntiforgery();

        return endpoints;
    }
}
