using Nehr.Core.Administration;

namespace Nehr.Portal.Components.Shared;

/// <summary>A care registration in words: how it came about and until when (one wording for the patient and the provider).</summary>
public static class RegistrationText
{
    public const string WhileTheVisitIsUnderWay = "While the visit is under way";

    /// <summary>
    /// Until when: the last day it covers (a registration by an administrator ends at midnight after its last day);
    /// one from a visit whose episode is still under way has no end yet.
    /// </summary>
    public static string Until(RegistrationSource source, DateTime? expiresAtUtc) => expiresAtUtc switch
    {
        { } expires => DisplayTime.LastDay(expires),
        null when source == RegistrationSource.Encounter => WhileTheVisitIsUnderWay,
        _ => "No end date",
    };
}
