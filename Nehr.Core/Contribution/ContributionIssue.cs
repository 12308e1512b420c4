namespace Nehr.Core.Contribution;

/// <summary>What kind of problem (or note) a contribution met; decides the status of the answer and the OperationOutcome code.</summary>
public enum IssueKind
{
    /// <summary>Not JSON, not FHIR R4, not a Bundle, or a resource that is not valid FHIR (400, structure).</summary>
    Malformed,

    /// <summary>Something the NEHR cannot take, such as a DELETE (422, not-supported).</summary>
    NotSupported,

    /// <summary>A required element is missing or a value is invalid for the NEHR (422, invalid).</summary>
    Invalid,

    /// <summary>A rule of the NEHR: the identity cross-check, an entry that belongs to another person (422, business-rule).</summary>
    BusinessRule,

    /// <summary>The bundle is larger than the NEHR accepts in one request (413, too-long).</summary>
    TooLarge,

    /// <summary>Not an error: an entry the NEHR does not keep (information, informational).</summary>
    NotKept,

    /// <summary>Not an error: what the NEHR did with an entry, e.g. withdrew it (information, informational).</summary>
    Information,
}

/// <summary>One problem (or note) of a contribution, naming where it is (e.g. "Bundle.entry[3].resource.subject").</summary>
public sealed record ContributionIssue(IssueKind Kind, string Location, string Message)
{
    public bool IsError => Kind is not (IssueKind.NotKept or IssueKind.Information);

    /// <summary>The FHIR IssueType code (http://hl7.org/fhir/issue-type) of the issue.</summary>
    public string Code => Kind switch
    {
        IssueKind.Malformed => "structure",
        IssueKind.NotSupported => "not-supported",
        IssueKind.BusinessRule => "business-rule",
        IssueKind.TooLarge => "too-long",
        IssueKind.NotKept or IssueKind.Information => "informational",
        _ => "invalid",
    };

    /// <summary>The status that fits a refusal with these problems: too large, then malformed, then unprocessable.</summary>
    public static ContributionStatus StatusFor(IEnumerable<ContributionIssue> issues)
    {
        var errors = issues.Where(i => i.IsError).ToList();
        return errors.Any(i => i.Kind == IssueKind.TooLarge) ? ContributionStatus.TooLarge
            : errors.Any(i => i.Kind == IssueKind.Malformed) ? ContributionStatus.Malformed
            : ContributionStatus.Unprocessable;
    }
}
