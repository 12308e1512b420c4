using System.Globalization;
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
            HttpContext context, AccessHistory history,
            DateOnly? from, DateOnly? to, int? provider, HistoryLevel? level) =>
        {
            var filter = new HistoryFilter(from, to, provider, level ?? HistoryLevel.Any);
            return await Csv.DownloadAsync(context, history.ExportAsync(context.Who(), filter, context.RequestAborted), "nehr-access-history.csv",
                "When (UTC),Provider,Role,Name,What was seen,Emergency override,Outcome,Reported",
                row => string.Join(',',
                    Csv.Cell(row.AtUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    Csv.Cell(row.ProviderName), Csv.Cell(row.Role), Csv.Cell(row.PersonName), Csv.Cell(row.Level?.ToString()),
                    Csv.Cell(row.IsOverride ? "yes" : "no"), Csv.Cell(row.Outcome.ToString()), Csv.Cell(row.Report?.ToString())));
        }).RequireAuthorization(Policies.PatientArea);
        return endpoints;
    }
}
