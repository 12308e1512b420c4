namespace Nehr.Core.Audit;

/// <summary>The event types of the audit trail.</summary>
public static class AuditEventTypes
{
    public const string SignIn = "auth.sign-in";
    public const string SignInFailed = "auth.sign-in-failed";
    public const string SignOut = "auth.sign-out";
    public const string PasswordResetRequested = "auth.password-reset-requested";
    public const string PasswordReset = "auth.password-reset";
    public const string PasswordResetFailed = "auth.password-reset-failed";
    public const string EventsAggregated = "audit.events-aggregated";
    public const string RecordRead = "record.read";
    public const string RecordExported = "record.exported";
    public const string PatientLookup = "patient.lookup";
    public const string RestrictionChanged = "restriction.changed";
    public const string OverrideGranted = "override.granted";
    public const string OverrideRefused = "override.refused";
    public const string OverrideEnded = "override.ended";
    public const string CareRegistered = "registration.created";
    public const string CareRegistrationEnded = "registration.ended";
    public const string CareRegistrationChanged = "registration.changed";
    public const string DemoDataSeeded = "system.demo-data-seeded";
    public const string AccessReported = "access.reported";
    public const string ActionRefused = "action.refused";
    public const string AccountCreated = "staff.account-created";
    public const string StaffRoleChanged = "staff.role-changed";
    public const string StaffNricSet = "staff.nric-set";
    public const string StaffDeactivated = "staff.deactivated";
    public const string OverrideReviewed = "override.reviewed";
    public const string ReportClosed = "access-report.closed";
    public const string RegistrationReported = "registration.reported";
    public const string ReferralOutcomeRecorded = "override.referral-outcome";
    public const string ReviewItemViewed = "review.viewed";
    public const string AuditSearched = "audit.searched";
    public const string AuditExported = "audit.exported";
    public const string AuditVerified = "audit.verified";

    /// <summary>An auditor produced the proof that an event is in the signed log (details "sequence=…; checkpoint=…").</summary>
    public const string AuditProved = "audit.proved";

    /// <summary>A scheduled verification found the chain or its signed checkpoints broken (critical; details "severity=critical; sequence=…; reason=…").</summary>
    public const string ChainBreakDetected = "audit.chain-break-detected";
    public const string PersonSuspended = "suspension.person";
    public const string PersonSuspensionLifted = "suspension.person-lifted";
    public const string ProviderSuspended = "suspension.provider";
    public const string ProviderSuspensionLifted = "suspension.provider-lifted";
    public const string DirectiveIssued = "directive.issued";
    public const string DirectiveAcknowledged = "directive.acknowledged";
    public const string DirectiveAttested = "directive.attested";
    public const string SystemApplied = "system.applied";
    public const string SystemConnectivityKeyIssued = "system.connectivity-key-issued";
    public const string SystemConnectivityTested = "system.connectivity-tested";
    public const string SystemChecklistChanged = "system.checklist-changed";
    public const string SystemApproved = "system.approved";
    public const string SystemSuspended = "system.suspended";
    public const string SystemReinstated = "system.reinstated";
    public const string SystemRevoked = "system.revoked";
    public const string SystemTokenIssued = "system.token-issued";
    public const string SystemTokenRefused = "system.token-refused";
    public const string ContributionAccepted = "contribution.accepted";
    public const string ContributionRefused = "contribution.refused";
    public const string PersonEnrolled = "person.enrolled";
    public const string PatientEnrolled = "patient.enrolled";
    public const string RepresentativeRead = "representative.read";
    public const string RepresentationInvited = "representation.invited";
    public const string RepresentationAccepted = "representation.accepted";
    public const string RepresentationDeclined = "representation.declined";
    public const string RepresentationEnded = "representation.ended";
    public const string RepresentationAppointed = "representation.appointed";
    public const string RepresentationFromRegister = "representation.parent-linked";
    public const string PersonRegistered = "person.registered";
    public const string DemographicsChanged = "person.demographics-changed";
    public const string PersonIdentifierChanged = "person.identifier-changed";
    public const string AlertRaised = "alert.raised";
    public const string AlertClosed = "alert.closed";
    public const string AlertsRecomputed = "alert.recomputed";
    public const string RecordFlagged = "record.flagged";
    public const string RecordUnflagged = "record.unflagged";
    public const string ProviderRecertified = "provider.recertified";
    public const string NoticeChannelsChanged = "notices.channels-changed";

    /// <summary>Every event type, for the auditors' search.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(AuditEventTypes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToList();
}
