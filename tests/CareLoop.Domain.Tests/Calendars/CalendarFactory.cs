using CareLoop.Domain.Calendars;

namespace CareLoop.Domain.Tests.Calendars;

/// <summary>Builds calendar definitions for tests from compact "HH:mm-HH:mm" texts.</summary>
internal static class CalendarFactory
{
    public const string Shanghai = "Asia/Shanghai";
    public const string NewYork = "America/New_York";

    public static LocalInterval Iv(string text)
    {
        var parts = text.Split('-');
        Assert.True(LocalInterval.TryParse(parts[0], parts[1], out var interval, out var error), error);
        return interval;
    }

    public static IReadOnlyList<LocalInterval> Ivs(params string[] texts) => texts.Select(Iv).ToArray();

    public static CalendarDefinition Definition(
        string zone,
        IReadOnlyList<LocalInterval>? weekdays = null,
        IReadOnlyList<LocalInterval>? weekends = null,
        IEnumerable<DateOnly>? holidays = null,
        IReadOnlyDictionary<DateOnly, IReadOnlyList<LocalInterval>?>? extra = null)
    {
        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>>();
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            var isWeekend = day is DayOfWeek.Saturday or DayOfWeek.Sunday;
            var intervals = isWeekend ? weekends : weekdays;
            if (intervals is not null)
            {
                weekly[day] = intervals;
            }
        }

        return new CalendarDefinition(
            zone,
            weekly,
            (holidays ?? []).ToArray(),
            extra ?? new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>());
    }

    /// <summary>Mon–Fri 09:00–12:00 and 13:00–18:00 in Shanghai, holiday 2026-05-01, make-up day 2026-05-09 (default intervals).</summary>
    public static BusinessCalendar LunchBreakCalendar() => new(Definition(
        Shanghai,
        weekdays: Ivs("09:00-12:00", "13:00-18:00"),
        holidays: [new DateOnly(2026, 5, 1)],
        extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [new DateOnly(2026, 5, 9)] = null }));

    public static BusinessCalendar Calendar(
        string zone,
        IReadOnlyList<LocalInterval>? weekdays = null,
        IReadOnlyList<LocalInterval>? weekends = null,
        IEnumerable<DateOnly>? holidays = null,
        IReadOnlyDictionary<DateOnly, IReadOnlyList<LocalInterval>?>? extra = null) =>
        new(Definition(zone, weekdays, weekends, holidays, extra));

    public static BusinessCalendar EveryDay(string zone, params string[] intervals) =>
        Calendar(zone, Ivs(intervals), Ivs(intervals));

    public static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    public static DateOnly D(int year, int month, int day) => new(year, month, day);
}
