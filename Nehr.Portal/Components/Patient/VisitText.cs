using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Records;
using Nehr.Portal.Components.Record;

namespace Nehr.Portal.Components.Patient;

/// <summary>
/// A visit to the record (<see cref="AccessVisit"/>) in the patient's words. Each text is the English key of the
/// patient area's resources (<see cref="PatientText"/>); the CSV export uses it as it is.
/// </summary>
public static class VisitText
{
    /// <summary>The "What was seen" filter's choices.</summary>
    public static readonly IReadOnlyList<(HistoryLevel Level, string Text)> LevelChoices =
    [
        (HistoryLevel.Any, "Any visit"),
        (HistoryLevel.Full, "Full record (emergency overrides included)"),
        (HistoryLevel.BasicSetOnly, "Basic set only"),
        (HistoryLevel.EmergencyOverride, "Emergency overrides"),
        (HistoryLevel.Denied, "Refused attempts"),
    ];

    /// <summary>What a representative may do, each power on its own (the page joins them in the reader's language).</summary>
    public static IEnumerable<string> Powers(Nehr.Core.Representatives.RepresentativePowers powers) => powers == Nehr.Core.Representatives.RepresentativePowers.None
        ? ["nothing"]
        : PowerNames.Where(p => powers.HasFlag(p.Power)).Select(p => p.Text);

    public static readonly IReadOnlyList<(Nehr.Core.Representatives.RepresentativePowers Power, string Text)> PowerNames =
    [
        (Nehr.Core.Representatives.RepresentativePowers.SeeRecord, "see the record"),
        (Nehr.Core.Representatives.RepresentativePowers.SeeAccessHistory, "see the access history"),
        (Nehr.Core.Representatives.RepresentativePowers.ChangeAccess, "change who may see the record"),
        (Nehr.Core.Representatives.RepresentativePowers.ReportAccesses, "report accesses"),
    ];

    public static string Role(string? role) =>
        Enum.TryParse<ProfessionalRole>(role, out var r) ? ProfessionalRoles.Display(r) : role ?? "Staff";

    /// <summary>What was seen: a refused attempt saw nothing.</summary>
    public static string Level(AccessVisit visit) => visit switch
    {
        { IsRefused: true } => "Refused: nothing was shown",
        { IsOverride: true } => "Full record (emergency override)",
        { Level: AccessLevel.BasicSetOnly } => "Basic set only",
        _ => "Full record",
    };

    /// <summary>Why an attempt was refused, in plain words.</summary>
    public static string Refusal(string? reason) => Enum.TryParse<DecisionReason>(reason, out var r) ? r switch
    {
        DecisionReason.PurposeNotCare => "The reason given was not your care (for example insurance or employment). The NEHR may only be used for care, so nothing was shown.",
        DecisionReason.AccountDisabled or DecisionReason.PersonNehrAccessSuspended => "This person may not use the NEHR (their access is suspended or their account is closed), so nothing was shown.",
        DecisionReason.ProviderNehrAccessSuspended or DecisionReason.ProviderNotOnboarded or DecisionReason.ProviderNotRecertified => "This provider may not use the NEHR now, so nothing was shown.",
        DecisionReason.RoleNotInCare => "This person's role does not care for patients directly, so nothing was shown.",
        DecisionReason.PatientNotRegistered => "You are not registered with this provider, so nothing was shown.",
        _ => "The NEHR's access rules refused it, so nothing was shown.",
    } : "The NEHR's access rules refused it, so nothing was shown.";

    /// <summary>A purpose of use the reader gave.</summary>
    public static string Purpose(string code) => code.ToUpperInvariant() switch
    {
        "TREAT" => "Your care",
        "ETREAT" => "Your urgent care",
        "BTG" => "Emergency override",
        "HPAYMT" => "Insurance payment (not allowed)",
        "COVERAGE" => "Insurance coverage (not allowed)",
        "EMPLOY" => "Employment (not allowed)",
        _ => "Another reason (not allowed)",
    };

    public static string Section(EntryKind kind) => EntryTable.KindText(kind);

    public static string ReportStatus(Nehr.Core.Audit.ReportStatus status) => status switch
    {
        Nehr.Core.Audit.ReportStatus.Open => "Reported: under review by MOH",
        Nehr.Core.Audit.ReportStatus.Confirmed => "Reported: MOH found the access inappropriate",
        _ => "Reported: MOH found the access appropriate",
    };

    /// <summary>Where the patient's report of a care registration stands.</summary>
    public static string RegistrationReportStatus(Nehr.Core.Audit.ReportStatus status) => status switch
    {
        Nehr.Core.Audit.ReportStatus.Open => "Reported: under review by MOH",
        Nehr.Core.Audit.ReportStatus.Confirmed => "Reported: MOH found the registration inappropriate",
        _ => "Reported: MOH found the registration appropriate",
    };

    /// <summary>When: "26 Nov 2026, 09:12", or "26 Nov 2026, 09:12 to 09:40" for a visit that lasted.</summary>
    public static string When(AccessVisit visit) =>
        visit.FirstAtUtc == visit.LastAtUtc || Nehr.Core.LocalTime.TimeOfDay(visit.FirstAtUtc) == Nehr.Core.LocalTime.TimeOfDay(visit.LastAtUtc)
            ? Nehr.Core.LocalTime.Moment(visit.FirstAtUtc)
            : $"{Nehr.Core.LocalTime.Moment(visit.FirstAtUtc)}–{Nehr.Core.LocalTime.TimeOfDay(visit.LastAtUtc)}";
}
