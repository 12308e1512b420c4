namespace Nehr.Core;

/// <summary>
/// Days as people in Singapore count them (UTC+8, no daylight saving since 1982): a registration that ends "on
/// 30 June" lasts until midnight at the end of that day in Singapore. Times are still stored in UTC.
/// </summary>
public static class NehrCalendar
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>The day in Singapore at a UTC moment.</summary>
    public static DateOnly Today(DateTime utc) => DateOnly.FromDateTime(utc + Offset);

    /// <summary>
    /// The UTC midnight after a UTC day: the exclusive end of a search "to" that day. The last day there is
    /// (9999-12-31) has none, so it ends at the last moment there is instead of failing.
    /// </summary>
    public static DateTime AfterUtcDay(DateOnly day) =>
        day == DateOnly.MaxValue ? DateTime.MaxValue : day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>The UTC moment a day in Singapore ends (midnight after it).</summary>
    public static DateTime EndOfDayUtc(DateOnly day) =>
        DateTime.SpecifyKind(day.AddDays(1).ToDateTime(TimeOnly.MinValue) - Offset, DateTimeKind.Utc);

    /// <summary>The UTC moment a day in Singapore starts (its midnight).</summary>
    public static DateTime StartOfDayUtc(DateOnly day) =>
        DateTime.SpecifyKind(day.ToDateTime(TimeOnly.MinValue) - Offset, DateTimeKind.Utc);

    /// <summary>A UTC moment's day in Singapore, written as people read it: 3 Dec 2026.</summary>
    public static string Date(DateTime utc) => Today(utc).ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What is said after a time written for people: the zone it is in.</summary>
    public const string ZoneLabel = "(Singapore time)";

    /// <summary>
    /// A UTC moment as people in Singapore read it, in the portal's one format: "4 Jun 2025, 14:05" (the portal's
    /// DisplayTime writes the same). A notice or a message of the Core adds <see cref="ZoneLabel"/> after it.
    /// </summary>
    public static string Moment(DateTime utc) =>
        (DateTime.SpecifyKind(utc, DateTimeKind.Utc) + Offset).ToString("d MMM yyyy, HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A UTC moment with its zone, for a notice or a message: "4 Jun 2025, 14:05 (Singapore time)".</summary>
    public static string MomentWithZone(DateTime utc) => $"{Moment(utc)} {ZoneLabel}";

    /// <summary>A length of time as people say it: "1 hour", "4 hours", "5 days", "90 minutes", "15 minutes".</summary>
    public static string Duration(TimeSpan span)
    {
        if (span.TotalDays >= 2 && span.Ticks % TimeSpan.TicksPerDay == 0)
        {
            return $"{(long)span.TotalDays} days";
        }

        if (span.TotalHours >= 1 && span.Ticks % TimeSpan.TicksPerHour == 0)
        {
            return span.TotalHours == 1 ? "1 hour" : $"{(long)span.TotalHours} hours";
        }

        var minutes = (long)Math.Ceiling(span.TotalMinutes);
        return minutes == 1 ? "1 minute" : $"{minutes} minutes";
    }
}
