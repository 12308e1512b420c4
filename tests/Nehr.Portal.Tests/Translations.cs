using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Nehr.Portal.Tests;

/// <summary>
/// One set of translations (a resource file per language, keyed by the English text) and the checks every set must
/// pass: each text in every language, no two texts that differ only in case, placeholders kept.
/// </summary>
/// <param name="Folder">The resource files' folder, from the repository's root (e.g. "Nehr.Portal/Resources").</param>
/// <param name="Name">The files' name before the language (e.g. "PatientText").</param>
internal sealed partial record Translations(string Folder, string Name)
{
    public static readonly string[] Languages = ["zh", "ms", "ta"];

    [GeneratedRegex(@"\{\d\}")]
    private static partial Regex Placeholder();

    public Dictionary<string, string> In(string language) =>
        XDocument.Load(Path.Combine([MudClassTests.RepositoryRoot(), .. Folder.Split('/'), $"{Name}.{language}.resx"]))
            .Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    /// <summary>Every text has a translation in each language; with <paramref name="refuseUnused"/>, no translation of a text not asked for.</summary>
    public void AssertComplete(IReadOnlyCollection<string> keys, bool refuseUnused = false)
    {
        ArgumentNullException.ThrowIfNull(keys);
        // Resource names are compared without case: two texts that differ only in case would lose one translation.
        var clashes = keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g)).ToList();
        Assert.True(clashes.Count == 0, "texts that differ only in case: " + string.Join(" | ", clashes));
        foreach (var language in Languages)
        {
            var translations = In(language);
            var missing = keys.Where(k => !translations.TryGetValue(k, out var t) || string.IsNullOrWhiteSpace(t)).ToList();
            Assert.True(missing.Count == 0, $"{Name}.{language} lacks {missing.Count}: " + string.Join(" | ", missing));
            if (refuseUnused)
            {
                var unused = translations.Keys.Except(keys).ToList();
                Assert.True(unused.Count == 0, $"{Name}.{language} translates texts nothing shows: " + string.Join(" | ", unused));
            }
        }
    }

    /// <summary>Each translation has exactly the placeholders of its text.</summary>
    public void AssertPlaceholdersKept()
    {
        foreach (var language in Languages)
        {
            foreach (var (key, text) in In(language))
            {
                var wanted = Placeholder().Matches(key).Select(m => m.Value).Order();
                Assert.True(wanted.SequenceEqual(Placeholder().Matches(text).Select(m => m.Value).Order()), $"{Name}.{language}: \"{text}\" for \"{key}\"");
            }
        }
    }

    /// <summary>What the built assembly's localizer for <paramref name="marker"/> gives for <paramref name="key"/> in a language.</summary>
    public static string Localized(Type marker, string language, string key)
    {
        var factory = new ResourceManagerStringLocalizerFactory(
            Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance);
        var localizer = factory.Create(marker);
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo(language);
            return localizer[key].Value;
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }
}
