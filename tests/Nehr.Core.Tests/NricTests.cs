using Nehr.Core.Records;

namespace Nehr.Core.Tests;

public class NricTests
{
    [Theory]
    [InlineData("S1234567D")] // S series: weights sum 106, 106 % 11 = 7 -> D
    [InlineData("T1234567J")] // T series: +4 offset -> 110 % 11 = 0 -> J
    [InlineData("F1234567N")] // F series: 7 -> N
    [InlineData("G1234567X")] // G series: +4 offset -> 0 -> X
    [InlineData("M1234567K")] // M series: +3 offset -> 109 % 11 = 10 -> K
    [InlineData("S0000001I")]
    [InlineData("s1234567d")] // case does not matter
    [InlineData("  S1234567D ")] // surrounding space is ignored
    public void Valid_numbers_of_every_series_parse(string text)
    {
        var nric = Nric.Parse(text);

        Assert.Equal(text.Trim().ToUpperInvariant(), nric.Value);
    }

    [Theory]
    [InlineData("S1234567A")]
    [InlineData("T1234567D")]
    [InlineData("F1234567X")]
    [InlineData("G1234567N")]
    [InlineData("M1234567X")] // F/G table letter, wrong for M
    [InlineData("M1234567L")]
    public void A_wrong_check_letter_is_rejected(string text)
    {
        Assert.False(Nric.TryParse(text, out _, out var error));
        Assert.Contains("check letter", error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("", "Enter an NRIC")]
    [InlineData(null, "Enter an NRIC")]
    [InlineData("S123456D", "9 characters")]
    [InlineData("S12345678D", "9 characters")]
    [InlineData("A1234567D", "starts with S, T, F, G or M")]
    [InlineData("S12E4567D", "must be digits")]
    public void Malformed_input_gets_a_specific_message(string? text, string expected)
    {
        Assert.False(Nric.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Throws<DomainException>(() => Nric.Parse(text));
    }

    [Theory]
    [InlineData('S')]
    [InlineData('T')]
    [InlineData('F')]
    [InlineData('G')]
    [InlineData('M')]
    public void Exactly_one_check_letter_is_valid_for_each_number(char series)
    {
        for (var digits = 0; digits < 10_000_000; digits += 99_991)
        {
            var body = digits.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            var valid = Enumerable.Range('A', 26).Select(c => $"{series}{body}{(char)c}").Where(s => Nric.TryParse(s, out _)).ToList();

            var only = Assert.Single(valid);
            Assert.Equal(Nric.FromDigits(series, digits).Value, only);
        }
    }

    [Fact]
    public void Masked_form_hides_the_middle_digits()
    {
        Assert.Equal("S****567D", Nric.Parse("S1234567D").Masked);
    }

    [Theory]
    [InlineData("S1234567D", false)]
    [InlineData("T1234567J", false)]
    [InlineData("F1234567N", true)]
    [InlineData("G1234567X", true)]
    [InlineData("M1234567K", true)]
    public void F_G_and_M_series_are_fins(string text, bool isFin)
    {
        Assert.Equal(isFin, Nric.Parse(text).IsFin);
    }
}
