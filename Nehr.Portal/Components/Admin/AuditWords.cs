using Nehr.Core.Access;
using Nehr.Core.Audit;

namespace Nehr.Portal.Components.Admin;

/// <summary>Audit events in words for staff pages: what was done, and the access it gave.</summary>
public static class AuditWords
{
    public static string EventType(string eventType) => eventType switch
    {
        AuditEventTypes.RecordRead => "Read the record",
        AuditEventTypes.RecordExported => "Exported the record summary",
        AuditEventTypes.OverrideGranted => "Emergency override granted",
        AuditEventTypes.OverrideEnded => "Emergency override ended",
        AuditEventTypes.ChainBreakDetected => "Audit trail integrity break found",
        AuditEventTypes.PatientLookup => "Looked up a patient",
        _ => eventType,
    };

    public static string Access(AccessLevel? level, bool isOverride) => (level switch
    {
        AccessLevel.Full => "Full record",
        AccessLevel.BasicSetOnly => "Basic set only",
        AccessLevel.Denied => "Refused",
        _ => "—",
    }) + (isOverride ? ", under an emergency override" : "");
}
