using System.Globalization;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Oversight;
using Nehr.Portal.Components.Shared;
using Nehr.Portal.Security;

namespace Nehr.Portal.Hosting;

internal static class AdminEndpoints
{
    public const string ConnectivityTestPath = "/api/onboarding/connectivity-test";

    /// <summary>
    /// The audit export's columns: the time as people read it (Singapore time, as on screen), then the same moment to
    /// the microsecond in ISO 8601 with its offset, for spreadsheets and other tools.
    /// </summary>
    public const string AuditCsvHeader =
        "Sequence,When,When (ISO 8601),Event,Actor,Role,Provider,Patient,Level,Override,Outcome,Reason,Client address,Correlation id,Details";

    /// <summary>A UTC moment in the display time zone, ISO 8601 with its offset: 2026-11-24T18:05:09.123456+08:00.</summary>
    public static string IsoLocal(DateTime utc)
    {
        var at = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        var local = DisplayTime.Local(at);
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), local - at)
            .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
    }

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The auditors' CSV export of an audit search (the search itself is audited by the service).
        endpoints.MapGet("/admin/moh/audit.csv", async (
            HttpContext context, AuditSearch search,
            string? patient, string? person, int? provider, DateOnly? from, DateOnly? to, string? type) =>
        {
            var query = new AuditQuery(patient, person, provider, from, to, type);
            return await Csv.DownloadAsync(context, search.ExportAsync(context.Who(), query, context.RequestAborted), "nehr-audit.csv",
                AuditCsvHeader,
                r => string.Join(',',
                    r.Sequence.ToString(CultureInfo.InvariantCulture), Csv.Cell(DisplayTime.Moment(r.AtUtc)), IsoLocal(r.AtUtc),
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
