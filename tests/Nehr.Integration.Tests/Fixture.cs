using System.Text.Json;
using Nehr.Core.Records;

namespace Nehr.Integration.Tests;

/// <summary>
/// The realistic exports in Fixtures/ (Synthea 3.x R4 and a hospital EMR, not trimmed to what passes), with the
/// NRIC/FIN put in, and what they hold counted from the JSON itself.
/// </summary>
internal static class Fixture
{
    private static int s_next;

    /// <summary>A valid NRIC/FIN the demo world does not use (its digits are far from the demo generator's).</summary>
    public static string NewNric(char series = 'T') => Nric.FromDigits(series, 9_000_000 + Interlocked.Increment(ref s_next)).Value;

    public static string Load(string name, string? nric = null)
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
        return nric is null ? json : json.Replace("{{NRIC}}", nric, StringComparison.Ordinal);
    }

    /// <summary>The entries of a fixture: resource type and the category codes, in order.</summary>
    public static List<(string Type, HashSet<string> Categories, string? Status)> Entries(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("entry").EnumerateArray().Select(e =>
        {
            var resource = e.GetProperty("resource");
            var categories = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (resource.TryGetProperty("category", out var category))
            {
                foreach (var concept in category.ValueKind == JsonValueKind.Array ? category.EnumerateArray() : Enumerable.Repeat(category, 1))
                {
                    if (concept.ValueKind == JsonValueKind.Object && concept.TryGetProperty("coding", out var codings))
                    {
                        foreach (var coding in codings.EnumerateArray())
                        {
                            if (coding.TryGetProperty("code", out var code))
                            {
                                categories.Add(code.GetString()!);
                            }
                        }
                    }
                    else if (concept.ValueKind == JsonValueKind.String)
                    {
                        categories.Add(concept.GetString()!);
                    }
                }
            }

            var status = resource.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return (resource.GetProperty("resourceType").GetString()!, categories, status);
        }).ToList();
    }
}
