namespace Nehr.Core.Tests;

/// <summary>Times written for people by the Core (notices, messages): Singapore time, the portal's one format.</summary>
public class LocalTimeTests
{
    [Theory]
    [InlineData("2025-06-04T06:05:00Z", "4 Jun 2025, 14:05")]
    [InlineData("2025-06-04T16:30:00Z", "5 Jun 2025, 00:30")]
    [InlineData("2025-12-31T15:59:00Z", "31 Dec 2025, 23:59")]
    public void A_moment_is_written_in_Singapore_time(string utc, string expected)
    {
        var moment = DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);

        Assert.Equal(expected, LocalTime.Moment(moment));
        Assert.Equal($"{expected} (Singapore time)", LocalTime.MomentNamed(moment));
    }

    [Theory]
    [InlineData(60, "1 hour")]
    [InlineData(240, "4 hours")]
    [InlineData(1440, "24 hours")]
    [InlineData(7200, "5 days")]
    [InlineData(15, "15 minutes")]
    [InlineData(90, "90 minutes")]
    [InlineData(1, "1 minute")]
    public void A_length_of_time_reads_as_people_say_it(int minutes, string expected) =>
        Assert.Equal(expected, LocalTime.Duration(TimeSpan.FromMinutes(minutes)));
}
