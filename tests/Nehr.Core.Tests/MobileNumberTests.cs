using Nehr.Core.Notifications;

namespace Nehr.Core.Tests;

public class MobileNumberTests
{
    [Theory]
    [InlineData("9123 4567", "+6591234567")]
    [InlineData("81234567", "+6581234567")]
    [InlineData("+65 9123-4567", "+6591234567")]
    [InlineData("(+65) 9123 4567", "+6591234567")]
    [InlineData("+60 12 345 6789", "+60123456789")]
    [InlineData("+44 7911 123456", "+447911123456")]
    public void A_mobile_number_is_kept_in_e164_and_singapore_is_the_default_region(string typed, string e164)
    {
        Assert.True(MobileNumbers.TryParseMobile(typed, out var parsed, out var error), error?.English);
        Assert.Equal(e164, parsed);
        Assert.True(MobileNumbers.IsMobile(parsed));
    }

    [Theory]
    [InlineData("6312 3456")]
    [InlineData("+65 6312 3456")]
    public void A_fixed_line_is_refused_for_sms(string typed)
    {
        Assert.False(MobileNumbers.TryParseMobile(typed, out _, out var error));
        Assert.Equal(MobileNumbers.NotMobile, error);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("+65 1234 5678")]
    [InlineData("not a number")]
    [InlineData("+6591234567891234567891234567890")]
    public void An_invalid_number_is_refused(string typed)
    {
        Assert.False(MobileNumbers.TryParseMobile(typed, out _, out var error));
        Assert.Equal(MobileNumbers.Invalid, error);
    }

    [Fact]
    public void A_number_kept_in_another_form_is_never_texted() => Assert.False(MobileNumbers.IsMobile("9123 4567"));

    [Fact]
    public void The_audit_trail_sees_only_the_last_four_digits() => Assert.Equal("+65****4567", MobileNumbers.Masked("+6591234567"));
}
