using System.Globalization;
using System.Text.RegularExpressions;
using Nehr.Portal.Components.Shared;

namespace Nehr.Portal.Components.Admin;

/// <summary>
/// An audit event's reason and details ("personnel=12; from=Doctor/in care; …") as labelled fields a person reads:
/// "Personnel: 12", "From: Doctor/in care". A time in the details (UTC, ISO 8601) is shown in the display time zone.
/// </summary>
public static partial class AuditDetailFields
{
    /// <summary>Keys whose value is free text, which may itself hold "; ": it runs to the end of the details.</summary>
    private static readonly HashSet<string> FreeText = new(StringComparer.Ordinal) { "reason", "justification", "refused" };

    /// <summary>
    /// The reason, then each "key=value" of the details (separated by "; ") as a labelled field; a part without a
    /// key is kept as it is, unlabelled.
    /// </summary>
    public static IReadOnlyList<(string? Label, string Value)> Parse(string? reason, string? details)
    {
        var fields = new List<(string?, string)>();
        if (!string.IsNullOrWhiteSpace(reason))
        {
            fields.Add(("Reason", reason.Trim()));
        }

        var parts = (details ?? string.Empty).Split("; ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var match = KeyValue().Match(parts[i]);
            if (!match.Success)
            {
                fields.Add((null, parts[i]));
                continue;
            }

            var key = match.Groups["key"].Value;
            var value = match.Groups["value"].Value;
            if (FreeText.Contains(key) && i < parts.Length - 1)
            {
                value = string.Join("; ", parts[i..])[(key.Length + 1)..];
                i = parts.Length;
            }

            fields.Add((Label(key), key == "purpose" ? Purpose(value) : Shown(value)));
        }

        return fields;
    }

    /// <summary>"portal-role" → "Portal role".</summary>
    public static string Label(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var words = key.Replace('-', ' ');
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>"TREAT" → "Patient care (TREAT)"; a code the portal does not know is shown as it came.</summary>
    private static string Purpose(string code) =>
        Nehr.Core.Access.PurposeOfUse.TryParse(code, out var purpose) && purpose is { } known ? $"{known.Display} ({known.Code})" : Shown(code);

    private static string Shown(string value) =>
        value.Length == 0 ? "—"
        : IsoTime().IsMatch(value) && DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc)
            ? DisplayTime.Moment(DateTime.SpecifyKind(utc, DateTimeKind.Utc))
            : value;

    [GeneratedRegex("^(?<key>[a-z][a-z0-9-]*)=(?<value>.*)$", RegexOptions.Singleline)]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]00:00)?$")]
    private static partial Regex IsoTime();
}
