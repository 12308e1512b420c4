using System.Globalization;
using System.ComponentModel.DataAnnotations;
using Nehr.Core.Records;

namespace Nehr.Core.Representatives;

/// <summary>Who a representative is to the patient, and so how the relationship starts and ends.</summary>
public enum RepresentationKind
{
    /// <summary>A parent of a child, from the population register's parent–child link, until the child's 14th birthday.</summary>
    ParentOfChild,

    /// <summary>A caregiver the patient invited by NRIC/FIN; the caregiver accepts; either side ends it.</summary>
    InvitedCaregiver,

    /// <summary>A deputy appointed by the court, recorded by an MOH administrator with the order's reference and expiry.</summary>
    CourtDeputy,

    /// <summary>A Lasting Power of Attorney donee, recorded by an MOH administrator with the LPA's reference and expiry.</summary>
    LpaDonee,
}

/// <summary>What a representative may do for the patient.</summary>
[Flags]
public enum RepresentativePowers
{
    None = 0,
    SeeRecord = 1,
    SeeAccessHistory = 2,
    ChangeAccess = 4,
    ReportAccesses = 8,
    All = SeeRecord | SeeAccessHistory | ChangeAccess | ReportAccesses,
}

public enum RepresentationState
{
    /// <summary>An invitation the caregiver has not accepted yet.</summary>
    Invited,
    Active,
    Declined,
    Ended,
}

/// <summary>
/// One person's right to act for a patient: its kind, when it starts and ends, and what it allows. The
/// representative is named by NRIC/FIN (as the patient, the register or the order names them) and linked to their
/// NEHR person when known. Whether it allows something now is decided by <see cref="WhyNot"/> on current data, on
/// every request: a child's 14th birthday, an order's expiry or an ending applies at the next request.
/// </summary>
public sealed class Representation
{
    public const int MaxReferenceLength = 100;
    public const int MaxReasonLength = 500;

    /// <summary>How long an invitation may wait for the caregiver's answer.</summary>
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(14);

    /// <summary>The age at which a child's own sign-in takes over from the parent's (My Health Record's parental access).</summary>
    public const int ChildAgeLimit = 14;

    private Representation()
    {
        RepresentativeNric = default;
    }

    private Representation(int patientId, Nric representativeNric, int? representativeId, RepresentationKind kind, RepresentativePowers powers,
        RepresentationState state, DateTime startsAtUtc, DateTime? endsAtUtc, string? orderReference, string? createdByUserId, DateTime createdAtUtc)
    {
        PatientId = patientId;
        RepresentativeNric = representativeNric;
        RepresentativeId = representativeId;
        Kind = kind;
        Powers = powers;
        State = state;
        StartsAtUtc = startsAtUtc;
        EndsAtUtc = endsAtUtc;
        OrderReference = orderReference;
        CreatedByUserId = createdByUserId;
        CreatedAtUtc = createdAtUtc;
    }

    public long Id { get; private set; }

    /// <summary>The patient represented.</summary>
    public int PatientId { get; private set; }

    /// <summary>The representative's NRIC/FIN, as named.</summary>
    public Nric RepresentativeNric { get; private set; }

    /// <summary>The representative's NEHR person, once known (they sign in as themselves, with the national identity).</summary>
    public int? RepresentativeId { get; private set; }

    public RepresentationKind Kind { get; private set; }

    public RepresentativePowers Powers { get; private set; }

    public RepresentationState State { get; private set; }

    public DateTime StartsAtUtc { get; private set; }

    /// <summary>When it ends by itself: a child's 14th birthday (start of the day in Singapore), an order's expiry; null for none.</summary>
    public DateTime? EndsAtUtc { get; private set; }

    /// <summary>The court order's or LPA's reference (appointed representatives).</summary>
    public string? OrderReference { get; private set; }

    public string? CreatedByUserId { get; private set; }

    public DateTime CreatedAtUtc { get; private set; }

    public DateTime? AnsweredAtUtc { get; private set; }

    public DateTime? EndedAtUtc { get; private set; }

    public string? EndedByUserId { get; private set; }

    public string? EndReason { get; private set; }

    public const string EndedUnanswered = "the invitation expired unanswered";
    public const string EndedByPatient = "ended by the patient";
    public const string EndedByCaregiver = "ended by the caregiver";
    public const string EndedByRegister = "the population register no longer links this parent";

    /// <summary>The reasons for an end the portal itself writes (translated when shown; MOH's own stay as written).</summary>
    public static IEnumerable<string> PortalEndReasons => [EndedUnanswered, EndedByPatient, EndedByCaregiver, EndedByRegister];

    public static bool IsAppointed(RepresentationKind kind) => kind is RepresentationKind.CourtDeputy or RepresentationKind.LpaDonee;

    /// <summary>A parent of a child under 14, from the register: active at once, until the child's 14th birthday.</summary>
    public static Representation ParentOf(int childId, DateOnly childBirthDate, Nric parent, int? parentId, DateTime nowUtc) =>
        new(childId, parent, parentId, RepresentationKind.ParentOfChild, RepresentativePowers.All, RepresentationState.Active,
            nowUtc, FourteenthBirthdayUtc(childBirthDate), null, null, nowUtc);

    /// <summary>An invitation by the patient: it waits for the caregiver's acceptance.</summary>
    public static Representation Invitation(int patientId, Nric caregiver, RepresentativePowers powers, string patientUserId, DateTime nowUtc) =>
        new(patientId, caregiver, null, RepresentationKind.InvitedCaregiver, Checked(powers), RepresentationState.Invited,
            nowUtc, null, null, patientUserId, nowUtc);

    /// <summary>A deputy or LPA donee recorded by MOH from the order: active at once, until the order's expiry.</summary>
    public static Representation Appointment(
        int patientId, Nric representative, int? representativeId, RepresentationKind kind, string orderReference, DateTime expiresAtUtc,
        RepresentativePowers powers, string mohUserId, DateTime nowUtc)
    {
        if (!IsAppointed(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only deputies and LPA donees are appointed.");
        }

        return new(patientId, representative, representativeId, kind, Checked(powers), RepresentationState.Active, nowUtc, expiresAtUtc,
            orderReference, mohUserId, nowUtc);
    }

    /// <summary>The start of the child's 14th birthday in Singapore, in UTC (29 February birthdays: 1 March in other years).</summary>
    public static DateTime FourteenthBirthdayUtc(DateOnly birthDate)
    {
        var year = birthDate.Year + ChildAgeLimit;
        var birthday = birthDate.Month == 2 && birthDate.Day == 29 && !DateTime.IsLeapYear(year) ? new DateOnly(year, 3, 1) : new DateOnly(year, birthDate.Month, birthDate.Day);
        return NehrCalendar.StartOfDayUtc(birthday);
    }

    private static RepresentativePowers Checked(RepresentativePowers powers) =>
        powers == RepresentativePowers.None || (powers & ~RepresentativePowers.All) != 0
            ? throw new DomainException(new Dictionary<string, string> { ["powers"] = "Choose at least one thing the person may do." })
            : powers;

    public void Accept(int representativeId, DateTime nowUtc)
    {
        State = RepresentationState.Active;
        RepresentativeId = representativeId;
        AnsweredAtUtc = nowUtc;
        StartsAtUtc = nowUtc;
    }

    public void Decline(int representativeId, DateTime nowUtc)
    {
        State = RepresentationState.Declined;
        RepresentativeId = representativeId;
        AnsweredAtUtc = nowUtc;
    }

    public void End(string? byUserId, string reason, DateTime nowUtc)
    {
        State = RepresentationState.Ended;
        EndedAtUtc = nowUtc;
        EndedByUserId = byUserId;
        EndReason = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason;
    }

    /// <summary>Whether the person (<paramref name="personId"/>, <paramref name="nric"/>) is this representation's representative.</summary>
    public bool Names(int personId, Nric nric) => RepresentativeId is { } id ? id == personId : RepresentativeNric == nric;

    /// <summary>Links the representative's NEHR person once they are known (the register names a parent before their record exists).</summary>
    public void LinkRepresentative(int representativeId) => RepresentativeId ??= representativeId;

    public bool IsInvitationExpired(DateTime nowUtc) => State == RepresentationState.Invited && nowUtc >= CreatedAtUtc + InvitationLifetime;

    /// <summary>Current, as far as its own dates and state go (the patient's death is <see cref="WhyNot"/>'s too).</summary>
    public bool IsCurrent(DateTime nowUtc) => State == RepresentationState.Active && StartsAtUtc <= nowUtc && (EndsAtUtc is null || nowUtc < EndsAtUtc);

    /// <summary>
    /// Why this representation does not allow <paramref name="power"/> for the patient now (null: it does). A
    /// deceased patient's family representatives (parent, invited caregiver) keep reading for
    /// <paramref name="deceasedReadDays"/> days after the death; nobody changes a deceased patient's settings.
    /// </summary>
    public string? WhyNot(RepresentativePowers power, DateTime nowUtc, bool patientDeceased, DateOnly? dateOfDeath, int deceasedReadDays) =>
        WhyNotText(power, nowUtc, patientDeceased, dateOfDeath, deceasedReadDays)?.English;

    /// <summary><see cref="WhyNot"/> as a text to show in the reader's language.</summary>
    public PatientMessage? WhyNotText(RepresentativePowers power, DateTime nowUtc, bool patientDeceased, DateOnly? dateOfDeath, int deceasedReadDays)
    {
        if (State == RepresentationState.Invited)
        {
            return new PatientMessage("the invitation has not been accepted");
        }

        if (State is RepresentationState.Declined or RepresentationState.Ended)
        {
            // The reasons the portal writes are translated; one MOH wrote stays as written.
            return State == RepresentationState.Declined
                ? new PatientMessage("the invitation was declined")
                : new PatientMessage("it was ended ({0})", MessageArgument.Phrase(EndReason ?? ""));
        }

        if (nowUtc < StartsAtUtc)
        {
            return new PatientMessage("it has not started");
        }

        if (EndsAtUtc is { } end && nowUtc >= end)
        {
            return Kind == RepresentationKind.ParentOfChild
                ? new PatientMessage("the child turned {0} on {1}: their own sign-in takes over",
                    MessageArgument.Text(ChildAgeLimit.ToString(CultureInfo.InvariantCulture)), MessageArgument.Day(NehrCalendar.Today(end)))
                : new PatientMessage("the order expired on {0}", MessageArgument.Day(NehrCalendar.Today(end)));
        }

        if ((Powers & power) != power)
        {
            return new PatientMessage("it does not allow this");
        }

        if (patientDeceased)
        {
            if ((power & (RepresentativePowers.ChangeAccess | RepresentativePowers.ReportAccesses)) != 0)
            {
                return new PatientMessage("the patient has died: nobody changes their settings");
            }

            var family = Kind is RepresentationKind.ParentOfChild or RepresentationKind.InvitedCaregiver;
            var readUntil = dateOfDeath is { } died ? NehrCalendar.StartOfDayUtc(died.AddDays(deceasedReadDays + 1)) : (DateTime?)null;
            if (!family || readUntil is null || nowUtc >= readUntil)
            {
                return family
                    ? new PatientMessage("the patient has died and the {0} days in which family may still read their record are over",
                        MessageArgument.Text(deceasedReadDays.ToString(CultureInfo.InvariantCulture)))
                    : new PatientMessage("the patient has died");
            }
        }

        return null;
    }

    public static string Display(RepresentationKind kind) => kind switch
    {
        RepresentationKind.ParentOfChild => "Parent of a child under 14",
        RepresentationKind.InvitedCaregiver => "Caregiver",
        RepresentationKind.CourtDeputy => "Court-appointed deputy",
        RepresentationKind.LpaDonee => "Lasting Power of Attorney donee",
        _ => kind.ToString(),
    };

    public static string Display(RepresentativePowers powers) => string.Join(", ", PowerTexts(powers));

    /// <summary>What the powers allow, each as people say it: "see the record", "report accesses"; "nothing" for none.</summary>
    public static IEnumerable<string> PowerTexts(RepresentativePowers powers) => powers == RepresentativePowers.None ? ["nothing"] : new[]
    {
        (RepresentativePowers.SeeRecord, "see the record"),
        (RepresentativePowers.SeeAccessHistory, "see the access history"),
        (RepresentativePowers.ChangeAccess, "change who may see the record"),
        (RepresentativePowers.ReportAccesses, "report accesses"),
    }.Where(p => powers.HasFlag(p.Item1)).Select(p => p.Item2);
}

/// <summary><c>Nehr:Representation</c>.</summary>
public sealed class RepresentationOptions
{
    public const string Section = "Nehr:Representation";

    /// <summary>How long after a patient's death their family representatives (parent, invited caregiver) may still read.</summary>
    [Range(0, 3650)]
    public int DeceasedReadDays { get; set; } = 90;
}
