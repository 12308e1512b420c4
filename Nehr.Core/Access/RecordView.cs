using Nehr.Core.Records;

namespace Nehr.Core.Access;

/// <summary>What one read through the gate returns: the decision, and only the data it allows.</summary>
public sealed record RecordView(
    AccessDecision Decision,
    PatientDemographics? Patient,
    IReadOnlyDictionary<EntryKind, EntryPage> Entries,
    DateTime? OverrideExpiresAtUtc,
    long AuditSequence)
{
    public static IReadOnlyList<EntryKind> KindsFor(AccessLevel level) => level switch
    {
        AccessLevel.Full => Enum.GetValues<EntryKind>(),
        // Demographics, allergies and vaccinations: what stays visible to the care team under a restriction.
        AccessLevel.BasicSetOnly => [EntryKind.Allergy, EntryKind.Vaccination],
        _ => [],
    };
}

public sealed record PatientDemographics(
    int Id, string Nric, string Name, DateOnly DateOfBirth, Sex Sex, Race Race, RestrictionMode Restriction)
{
    /// <summary>False while the person was enrolled by a provider's feed and the population register has not confirmed them.</summary>
    public bool DemographicsConfirmed { get; init; } = true;

    public bool IsDeceased { get; init; }

    public DateOnly? DateOfDeath { get; init; }
}

/// <summary>One page of one kind of entry, newest first.</summary>
public sealed record EntryPage(EntryKind Kind, int Page, int PageSize, int Total, IReadOnlyList<ClinicalEntry> Items)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>A clinician's request to read a patient's record.</summary>
public sealed record RecordRequest(Audit.AuditContext Who, int PatientId, PurposeOfUse Purpose);
