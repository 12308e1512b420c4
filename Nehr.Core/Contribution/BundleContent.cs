using Nehr.Core.Records;

namespace Nehr.Core.Contribution;

/// <summary>What the NEHR does with one request entry of a bundle.</summary>
public enum EntryRole
{
    /// <summary>A Patient: the person the bundle files for (cross-checked with the register, or enrolled).</summary>
    Person,

    /// <summary>A clinical resource the NEHR keeps: filed, or updated when the source sent it before.</summary>
    Clinical,

    /// <summary>The source withdrew a resource it sent before (status entered-in-error).</summary>
    Withdrawal,

    /// <summary>A planned encounter: nothing filed yet, but it registers the patient with the provider for the episode.</summary>
    Registration,

    /// <summary>A type or category the NEHR does not keep (vital signs, claims, practitioners…): reported, not an error.</summary>
    NotKept,

    /// <summary>The entry cannot be taken; its issues say why.</summary>
    Failed,
}

/// <summary>
/// A Patient as a feed sent it: the NRIC/FIN, former ones (from the population register only), the demographics, and
/// every way its names are written (for the name match).
/// </summary>
/// <param name="Parents">The register's parents of the person (null from a provider, whose word on family is not taken).</param>
public sealed record PersonRead(
    Nric Nric, IReadOnlyList<Nric> Former, PersonDetails Details, IReadOnlyList<string> NameForms, string? SourceReference, IReadOnlyList<Nric>? Parents = null);

/// <summary>When an encounter's episode is under way, ended, or did not happen: what its care registration follows.</summary>
public sealed record EpisodeRead(EpisodeState State, DateTime? EndedAtUtc);

public enum EpisodeState
{
    /// <summary>planned, arrived, triaged, in-progress, on leave.</summary>
    UnderWay,

    /// <summary>finished (or unknown): the registration lasts a set time after its end.</summary>
    Ended,

    /// <summary>cancelled or entered-in-error: the registration ends now.</summary>
    Cancelled,
}

/// <summary>
/// One clinical resource ready to file once its person is resolved: its kind, the source identifier (whole), when it
/// happened, and the entry as read (its own rules already checked), still to be filed under its patient.
/// <see cref="Entry"/> is null for a withdrawal and a registration only.
/// </summary>
public sealed record EntryDraft(
    EntryKind Kind, int PersonEntry, string SourceIdentifier, DateTime OccurredAtUtc, ClinicalEntry? Entry, EpisodeRead? Episode = null)
{
    public string SourceIdentifierHash { get; } = Entry?.SourceIdentifierHash ?? ClinicalEntry.HashOf(SourceIdentifier);

    /// <summary>A withdrawal's status as the source sent it (entered-in-error, or cancelled for a result or a visit).</summary>
    public string? WithdrawnAs { get; init; }
}

/// <summary>One request entry as read: its place, its type, its role, and what goes with that role.</summary>
public sealed record ReadEntry(
    int Index, string? ResourceType, EntryRole Role, IReadOnlyList<ContributionIssue> Issues, PersonRead? Person = null,
    EntryDraft? Draft = null)
{
    public string Location => $"Bundle.entry[{Index}]";
}

/// <summary>A bundle as read: its type and its entries in order, or the problems that refuse it whole.</summary>
public sealed record BundleContent(string BundleType, IReadOnlyList<ReadEntry> Entries, IReadOnlyList<ContributionIssue> Issues)
{
    public bool IsBatch => BundleType == "batch";

    public static BundleContent Refused(params ContributionIssue[] issues) => new(string.Empty, [], issues);
}
