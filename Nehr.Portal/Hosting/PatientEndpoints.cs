using System.Globalization;
using System.Security.Claims;
using System.Text;
using Nehr.Core;
using Nehr.Core.Audit;
using Nehr.Portal.Security;

namespace Nehr.Portal.Hosting;

internal static class PatientEndpoints
{
    /// <summary>
    /// The patient's access history as CSV, for the signed-in patient only (the patient comes from the cookie,
    /// never from the query). Cells that a spreadsheet would run as a formula are neutralised.
    /// </summary>
    public static IEndpointRouteBuilder MapPatientEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/patient/access-history.csv", async (
            HttpContext context, ClaimsPrincipal user, AccessHistory history,
            DateOnly? from, DateOnly? to, int? provider, HistoryLevel? level) =>
        {
            var who = new AuditContext(user.FindFirstValue(ClaimTypes.NameIdentifier), context.Connection.RemoteIpAddress?.ToString(), context.TraceIdentifier);
            var filter = new HistoryFilter(from, to, provider, level ?? HistoryLevel.Any);
            await using var rows = history.ExportAsync(who, filter, context.RequestAborted).GetAsyncEnumerator(context.RequestAborted);
            bool more;
            try
            {
                // The first row is fetched before anything is written: a refusal still gets a proper status code.
                more = await rows.MoveNextAsync();
            }
            catch (AccessRefusedException refused)
            {
                return Results.Problem(refused.Message, statusCode: StatusCodes.Status403Forbidden);
            }

            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"nehr-access-history.csv\"";
            context.Response.Headers.CacheControl = "no-store";
            await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
            await writer.WriteLineAsync("When (UTC),Provider,Role,Name,What was seen,Emergency override,Outcome,Reported");
            for (; more; more = await rows.MoveNextAsync())
            {
                var row = rows.Current;
                await writer.WriteLineAsync(string.Join(',',
                    Csv.Cell(row.AtUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    Csv.Cell(row.ProviderName), Csv.Cell(row.Role), Csv.Cell(row.PersonName), Csv.Cell(row.Level?.ToString()),
                    Csv.Cell(row.IsOverride ? "yes" : "no"), Csv.Cell(row.Outcome.ToString()), Csv.Cell(row.Report?.ToString())));
            }

            return Results.Empty;
        }).RequireAuthorization(Policies.PatientArea);
        return endpoints;
    }
}
