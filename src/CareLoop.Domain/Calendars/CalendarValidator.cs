using System.Globalization;

namespace CareLoop.Domain.Calendars;

/// <summary>Validates a <see cref="CalendarDefinition"/> and reports every problem with its JSON field path.</summary>
public static class CalendarValidator
{
    /// <summary>Weekdays in the order errors are reported (Monday first).</summary>
    internal static readonly DayOfWeek[] MondayFirst =
    [
        DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday,
        DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday,
    ];

    private static readonly string[] DayKeys =
        ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    /// <summary>
    /// Returns all errors of <paramref name="definition"/> (empty when valid). Field keys are JSON paths of the API
    /// body: "timeZone", "weekly.monday[1]", "holidays[3]", "extraWorkdays[0].date", "extraWorkdays[0].intervals[1]".
    /// Indexes follow the enumeration order of the definition's collections.
    /// </summary>
    /// <param name="definition">The definition to check.</param>
    /// <param name="ignored">Reserved; not used by the rules.</param>
    public static IReadOnlyList<CalendarError> Validate(CalendarDefinition definition, IReadOnlyList<int>? ignored = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _ = ignored;
        var errors = new List<CalendarError>();

        if (string.IsNullOrWhiteSpace(definition.TimeZoneId))
        {
            errors.Add(new CalendarError("timeZone", "The time zone is required."));
        }
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(definition.TimeZoneId, out _))
        {
            errors.Add(new CalendarError("timeZone", $"Unknown time zone '{definition.TimeZoneId}'."));
        }

        var weekly = definition.Weekly ?? new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>>();
        foreach (var day in MondayFirst)
        {
            if (weekly.TryGetValue(day, out var intervals) && intervals is not null)
            {
                CheckIntervals(intervals, "weekly." + DayKeys[(int)day], errors);
            }
        }

        var holidays = new HashSet<DateOnly>();
        var index = 0;
        foreach (var holiday in definition.Holidays ?? [])
        {
            if (!holidays.Add(holiday))
            {
                errors.Add(new CalendarError($"holidays[{index}]", $"Duplicate holiday {Format(holiday)}.", CalendarErrorCodes.DuplicateHoliday, holiday));
            }

            index++;
        }

        var defaultIntervals = DefaultExtraIntervals(weekly);
        var extraDates = new HashSet<DateOnly>();
        index = 0;
        foreach (var (date, intervals) in definition.ExtraWorkdays
                     ?? new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>())
        {
            var path = $"extraWorkdays[{index}]";
            if (!extraDates.Add(date))
            {
                errors.Add(new CalendarError(path + ".date", $"Duplicate extra working day {Format(date)}.", CalendarErrorCodes.DuplicateExtraWorkday, date));
            }

            if (holidays.Contains(date))
            {
                errors.Add(new CalendarError(path + ".date", $"Extra working day {Format(date)} is also a holiday.", CalendarErrorCodes.ExtraWorkdayIsHoliday, date));
            }

            if (weekly.TryGetValue(date.DayOfWeek, out var weekdayIntervals) && weekdayIntervals is { Count: > 0 })
            {
                errors.Add(new CalendarError(
                    path + ".date",
                    $"Extra working day {Format(date)} is already a working day ({date.DayOfWeek}) of the weekly schedule.",
                    CalendarErrorCodes.ExtraWorkdayAlreadyWorked, date));
            }

            if (intervals is null)
            {
                if (defaultIntervals is null)
                {
                    errors.Add(new CalendarError(
                        path + ".intervals",
                        "Intervals are required: no weekday Monday to Friday has intervals to use as the default."));
                }
            }
            else if (intervals.Count == 0)
            {
                errors.Add(new CalendarError(
                    path + ".intervals",
                    "An extra working day needs at least one interval (omit the intervals to use the default)."));
            }
            else
            {
                CheckIntervals(intervals, path + ".intervals", errors);
            }

            index++;
        }

        return errors;
    }

    /// <summary>The intervals of the first weekday Monday..Friday that has intervals, or null.</summary>
    internal static IReadOnlyList<LocalInterval>? DefaultExtraIntervals(
        IReadOnlyDictionary<DayOfWeek, IReadOnlyList<LocalInterval>> weekly)
    {
        for (var day = DayOfWeek.Monday; day <= DayOfWeek.Friday; day++)
        {
            if (weekly.TryGetValue(day, out var intervals) && intervals is { Count: > 0 })
            {
                return intervals;
            }
        }

        return null;
    }

    private static void CheckIntervals(IReadOnlyList<LocalInterval> intervals, string path, List<CalendarError> errors)
    {
        var valid = new List<(LocalInterval Interval, int Index)>(intervals.Count);
        for (var i = 0; i < intervals.Count; i++)
        {
            var interval = intervals[i];
            var key = $"{path}[{i}]";
            if (interval.StartMinute is < 0 or >= LocalInterval.MinutesPerDay)
            {
                errors.Add(new CalendarError(key, $"Start {interval.StartText} must be between 00:00 and 23:59."));
            }
            else if (interval.EndMinute is <= 0 or > LocalInterval.MinutesPerDay)
            {
                errors.Add(new CalendarError(key, $"End {interval.EndText} must be between 00:01 and 24:00."));
            }
            else if (interval.EndMinute <= interval.StartMinute)
            {
                errors.Add(new CalendarError(
                    key, $"End {interval.EndText} must be after start {interval.StartText}."));
            }
            else
            {
                valid.Add((interval, i));
            }
        }

        valid.Sort(static (a, b) =>
        {
            var byStart = a.Interval.StartMinute.CompareTo(b.Interval.StartMinute);
            if (byStart != 0)
            {
                return byStart;
            }

            var byEnd = a.Interval.EndMinute.CompareTo(b.Interval.EndMinute);
            return byEnd != 0 ? byEnd : a.Index.CompareTo(b.Index);
        });

        var reach = -1;
        var reachInterval = default(LocalInterval);
        foreach (var (interval, i) in valid)
        {
            if (interval.StartMinute < reach)
            {
                errors.Add(new CalendarError(
                    $"{path}[{i}]", $"Interval {interval} overlaps interval {reachInterval}."));
            }

            if (interval.EndMinute > reach)
            {
                reach = interval.EndMinute;
                reachInterval = interval;
            }
        }
    }

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
