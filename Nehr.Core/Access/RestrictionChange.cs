namespace Nehr.Core.Access;

/// <summary>One version of a patient's restriction: who changed it, when, from what to what. Never edited.</summary>
public sealed class RestrictionChange
{
    private RestrictionChange()
    {
        ChangedBy = string.Empty;
        FromProviderIds = [];
        ToProviderIds = [];
    }

    internal RestrictionChange(
        int patientId, int version, RestrictionMode from, RestrictionMode to,
        int[] fromProviderIds, int[] toProviderIds, string changedBy, DateTime changedAtUtc)
    {
        PatientId = patientId;
        Version = version;
        FromMode = from;
        ToMode = to;
        FromProviderIds = fromProviderIds;
        ToProviderIds = toProviderIds;
        ChangedBy = changedBy;
        ChangedAtUtc = changedAtUtc;
    }

    public long Id { get; private set; }

    public int PatientId { get; private set; }

    public int Version { get; private set; }

    public RestrictionMode FromMode { get; private set; }

    public RestrictionMode ToMode { get; private set; }

    public int[] FromProviderIds { get; private set; }

    public int[] ToProviderIds { get; private set; }

    /// <summary>The user id of whoever made the change (the patient, or staff acting for them).</summary>
    public string ChangedBy { get; private set; }

    public DateTime ChangedAtUtc { get; private set; }
}
