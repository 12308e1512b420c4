using System.Diagnostics.CodeAnalysis;

namespace Nehr.Core.Access;

/// <summary>
/// Why a record is being read. HL7 v3 ActReason codes where they exist (TREAT, ETREAT, BTG, HPAYMT, COVERAGE);
/// HL7 has no code for employment, so the NEHR uses a local code for it.
/// </summary>
public readonly record struct PurposeOfUse
{
    public const string Hl7ActReasonSystem = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    public const string LocalSystem = "urn:nehr:purpose-of-use";

    public static readonly PurposeOfUse Treatment = new("TREAT", Hl7ActReasonSystem, "Patient care", isCare: true);
    /// <summary>
    /// Care in an emergency department or an urgent visit (HL7 ETREAT). The access rules are those of any care: it is
    /// not the emergency override (break the glass), which a clinician asks for on a restricted record.
    /// </summary>
    public static readonly PurposeOfUse EmergencyTreatment = new("ETREAT", Hl7ActReasonSystem, "Urgent care (A&E): usual access rules", isCare: true);
    public static readonly PurposeOfUse BreakTheGlass = new("BTG", Hl7ActReasonSystem, "Break the glass", isCare: true);
    public static readonly PurposeOfUse InsurancePayment = new("HPAYMT", Hl7ActReasonSystem, "Insurance payment", isCare: false);
    public static readonly PurposeOfUse InsuranceCoverage = new("COVERAGE", Hl7ActReasonSystem, "Insurance coverage", isCare: false);
    public static readonly PurposeOfUse Employment = new("EMPLOY", LocalSystem, "Employment (e.g. pre-employment screening)", isCare: false);

    /// <summary>
    /// The purposes a clinician can choose when opening a record: care only. The others are known so that a system
    /// that gives one (the FHIR API) is refused by rule 1 and audited as given; a page never offers a purpose that
    /// exists only to be refused.
    /// </summary>
    public static readonly IReadOnlyList<PurposeOfUse> Choices = [Treatment, EmergencyTreatment];

    /// <summary>Every purpose the NEHR knows: the care purposes, break the glass, and those that are not care.</summary>
    public static readonly IReadOnlyList<PurposeOfUse> Known = [.. Choices, BreakTheGlass, InsurancePayment, InsuranceCoverage, Employment];

    private PurposeOfUse(string code, string system, string display, bool isCare)
    {
        Code = code;
        System = system;
        Display = display;
        IsCare = isCare;
    }

    public string Code { get; }

    public string System { get; }

    public string Display { get; }

    /// <summary>Only purposes of patient care may ever read the NEHR (rule 1).</summary>
    public bool IsCare { get; }

    public static bool TryParse(string? code, [NotNullWhen(true)] out PurposeOfUse? purpose)
    {
        foreach (var known in Known)
        {
            if (string.Equals(known.Code, code?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                purpose = known;
                return true;
            }
        }

        purpose = null;
        return false;
    }

    /// <summary>An unknown code is kept as a purpose that is not care, so it is refused and audited as given.</summary>
    public static PurposeOfUse FromCode(string? code) =>
        TryParse(code, out var purpose) ? purpose.Value : new PurposeOfUse((code ?? string.Empty).Trim(), LocalSystem, "Unknown purpose", isCare: false);

    public override string ToString() => Code ?? string.Empty;
}
