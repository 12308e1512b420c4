using System.Diagnostics.CodeAnalysis;

namespace Nehr.Core.Access;

/// <summary>
/// The free-text reason a clinician gives for an emergency override: a real sentence, not filler.
/// </summary>
public readonly record struct Justification
{
    public const int MinLength = 40;
    public const int MaxLength = 2000;
    public const int MinWords = 6;

    private Justification(string text) => Text = text;

    public string Text { get; }

    public static Justification Parse(string? text) =>
        TryParse(text, out var justification, out var error) ? justification : throw new DomainException(error);

    public static bool TryParse(string? text, out Justification justification, [NotNullWhen(false)] out string? error)
    {
        justification = default;
        var trimmed = string.Join(' ', (text ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (trimmed.Length < MinLength)
        {
            error = $"Describe the emergency in at least {MinLength} characters ({trimmed.Length} so far).";
            return false;
        }

        if (trimmed.Length > MaxLength)
        {
            error = $"The justification has at most {MaxLength} characters.";
            return false;
        }

        var words = trimmed.Split(' ').Where(w => w.Any(char.IsLetter)).ToArray();
        if (words.Length < MinWords)
        {
            error = $"Write the justification as a sentence of at least {MinWords} words.";
            return false;
        }

        var distinctWords = words.Select(w => w.ToUpperInvariant()).Distinct().Count();
        var distinctLetters = trimmed.Where(char.IsLetter).Select(char.ToUpperInvariant).Distinct().Count();
        var longestRun = LongestRunOfOneCharacter(trimmed);
        if (distinctWords < MinWords / 2 + 1 || distinctLetters < 8 || longestRun > 4)
        {
            error = "The justification looks like filler text: describe the patient's condition and why the full record is needed.";
            return false;
        }

        justification = new Justification(trimmed);
        error = null;
        return true;
    }

    private static int LongestRunOfOneCharacter(string text)
    {
        var longest = 0;
        var run = 0;
        for (var i = 0; i < text.Length; i++)
        {
            run = i > 0 && text[i] == text[i - 1] ? run + 1 : 1;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    public override string ToString() => Text ?? string.Empty;
}
