using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using Nehr.Core.Contribution;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Portal.Hosting;

/// <summary>How the contribution API answers: FHIR JSON, an OperationOutcome for every refusal and error.</summary>
internal static class FhirResponses
{
    internal const string FhirJson = "application/fhir+json";


    /// <summary>The issues as an OperationOutcome: errors, or notes of severity information; each names its place.</summary>
    internal static OperationOutcome OutcomeOf(IEnumerable<ContributionIssue> issues)
    {
        var outcome = new OperationOutcome();
        foreach (var issue in issues)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = issue.IsError ? OperationOutcome.IssueSeverity.Error : OperationOutcome.IssueSeverity.Information,
                Code = EnumUtility.ParseLiteral<OperationOutcome.IssueType>(issue.Code) ?? OperationOutcome.IssueType.Invalid,
                Diagnostics = issue.Message,
                Expression = [issue.Location],
            });
        }

        return outcome;
    }

    internal static OperationOutcome Outcome(OperationOutcome.IssueType type, string location, string message) => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = type, Diagnostics = message, Expression = [location] }],
    };

    private static readonly FhirJsonSerializer Serializer = new();

    internal static async Task WriteAsync(HttpContext context, Resource resource, CancellationToken cancellationToken)
    {
        context.Response.ContentType = FhirJson + "; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(Serializer.SerializeToString(resource), cancellationToken);
    }
}
