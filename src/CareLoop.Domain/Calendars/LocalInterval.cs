using System.Globalization;

namespace CareLoop.Domain.Calendars;

/// <summary>
/// A working interval inside one local day, in minutes since local midnight.
/// <see cref="StartMinute"/> is 0..1439, <see cref="EndMinute"/> is 1..1440 and greater than the start;
/// an end of 1440 ("24:00") means the next local midnight.
/// The constructor does not validate; use <see cref="TryParse"/> or <see cref="CalendarValidator"/>.
/// </summary>
public readonly record struct LocalInterval(int StartMinute, int EndMinute)
{
    /// <summary>Minutes in a (nominal) local day; the value of "24:00".</summary>
    public const int MinutesPerDay = 1440;

    /// <summary>The start as "HH:mm".</summary>
    public string StartText => FormatMinute(StartMinute);

    /// <summary>The end as "HH:mm"; 1440 is rendered as "24:00".</summary>
    public string EndText => FormatMinute(EndMinute);

    /// <summary>
    /// Parses a pair of strict "HH:mm" texts (two-digit hours and minutes). The start must be 00:00..23:59,
    /// the end 00:00..23:59 or "24:00", and the end must be after the start.
    /// </summary>
    public static bool TryParse(string start, string end, out LocalInterval interval, out string? error)
    {
        interval = default;
        if (!TryParseTime(start, allowEndOfDay: false, out var startMinute))
        {
            error = $"Start time '{start}' is invalid: expected HH:mm between 00:00 and 23:59.";
            return false;
        }

        if (!TryParseTime(end, allowEndOfDay: true, out var endMinute))
        {
            error = $"End time '{end}' is invalid: expected HH:mm between 00:00 and 24:00.";
            return false;
        }

        if (endMinute <= startMinute)
        {
            error = $"End time {end} must be after start time {start}.";
            return false;
        }

        interval = new LocalInterval(startMinute, endMinute);
        error = null;
        return true;
    }

    /// <summary>
    /// Parses one strict "HH:mm" time into minutes since midnight. "24:00" is accepted only when
    /// <paramref name="allowEndOfDay"/> is true.
    /// </summary>
    public static bool TryParseTime(string? text, bool allowEndOfDay, out int minute)
    {
        minute = 0;
        if (text is null || text.Length != 5 || text[2] != ':'
            || !IsDigit(text[0]) || !IsDigit(text[1]) || !IsDigit(text[3]) || !IsDigit(text[4]))
        {
            return false;
        }

        var hours = ((text[0] - '0') * 10) + (text[1] - '0');
        var minutes = ((text[3] - '0') * 10) + (text[4] - '0');
        if (minutes > 59)
        {
            return false;
        }

        if (hours == 24 && minutes == 0 && allowEndOfDay)
        {
            minute = MinutesPerDay;
            return true;
        }

        if (hours > 23)
        {
            return false;
        }

        minute = (hours * 60) + minutes;
        return true;
    }

    /// <summary>Formats minutes since midnight as "HH:mm" (1440 → "24:00").</summary>
    public static string FormatMinute(int minute)
    {
        if (minute < 0)
        {
            return "-" + FormatMinute(-minute);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{minute / 60:00}:{minute % 60:00}");
    }

    /// <summary>"HH:mm-HH:mm".</summary>
    public override string ToString() => $"{StartText}-{EndText}";

    private static bool IsDigit(char c) => c is >= '0' and <= '9';
}
