using System.Text;
using Nehr.Core.Identity;

namespace Nehr.Core.Tests;

public sealed class TotpTests
{
    private static readonly byte[] RfcSeed = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(20000000000L, "65353130")]
    public void Codes_match_the_RFC_6238_SHA1_test_vectors(long unixSeconds, string expected)
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

        Assert.Equal(expected, Totp.Code(RfcSeed, step, digits: 8));
        Assert.Equal(expected[2..], Totp.Code(RfcSeed, step));
    }

    [Fact]
    public void Base32_keys_decode_as_authenticator_apps_read_them()
    {
        Assert.Equal(RfcSeed, Totp.FromBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
        Assert.Equal(RfcSeed, Totp.FromBase32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"));
    }

    [Fact]
    public void A_key_with_a_character_outside_Base32_is_refused()
    {
        Assert.Throws<FormatException>(() => Totp.FromBase32("GEZDGNBVGY3TQOJ1"));
    }
}
