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
}
