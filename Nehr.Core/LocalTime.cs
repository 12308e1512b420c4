using System.Globalization;

namespace Nehr.Core;

/// <summary>
/// Times are stored in UTC and shown to people in one display time zone (Asia/Singapore unless the setting
/// <c>Nehr:DisplayTimeZone</c> says otherwise), in one format: "4 Jun 2025" for a day, "4 Jun 2025, 14:05" for a
/// moment, and "4 Jun 2025, 14:05 (Singapore time)" where the reader has no page around it to say so (notices, e-mail).
/// Files for machines carry ISO 8601 with the offset: "2025-06-04T14:05:00+08:00".
/// </summary>
public static class LocalTime
{
    public const string DefaultZoneId = "Asia/Singapore";

    private static Zone _zone = Zone.Of(DefaultZoneId);

    /// <summary>The display time zone.</summary>
    public static TimeZoneInfo TimeZone => _zone.Info;

    /// <summary>How people call the zone's time: "Singapore time".</summary>
    public static string ZoneName => _zone.Name;

    /// <summary>
    /// Sets the display time zone once at start-up (from the setting); an unknown zone is refused there, so a wrong
    /// setting stops the portal instead of showing wrong times.
    /// </summary>
    public static void Use(string zoneId) => _zone = Zone.Of(zoneId);

    public static DateTime ToLocal(DateTime utc) =>
        System.TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), _zone.Info);

    public static string Day(DateTime utc) => ToLocal(utc).ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static string Day(DateOnly day) => day.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public static string Moment(DateTime utc) => ToLocal(utc).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A moment with the zone named, for text read away from the portal's pages: notices and e-mail.</summary>
    public static string MomentNamed(DateTime utc) => $"{Moment(utc)} ({ZoneName})";

    /// <summary>What is said after a time written for people away from a page: "(Singapore time)".</summary>
    public static string ZoneLabel => $"({ZoneName})";

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

    /// <summary>The time of day alone: "17:12".</summary>
    public static string TimeOfDay(DateTime utc) => ToLocal(utc).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 with the display zone's offset at that moment: "2025-06-04T14:05:00+08:00".</summary>
    public static string Iso(DateTime utc)
    {
        var local = ToLocal(utc);
        return new DateTimeOffset(local, _zone.Info.GetUtcOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)))
            .ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    /// <summary>The day in the display zone at a UTC moment.</summary>
    public static DateOnly Today(DateTime utc) => DateOnly.FromDateTime(ToLocal(utc));

    /// <summary>The UTC moment a day in the display zone starts.</summary>
    public static DateTime StartOfDayUtc(DateOnly day) => day == DateOnly.MinValue
        ? DateTime.MinValue
        : System.TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), _zone.Info);

    /// <summary>The UTC moment a day in the display zone ends (the start of the next; the last day there is has none).</summary>
    public static DateTime AfterDayUtc(DateOnly day) => day == DateOnly.MaxValue ? DateTime.MaxValue : StartOfDayUtc(day.AddDays(1));

    private sealed record Zone(TimeZoneInfo Info, string Name)
    {
        public static Zone Of(string id)
        {
            TimeZoneInfo info;
            try
            {
                info = System.TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (TimeZoneNotFoundException) when (id == DefaultZoneId)
            {
                // A machine without the time zone database: Singapore has kept UTC+8, without daylight saving, since 1982.
                info = System.TimeZoneInfo.CreateCustomTimeZone(id, TimeSpan.FromHours(8), "Singapore", "Singapore");
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw new ArgumentException($"'{id}' is not a time zone this machine knows (an IANA name such as Asia/Singapore).", nameof(id), e);
            }

            var city = id.Contains('/', StringComparison.Ordinal) ? id[(id.LastIndexOf('/') + 1)..].Replace('_', ' ') : id;
            return new Zone(info, $"{city} time");
        }
    }
}
