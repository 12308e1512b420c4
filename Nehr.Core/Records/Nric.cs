using System.Diagnostics.CodeAnalysis;

namespace Nehr.Core.Records;

/// <summary>
/// A Singapore NRIC or FIN: a series letter (S, T, F, G or M), seven digits and a check letter.
/// Parsed once at the edge; an instance is always valid.
/// </summary>
public readonly record struct Nric
{
    private static readonly int[] Weights = [2, 7, 6, 5, 4, 3, 2];
    private const string CitizenLetters = "JZIHGFEDCBA";   // S and T series
    private const string ForeignerLetters = "XWUTRQPNMLK"; // F and G series
    private const string MSeriesLetters = "XWUTRQPNJLK";   // M series (from 2022)

    private Nric(string value) => Value = value;

    public string Value { get; }

    /// <summary>S and T are citizens and permanent residents; F, G and M are foreigners (FIN).</summary>
    public bool IsFin => Value[0] is 'F' or 'G' or 'M';

    /// <summary>The form shown where the full number is not needed, e.g. S****567D.</summary>
    public string Masked => $"{Value[0]}****{Value[5..]}";

    public static Nric Parse(string? text) =>
        TryParse(text, out var nric, out var error) ? nric : throw new DomainException(error);

    public static bool TryParse(string? text, out Nric nric) => TryParse(text, out nric, out _);

    public static bool TryParse(string? text, out Nric nric, [NotNullWhen(false)] out string? error)
    {
        nric = default;
        var value = (text ?? string.Empty).Trim().ToUpperInvariant();
        if (value.Length == 0)
        {
            error = "Enter an NRIC or FIN.";
            return false;
        }

        if (value.Length != 9)
        {
            error = "An NRIC or FIN has 9 characters: a letter, 7 digits and a check letter (e.g. S1234567D).";
            return false;
        }

        if (value[0] is not ('S' or 'T' or 'F' or 'G' or 'M'))
        {
            error = "An NRIC or FIN starts with S, T, F, G or M.";
            return false;
        }

        for (var i = 1; i <= 7; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                error = "The 7 characters after the first letter must be digits.";
                return false;
            }
        }

        var expected = CheckLetter(value[0], value.AsSpan(1, 7));
        if (value[8] != expected)
        {
            error = $"The check letter of {value} is not valid: check the number for a typing error.";
            return false;
        }

        nric = new Nric(value);
        error = null;
        return true;
    }

    /// <summary>Builds a valid NRIC/FIN from its series and seven digits (used by the synthetic data generator).</summary>
    public static Nric FromDigits(char series, int digits)
    {
        if (series is not ('S' or 'T' or 'F' or 'G' or 'M'))
        {
            throw new ArgumentOutOfRangeException(nameof(series), series, "Series must be S, T, F, G or M.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 9_999_999);
        var body = digits.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
        return new Nric($"{series}{body}{CheckLetter(series, body)}");
    }

    internal static char CheckLetter(char series, ReadOnlySpan<char> digits)
    {
        var sum = 0;
        for (var i = 0; i < 7; i++)
        {
            sum += (digits[i] - '0') * Weights[i];
        }

        sum += series switch
        {
            'T' or 'G' => 4,
            'M' => 3,
            _ => 0,
        };

        var remainder = sum % 11;
        return series switch
        {
            'S' or 'T' => CitizenLetters[remainder],
            'F' or 'G' => ForeignerLetters[remainder],
            _ => MSeriesLetters[remainder],
        };
    }

    public override string ToString() => Value ?? string.Empty;
}
