namespace Nehr.Portal.Components.Shared;

/// <summary>
/// Times as the portal's pages show them: the display time zone and the one format of <see cref="Nehr.Core.LocalTime"/>
/// ("4 Jun 2025" for a day, "4 Jun 2025, 14:05" for a moment).
/// </summary>
public static class DisplayTime
{
    public static TimeZoneInfo Zone => Nehr.Core.LocalTime.TimeZone;

    public static DateTime Local(DateTime utc) => Nehr.Core.LocalTime.ToLocal(utc);

    public static string Day(DateTime utc) => Nehr.Core.LocalTime.Day(utc);

    public static string Day(DateOnly day) => Nehr.Core.LocalTime.Day(day);

    public static string Moment(DateTime utc) => Nehr.Core.LocalTime.Moment(utc);

    /// <summary>
    /// The last day a period that ends at <paramref name="endUtc"/> covers: a registration that ends at midnight after
    /// 30 June (Singapore) runs "until 30 Jun 2026", not until 1 July.
    /// </summary>
    public static string LastDay(DateTime endUtc) => Day(DateTime.SpecifyKind(endUtc, DateTimeKind.Utc).AddTicks(-1));
}
