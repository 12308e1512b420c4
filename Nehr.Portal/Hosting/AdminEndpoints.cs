using System.Globalization;
using System.Security.Claims;
using System.Text;
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
            HttpContext context, ClaimsPrincipal user, AuditSearch search,
            string? patient, string? person, int? provider, DateOnly? from, DateOnly? to, string? type) =>
        {
            var who = new AuditContext(user.FindFirstValue(ClaimTypes.NameIdentifier), context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier);
            var query = new AuditQuery(patient, person, provider, from, to, type);
            context.Response.Headers.CacheControl = "no-store";
            await using var rows = search.ExportAsync(who, query, context.RequestAborted).GetAsyncEnumerator(context.RequestAborted);
            bool any;
            try
            {
                any = await rows.MoveNextAsync();
            }
            catch (Nehr.Core.DomainException e)
            {
                return Results.Problem(e.Message, statusCode: e is Nehr.Core.AccessRefusedException ? 403 : 400);
            }

            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"nehr-audit.csv\"";
            await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
            await writer.WriteLineAsync("Sequence,When (UTC),Event,Actor,Role,Provider,Patient,Level,Override,Outcome,Reason,Client address,Correlation id,Details");
            while (any)
            {
                var r = rows.Current;
                await writer.WriteLineAsync(string.Join(',',
                    r.Sequence.ToString(CultureInfo.InvariantCulture), r.AtUtc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                    Csv.Cell(r.EventType), Csv.Cell(r.Actor), Csv.Cell(r.ActorRole), Csv.Cell(r.ProviderName), Csv.Cell(r.PatientNric), Csv.Cell(r.Level?.ToString()),
                    r.IsOverride ? "yes" : "no", Csv.Cell(r.Outcome.ToString()), Csv.Cell(r.Reason), Csv.Cell(r.ClientAddress), Csv.Cell(r.CorrelationId), Csv.Cell(r.Details)));
                any = await rows.MoveNextAsync();
            }

            return Results.Empty;
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
