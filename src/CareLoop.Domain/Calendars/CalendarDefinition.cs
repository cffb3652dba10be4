namespace CareLoop.Domain.Calendars;

/// <summary>
/// The definition of a business calendar.
/// </summary>
/// <param name="TimeZoneId">IANA time zone id, e.g. "Asia/Shanghai".</param>
/// <param name="Weekly">Working intervals per day of week; a day absent or empty is not worked.</param>
/// <param name="Holidays">Local dates that are not worked whatever the weekly schedule says.</param>
/// <param name="ExtraWorkdays">
/// Local dates worked although the weekly schedule does not (e.g. 调休 make-up days). A null value means the
/// default intervals: those of the first weekday Monday..Friday that has intervals.
/// </param>
public sealed record CalendarDefinition(
    string TimeZoneId,
    IReadOnlyDictionary<DayOfWeek, IReadOnlyList<LocalInterval>> Weekly,
    IReadOnlyCollection<DateOnly> Holidays,
    IReadOnlyDictionary<DateOnly, IReadOnlyList<LocalInterval>?> ExtraWorkdays);

/// <summary>A validation error; <see cref="Field"/> is the JSON path in the API body, e.g. "weekly.monday[1]".</summary>
/// <summary>
/// A validation error: the JSON field path, an English message, and for errors about a date a stable
/// <paramref name="Code"/> and the <paramref name="Date"/>, so a UI can say it in its own language.
/// </summary>
public sealed record CalendarError(string Field, string Message, string? Code = null, DateOnly? Date = null);

/// <summary>Codes of <see cref="CalendarError"/>s about dates.</summary>
public static class CalendarErrorCodes
{
    public const string DuplicateHoliday = "duplicate_holiday";
    public const string DuplicateExtraWorkday = "duplicate_extra_workday";
    public const string ExtraWorkdayIsHoliday = "extra_workday_is_holiday";
    public const string ExtraWorkdayAlreadyWorked = "extra_workday_already_worked";
}

/// <summary>Thrown when no working time (or working day) exists within 10 years of the point searched from.</summary>
public sealed class NoWorkingTimeException : Exception
{
    public NoWorkingTimeException()
        : base("The calendar has no working time within 10 years.")
    {
    }

    public NoWorkingTimeException(string message)
        : base(message)
    {
    }

    public NoWorkingTimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
