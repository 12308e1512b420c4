using System.Globalization;

namespace Nehr.Portal.Components.Shared;

/// <summary>
/// Times are stored in UTC and shown to people in the display time zone, Singapore (UTC+8, no daylight saving),
/// in one format: "4 Jun 2025" for a day, "4 Jun 2025, 14:05" for a moment.
/// </summary>
public static class DisplayTime
{
    public static TimeZoneInfo Zone { get; } = FindZone();

    public static DateTime Local(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    public static string Day(DateTime utc) => Local(utc).ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static string Day(DateOnly day) => day.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static string Moment(DateTime utc) => Local(utc).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    /// <summary>
    /// The last day a period that ends at <paramref name="endUtc"/> covers: a registration that ends at midnight after
    /// 30 June (Singapore) runs "until 30 Jun 2026", not until 1 July.
    /// </summary>
    public static string LastDay(DateTime endUtc) => Day(DateTime.SpecifyKind(endUtc, DateTimeKind.Utc).AddTicks(-1));

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Singapore");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("Singapore", TimeSpan.FromHours(8), "Singapore", "Singapore");
        }
    }
}
