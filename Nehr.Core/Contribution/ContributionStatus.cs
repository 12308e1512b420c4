namespace Nehr.Core.Contribution;

/// <summary>
/// How the NEHR answers a contribution request, or one entry of it. The FHIR endpoint answers each with the HTTP
/// status of <see cref="ContributionStatuses.HttpStatus"/>; the contribution log records that status, as the system
/// received it.
/// </summary>
public enum ContributionStatus
{
    /// <summary>An entry filed for the first time (201).</summary>
    Created,

    /// <summary>A request accepted, or an entry updated, withdrawn or noted (200).</summary>
    Accepted,

    /// <summary>Not JSON, not FHIR R4, not a Bundle (400).</summary>
    Malformed,

    /// <summary>The system may not contribute now (401).</summary>
    Unauthorised,

    /// <summary>Larger than the NEHR accepts in one request (413).</summary>
    TooLarge,

    /// <summary>Not FHIR JSON (415).</summary>
    UnsupportedMediaType,

    /// <summary>Read, but breaking a rule of the NEHR (422).</summary>
    Unprocessable,
}

/// <summary>The one table from a contribution status to HTTP, for the endpoint and for the contribution log.</summary>
public static class ContributionStatuses
{
    public static int HttpStatus(this ContributionStatus status) => status switch
    {
        ContributionStatus.Created => 201,
        ContributionStatus.Accepted => 200,
        ContributionStatus.Malformed => 400,
        ContributionStatus.Unauthorised => 401,
        ContributionStatus.TooLarge => 413,
        ContributionStatus.UnsupportedMediaType => 415,
        _ => 422,
    };

    /// <summary>A FHIR transaction-response entry's status line (Bundle.entry.response.status).</summary>
    public static string StatusLine(this ContributionStatus status) => status switch
    {
        ContributionStatus.Created => "201 Created",
        ContributionStatus.Accepted => "200 OK",
        ContributionStatus.Malformed => "400 Bad Request",
        ContributionStatus.TooLarge => "413 Content Too Large",
        _ => "422 Unprocessable Entity",
    };

    public static bool IsRefusal(this ContributionStatus status) => status is not (ContributionStatus.Created or ContributionStatus.Accepted);
}
