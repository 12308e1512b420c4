namespace Nehr.Core.Audit;

/// <summary>The event types of the audit trail.</summary>
public static class AuditEventTypes
{
    public const string SignIn = "auth.sign-in";
    public const string SignInFailed = "auth.sign-in-failed";
    public const string SignOut = "auth.sign-out";
    public const string RecordRead = "record.read";
    public const string PatientLookup = "patient.lookup";
    public const string RestrictionChanged = "restriction.changed";
    public const string OverrideGranted = "override.granted";
    public const string OverrideRefused = "override.refused";
    public const string CareRegistered = "registration.created";
    public const string CareRegistrationEnded = "registration.ended";
    public const string DemoDataSeeded = "system.demo-data-seeded";
    public const string AccessReported = "access.reported";
}
