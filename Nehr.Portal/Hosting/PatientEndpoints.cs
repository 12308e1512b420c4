using Hl7.Fhir.Serialization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Nehr.Core;
using Nehr.Core.Data;
using Nehr.Core.Representatives;
using Nehr.Core.Access;
using Nehr.Core.Records;
using System.Globalization;
using Nehr.Core.Audit;
using Nehr.Portal.Security;
using Nehr.Portal.Components.Patient;

namespace Nehr.Portal.Hosting;

internal static class PatientEndpoints
{
    public const string ActingForPath = "/patient/acting-for";
    public const string SummaryJsonPath = "/patient/summary.json";
    public const string SummaryPrintPath = "/patient/summary";

    private static readonly FhirJsonSerializer SummarySerializer = new();

    private static async IAsyncEnumerable<AccessVisit> VisitsAsync(
        AccessHistory history, Nehr.Core.Audit.AuditContext who, HistoryFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var visit in await history.ExportVisitsAsync(who, filter, cancellationToken))
        {
            yield return visit;
        }
    }

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
            // Exactly what the history page shows for the same filter: one line per visit.
            var filter = new HistoryFilter(from, to, provider, level ?? HistoryLevel.Any);
            return await Csv.DownloadAsync(context, VisitsAsync(history, context.Who(), filter, context.RequestAborted), "nehr-access-history.csv",
                $"When ({LocalTime.ZoneName}),When (ISO 8601),Until (ISO 8601),Provider,Role,Name,Reason given,What was looked at,What was seen,Why refused,Reported",
                visit => string.Join(',',
                    Csv.Cell(VisitText.When(visit)), Csv.Cell(LocalTime.Iso(visit.FirstAtUtc)), Csv.Cell(LocalTime.Iso(visit.LastAtUtc)),
                    Csv.Cell(visit.ProviderName), Csv.Cell(VisitText.Role(visit.Role)), Csv.Cell(visit.PersonName),
                    Csv.Cell(string.Join("; ", visit.Purposes.Select(VisitText.Purpose))),
                    Csv.Cell(string.Join("; ", (visit.OpenedRecord ? ["Opened the record"] : Array.Empty<string>()).Concat(visit.Sections.Select(VisitText.Section)))),
                    Csv.Cell(VisitText.Level(visit)), Csv.Cell(visit.IsRefused ? VisitText.Refusal(visit.Reason) : null),
                    Csv.Cell(visit.Report is { } r ? VisitText.ReportStatus(r) : null)));
        }).RequireAuthorization(Policies.PatientArea);

        // The patient's record to take away, as an HL7 International Patient Summary (a FHIR R4 document Bundle); for a
        // representative, the record of the patient they act for if they may see it. Audited before anything leaves.
        endpoints.MapGet(SummaryJsonPath, async (HttpContext context, RecordGate gate, Services.ProviderDirectory providers, TimeProvider clock) =>
        {
            RecordView view;
            try
            {
                view = await gate.ExportOwnRecordAsync(context.Who(), "ips-json", context.RequestAborted);
            }
            catch (AccessRefusedException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status403Forbidden);
            }

            if (view.Patient is null)
            {
                return Results.Problem(view.Decision.Explanation, statusCode: StatusCodes.Status403Forbidden);
            }

            var names = await providers.NamesAsync();
            var document = InternationalPatientSummary.Of(view, clock.GetUtcNow().UtcDateTime).ToFhirDocument(id => names.GetValueOrDefault(id));
            var json = SummarySerializer.SerializeToString(document);
            context.Response.Headers.CacheControl = "no-store";
            return Results.File(System.Text.Encoding.UTF8.GetBytes(json), "application/fhir+json", "nehr-patient-summary.json");
        }).RequireAuthorization(Policies.PatientArea);

        // Switching whom the session acts for: the representation is checked now (a refusal is audited) and the
        // session's cookie is issued again with it, or without it to act for oneself. Every later command checks again.
        endpoints.MapPost(ActingForPath, async (
            HttpContext context, [FromForm] long? representation, RepresentationService representatives,
            SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users) =>
        {
            var account = await users.GetUserAsync(context.User);
            if (account is null)
            {
                return Results.Redirect("/Account/Login");
            }

            var who = context.Who() with { RepresentationId = null };
            string? actingFor = null;
            if (representation is { } id)
            {
                try
                {
                    await representatives.BeginActingAsync(who, id, context.RequestAborted);
                    actingFor = id.ToString(CultureInfo.InvariantCulture);
                }
                catch (DomainException)
                {
                    return Results.Redirect("/patient/caregivers?cannot=1");
                }
            }

            List<Claim> claims = [.. context.User.FindAll(AccountState.MethodClaim).Select(c => new Claim(c.Type, c.Value))];
            if (actingFor is not null)
            {
                claims.Add(new Claim(AccountState.ActingForClaim, actingFor));
            }

            await signIn.SignInWithClaimsAsync(account, new AuthenticationProperties { IsPersistent = false }, claims);
            return Results.LocalRedirect(actingFor is null ? "/patient/caregivers" : "/patient/record");
        }).RequireAuthorization(Policies.PatientArea);
        return endpoints;
    }
}
