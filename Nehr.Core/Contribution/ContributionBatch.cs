namespace Nehr.Core.Contribution;

public enum ContributionOutcome
{
    /// <summary>Every entry applied (or reported as not kept).</summary>
    Accepted,

    /// <summary>A batch of which some entries were applied and some refused.</summary>
    PartlyAccepted,

    /// <summary>Nothing applied.</summary>
    Refused,
}

/// <summary>
/// The contribution log: one row for every contribution request of a system, accepted or refused (and for each load of
/// the demo data): when, which system, the outcome and HTTP status, counts per kind and the issue codes and texts of
/// the OperationOutcome — never the clinical payload. MOH's compliance view and the provider administrator's list of
/// refusals are read from it, so neither needs to read clinical entries.
/// </summary>
public sealed class ContributionBatch
{
    public const int MaxIssueTextLength = 4000;
    public const int MaxKindCountsLength = 400;
    public const int MaxIssueCodesLength = 200;

    private ContributionBatch()
    {
    }

    /// <summary>An accepted contribution of <paramref name="resourceCount"/> kept resources (the demo data, the bulk loader).</summary>
    public ContributionBatch(int providerId, int? systemId, int resourceCount, DateTime receivedAtUtc)
        : this(providerId, systemId, receivedAtUtc, ContributionOutcome.Accepted, 200, null, resourceCount, resourceCount, 0, 0, null, null, null)
    {
    }

    public ContributionBatch(
        int providerId, int? systemId, DateTime receivedAtUtc, ContributionOutcome outcome, int httpStatus, string? bundleType,
        int entryCount, int resourceCount, int notKeptCount, int refusedCount, string? kindCounts, string? issueCodes, string? issueText)
    {
        if (providerId <= 0)
        {
            throw new DomainException("A contribution comes from a provider.");
        }

        if (resourceCount < 0 || entryCount < 0 || notKeptCount < 0 || refusedCount < 0)
        {
            throw new DomainException("A contribution has zero or more resources.");
        }

        ProviderId = providerId;
        SystemId = systemId;
        ReceivedAtUtc = receivedAtUtc;
        Outcome = outcome;
        HttpStatus = httpStatus;
        BundleType = Cut(bundleType, 32);
        EntryCount = entryCount;
        ResourceCount = resourceCount;
        NotKeptCount = notKeptCount;
        RefusedCount = refusedCount;
        KindCounts = Cut(kindCounts, MaxKindCountsLength);
        IssueCodes = Cut(issueCodes, MaxIssueCodesLength);
        IssueText = Cut(issueText, MaxIssueTextLength);
    }

    public long Id { get; private set; }

    public int ProviderId { get; private set; }

    public int? SystemId { get; private set; }

    /// <summary>The resources kept (filed, updated or withdrawn) by this contribution.</summary>
    public int ResourceCount { get; private set; }

    public DateTime ReceivedAtUtc { get; private set; }

    public ContributionOutcome Outcome { get; private set; }

    public int HttpStatus { get; private set; }

    /// <summary>transaction, batch, ndjson; null when the body was not a bundle.</summary>
    public string? BundleType { get; private set; }

    /// <summary>The entries of the request (lines of an NDJSON load).</summary>
    public int EntryCount { get; private set; }

    public int NotKeptCount { get; private set; }

    public int RefusedCount { get; private set; }

    /// <summary>Counts per kind kept, e.g. "LabResult=12, Visit=3, Person=1".</summary>
    public string? KindCounts { get; private set; }

    /// <summary>The OperationOutcome's issue codes, e.g. "business-rule, invalid".</summary>
    public string? IssueCodes { get; private set; }

    /// <summary>The OperationOutcome's texts (where each problem is and what it is), as answered to the system.</summary>
    public string? IssueText { get; private set; }

    public bool IsAccepted => Outcome != ContributionOutcome.Refused;

    // A log line is a summary: the full answer went to the system. Only what the NEHR wrote itself is cut here.
    private static string? Cut(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..(max - 1)] + "…";
}

/// <summary>
/// The data-quality list: a Patient from a provider's system that disagreed with the person register (or named two
/// NRIC/FINs, or shared a fullUrl with another). Nothing was filed for that person; the provider's administrator and
/// MOH's compliance view see the row, which names the field, never the register's value.
/// </summary>
public sealed class IdentityMismatch
{
    public const int MaxReferenceLength = 200;

    private IdentityMismatch()
    {
        Field = string.Empty;
        Message = string.Empty;
    }

    public IdentityMismatch(int providerId, int systemId, string? nric, string? sourceReference, string field, string message, DateTime atUtc)
    {
        if (providerId <= 0 || systemId <= 0)
        {
            throw new DomainException("A mismatch comes from a provider's system.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        ProviderId = providerId;
        SystemId = systemId;
        Nric = nric is { Length: <= 9 } ? nric : null;
        // The sender's fullUrl or id, as it wrote it: printable, and short.
        var reference = sourceReference is null ? null : new string(sourceReference.Where(c => !char.IsControl(c) && !char.IsSurrogate(c)).ToArray());
        SourceReference = reference is null ? null : reference.Length <= MaxReferenceLength ? reference : reference[..MaxReferenceLength];
        Field = field;
        Message = message.Length <= 1000 ? message : message[..1000];
        AtUtc = atUtc;
    }

    public long Id { get; private set; }

    public int ProviderId { get; private set; }

    public int SystemId { get; private set; }

    /// <summary>The NRIC/FIN the provider sent (its own data).</summary>
    public string? Nric { get; private set; }

    /// <summary>Where the Patient was in the provider's bundle: its fullUrl or id.</summary>
    public string? SourceReference { get; private set; }

    /// <summary>The FHIR element that disagreed: birthDate, gender, name, identifier, fullUrl.</summary>
    public string Field { get; private set; }

    public string Message { get; private set; }

    public DateTime AtUtc { get; private set; }
}
