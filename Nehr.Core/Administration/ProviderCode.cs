using System.Diagnostics.CodeAnalysis;

namespace Nehr.Core.Administration;

/// <summary>A provider's licence code in the register: 3 to 12 letters and digits, starting with a letter (e.g. CGH01).</summary>
public readonly record struct ProviderCode
{
    private ProviderCode(string value) => Value = value;

    public string Value { get; }

    public static ProviderCode Parse(string? text) =>
        TryParse(text, out var code, out var error) ? code : throw new DomainException(error);

    public static bool TryParse(string? text, out ProviderCode code, [NotNullWhen(false)] out string? error)
    {
        code = default;
        var value = (text ?? string.Empty).Trim().ToUpperInvariant();
        if (value.Length is < 3 or > 12)
        {
            error = "A provider code has 3 to 12 characters.";
            return false;
        }

        if (!char.IsAsciiLetter(value[0]) || !value.All(char.IsAsciiLetterOrDigit))
        {
            error = "A provider code starts with a letter and has only letters and digits.";
            return false;
        }

        code = new ProviderCode(value);
        error = null;
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
