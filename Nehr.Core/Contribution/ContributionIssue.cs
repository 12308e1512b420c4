namespace Nehr.Core.Contribution;

/// <summary>What kind of problem made a contribution fail; decides the HTTP status and the OperationOutcome code.</summary>
public enum IssueKind
{
    /// <summary>Not JSON, not FHIR, or not a Bundle (400).</summary>
    Malformed,

    /// <summary>A resource type or kind of resource the NEHR does not take (422).</summary>
    NotSupported,

    /// <summary>A required element is missing or a value is invalid (422).</summary>
    Invalid,

    /// <summary>The patient is not in the NEHR (422).</summary>
    UnknownPatient,

    /// <summary>The bundle is larger than the NEHR accepts in one request (413).</summary>
    TooLarge,
}

/// <summary>One problem with a contribution, naming where it is (e.g. "Bundle.entry[3].resource.subject").</summary>
public sealed record ContributionIssue(IssueKind Kind, string Location, string Message);
