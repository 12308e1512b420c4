namespace Nehr.Core.Records;

/// <summary>
/// A FHIR code the source gave (a status, a verification status) as people read it: "entered-in-error" is "Entered in
/// error", "onleave" is "On leave". The code itself is kept as sent; only its display changes.
/// </summary>
public static class SourceCodes
{
    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        ["onleave"] = "On leave",
    };

    // FHIR R4's status and verification codes of the kinds the NEHR keeps (Observation, DiagnosticReport, Condition,
    // AllergyIntolerance, Immunization, MedicationRequest/Statement/Dispense, Procedure, Encounter, Composition,
    // DocumentReference).
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "registered", "preliminary", "final", "amended", "corrected", "appended", "cancelled", "entered-in-error", "unknown",
        "partial", "active", "recurrence", "relapse", "inactive", "remission", "resolved", "unconfirmed", "provisional",
        "differential", "confirmed", "refuted", "completed", "not-done", "on-hold", "stopped", "draft", "intended",
        "preparation", "in-progress", "suspended", "aborted", "planned", "arrived", "triaged", "onleave", "finished",
        "declined", "current", "superseded",
    };

    /// <summary>The FHIR codes this portal puts in words (a page may show those words in the reader's language).</summary>
    public static IReadOnlyCollection<string> KnownCodes => Known;

    /// <summary>
    /// A FHIR code in words (hyphens as spaces, the first letter capital); a code FHIR does not define is shown as the
    /// source sent it; null stays null.
    /// </summary>
    public static string? Display(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        if (Words.TryGetValue(code, out var words))
        {
            return words;
        }

        if (!Known.Contains(code))
        {
            return code;
        }

        var spaced = code.Replace('-', ' ');
        return string.Concat(char.ToUpperInvariant(spaced[0]).ToString(), spaced[1..]);
    }

    /// <summary>Encounter statuses of a visit still under way (FHIR R4: arrived, triaged, in-progress, onleave).</summary>
    public static bool IsUnderWay(string? encounterStatus) => encounterStatus is "arrived" or "triaged" or "in-progress" or "onleave";
}
