using System.Globalization;
using System.Resources;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nehr.Core;

/// <summary>
/// What Nehr.Core writes for patients — notices, the e-mails that carry them, refusals shown on the patient pages — in
/// English, 简体中文, Bahasa Melayu and தமிழ் (Resources/PatientWords.{zh,ms,ta}.resx, the English text the key, as
/// the portal's own patient texts). Names, provider names and clinical content stay as contributed. The portal reads the
/// same resources through <c>IStringLocalizer&lt;PatientWords&gt;</c>.
/// </summary>
public sealed class PatientWords
{
    /// <summary>The account's language, a user claim (kept with the account when the person chooses one).</summary>
    public const string LanguageClaim = "nehr:language";

    public const string English = "en";

    /// <summary>The four languages' codes.</summary>
    public static readonly IReadOnlyList<string> Languages = [English, "zh", "ms", "ta"];

    private static readonly ResourceManager Resources = new("Nehr.Core.Resources.PatientWords", typeof(PatientWords).Assembly);

    /// <summary>The culture of a language code kept with an account; English for none or one not of the four.</summary>
    public static CultureInfo Culture(string? code) =>
        CultureInfo.GetCultureInfo(code is not null && Languages.Contains(code) ? code : English);

    /// <summary>The text in <paramref name="culture"/>'s language; the English text itself when it has no translation.</summary>
    public static string Translate(string english, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(english);
        try
        {
            return Resources.GetString(english, culture) is { Length: > 0 } text ? text : english;
        }
        catch (MissingManifestResourceException)
        {
            // English has no resources of its own (the key is the English text).
            return english;
        }
    }

    /// <summary>A translator into one language, for <see cref="PatientMessage.Render"/>.</summary>
    public static Func<string, string> In(CultureInfo culture) => english => Translate(english, culture);

    /// <summary>The English text as written (the key).</summary>
    public static string AsWritten(string english) => english;
}

/// <summary>How an argument of a <see cref="PatientMessage"/> is shown.</summary>
public enum ArgumentKind
{
    /// <summary>As written (a name, a provider's name, an order's reference): never translated.</summary>
    Text,

    /// <summary>A text of the portal's own, translated.</summary>
    Phrase,

    /// <summary>Several texts of the portal's own, each translated, joined by ", ".</summary>
    Phrases,

    /// <summary>A UTC moment, shown in the display time zone: "4 Jun 2025, 14:05".</summary>
    Moment,

    /// <summary>A UTC moment with the zone named, for text read away from a page: "4 Jun 2025, 14:05 (Singapore time)".</summary>
    MomentNamed,

    /// <summary>A day: "30 Jun 2026".</summary>
    Day,

    /// <summary>A text of its own with its own arguments (JSON), rendered in the same language.</summary>
    Message,
}

/// <summary>One argument of a <see cref="PatientMessage"/>: what it is and its value, kept as text (times in ISO 8601 UTC).</summary>
public sealed record MessageArgument(ArgumentKind Kind, string Value)
{
    public static MessageArgument Text(string value) => new(ArgumentKind.Text, value);

    public static MessageArgument Phrase(string english) => new(ArgumentKind.Phrase, english);

    public static MessageArgument Phrases(IEnumerable<string> english) => new(ArgumentKind.Phrases, string.Join('\n', english));

    public static MessageArgument Moment(DateTime utc) => new(ArgumentKind.Moment, Utc(utc));

    public static MessageArgument MomentNamed(DateTime utc) => new(ArgumentKind.MomentNamed, Utc(utc));

    public static MessageArgument Message(PatientMessage text) => new(ArgumentKind.Message, PatientMessage.ToJson(text));

    public static MessageArgument Day(DateOnly day) => new(ArgumentKind.Day, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>The day a UTC moment falls on in the display time zone.</summary>
    public static MessageArgument DayOf(DateTime utc) => Day(LocalTime.Today(utc));

    public string Render(Func<string, string> translate)
    {
        ArgumentNullException.ThrowIfNull(translate);
        return Kind switch
        {
            ArgumentKind.Phrase => translate(Value),
            ArgumentKind.Phrases => string.Join(", ", Value.Split('\n').Select(translate)),
            ArgumentKind.Moment => LocalTime.Moment(ParseUtc(Value)),
            ArgumentKind.MomentNamed => $"{LocalTime.Moment(ParseUtc(Value))} ({translate(LocalTime.ZoneName)})",
            ArgumentKind.Day => LocalTime.Day(DateOnly.ParseExact(Value, "yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ArgumentKind.Message => PatientMessage.FromJson(Value).Render(translate),
            _ => Value,
        };
    }

    private static string Utc(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture);

    private static DateTime ParseUtc(string value) =>
        DateTime.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}

/// <summary>
/// A text for a patient as a key (its English text, with placeholders {0}, {1}…) and its arguments, shown in the
/// reader's language when it is read: a notice keeps both, and is rendered again in whatever language the patient
/// chooses later.
/// </summary>
public sealed record PatientMessage(string Key, IReadOnlyList<MessageArgument> Arguments)
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public PatientMessage(string key, params MessageArgument[] arguments) : this(key, (IReadOnlyList<MessageArgument>)arguments)
    {
    }

    /// <summary>In English, as written.</summary>
    public string English => Render(PatientWords.AsWritten);

    /// <summary>The text in a language: the translated key with each argument in place; English when a translation cannot take them.</summary>
    public string Render(Func<string, string> translate)
    {
        ArgumentNullException.ThrowIfNull(translate);
        var values = Arguments.Select(a => (object)a.Render(translate)).ToArray();
        try
        {
            return string.Format(CultureInfo.InvariantCulture, translate(Key), values);
        }
        catch (FormatException)
        {
            return string.Format(CultureInfo.InvariantCulture, Key, Arguments.Select(a => (object)a.Render(PatientWords.AsWritten)).ToArray());
        }
    }

    public string ArgumentsJson() => JsonSerializer.Serialize(Arguments, Json);

    internal static string ToJson(PatientMessage text) => JsonSerializer.Serialize(new Stored(text.Key, [.. text.Arguments]), Json);

    internal static PatientMessage FromJson(string json) =>
        JsonSerializer.Deserialize<Stored>(json, Json) is { Key: { } key } stored ? new PatientMessage(key, stored.Arguments ?? []) : new PatientMessage(string.Empty);

    private sealed record Stored(string Key, List<MessageArgument>? Arguments);

    public static IReadOnlyList<MessageArgument> ArgumentsFromJson(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<MessageArgument>>(json, Json) ?? [];

    public override string ToString() => English;
}
