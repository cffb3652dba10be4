using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Globalization;

namespace CareLoop.Domain.Calendars;

/// <summary>
/// A validated, immutable business calendar: answers working-time questions (SLA deadlines, durations, working days).
/// Business time is elapsed (real) time. Local interval boundaries are converted to instants with the calendar's
/// time zone: a boundary inside a DST gap maps to the first instant after the gap, an ambiguous one to its earlier
/// occurrence, and "24:00" is the next local midnight.
/// </summary>
/// <remarks>
/// Thread-safe. Working time is materialised lazily per local month ("chunk") as merged UTC intervals with cumulative
/// sums, so additions and differences are binary searches rather than loops over minutes or days.
/// Supported instants and dates lie in the local years 0002..9998.
/// </remarks>
public sealed partial class BusinessCalendar
{
    /// <summary>The largest number of minutes <see cref="AddBusinessTime(DateTimeOffset, long)"/> accepts (10 years).</summary>
    public const long MaxMinutes = 5_256_000;

    private const long TicksPerMinute = TimeSpan.TicksPerMinute;
    private const long TicksPerDay = TimeSpan.TicksPerDay;
    private const int SearchYears = 10;
    private const int MinChunkYear = 2;
    private const int MaxChunkYear = 9998;

    private static readonly ReadOnlyCollection<LocalInterval> NoIntervals = new([]);

    private readonly LocalInterval[][] _weekly = new LocalInterval[7][];
    private readonly ReadOnlyCollection<LocalInterval>[] _weeklyView = new ReadOnlyCollection<LocalInterval>[7];
    private readonly HashSet<DateOnly> _holidays;
    private readonly Dictionary<DateOnly, (LocalInterval[] Array, ReadOnlyCollection<LocalInterval> View)> _extra;
    private readonly int[] _specialDayNumbers;
    private readonly int[] _extraDayNumbers;
    private readonly int _workingWeekdays;
    private readonly bool _hasWorkingTime;
    private readonly ConcurrentDictionary<int, Chunk> _chunks = new();
    private readonly Func<int, Chunk> _buildChunk;
    private Chunk? _lastChunk;

    /// <summary>Creates the calendar; throws <see cref="ArgumentException"/> when <see cref="CalendarValidator"/> finds errors.</summary>
    public BusinessCalendar(CalendarDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = CalendarValidator.Validate(definition);
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                "The calendar definition is invalid: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")),
                nameof(definition));
        }

        Definition = definition;
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(definition.TimeZoneId);

        var weekly = definition.Weekly ?? new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>>();
        for (var day = 0; day < 7; day++)
        {
            var array = weekly.TryGetValue((DayOfWeek)day, out var intervals) && intervals is not null
                ? Sorted(intervals)
                : [];
            _weekly[day] = array;
            _weeklyView[day] = array.Length == 0 ? NoIntervals : new ReadOnlyCollection<LocalInterval>(array);
            if (array.Length > 0)
            {
                _workingWeekdays++;
            }
        }

        _holidays = new HashSet<DateOnly>(definition.Holidays ?? []);

        var defaultIntervals = CalendarValidator.DefaultExtraIntervals(weekly);
        _extra = [];
        foreach (var (date, intervals) in definition.ExtraWorkdays
                     ?? new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>())
        {
            var array = Sorted(intervals ?? defaultIntervals!);
            _extra[date] = (array, new ReadOnlyCollection<LocalInterval>(array));
        }

        _extraDayNumbers = _extra.Keys.Select(d => d.DayNumber).Order().ToArray();
        _specialDayNumbers = _holidays.Select(d => d.DayNumber).Concat(_extraDayNumbers).Order().ToArray();
        _hasWorkingTime = _workingWeekdays > 0 || _extra.Count > 0;
        _buildChunk = BuildChunk;
    }

    /// <summary>The definition the calendar was built from.</summary>
    public CalendarDefinition Definition { get; }

    /// <summary>The calendar's time zone.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>
    /// Counts <paramref name="minutes"/> of working time forward from <paramref name="start"/> (from the next working
    /// moment when start is outside working time). When the minutes run out exactly at the end of an interval the
    /// result is that end. 0 minutes returns the start instant (expressed with the calendar's offset).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">minutes outside 0..<see cref="MaxMinutes"/>.</exception>
    /// <exception cref="NoWorkingTimeException">No working time within 10 years.</exception>
    public DateTimeOffset AddBusinessTime(DateTimeOffset start, long minutes)
    {
        if (minutes is < 0 or > MaxMinutes)
        {
            throw new ArgumentOutOfRangeException(nameof(minutes), minutes, $"Minutes must be between 0 and {MaxMinutes}.");
        }

        return AddTicks(start, minutes * TicksPerMinute);
    }

    /// <summary>Same as <see cref="AddBusinessTime(DateTimeOffset, long)"/> with an exact duration (ticks).</summary>
    public DateTimeOffset AddBusinessTime(DateTimeOffset start, TimeSpan duration)
    {
        if (duration < TimeSpan.Zero || duration.Ticks > MaxMinutes * TicksPerMinute)
        {
            throw new ArgumentOutOfRangeException(
                nameof(duration), duration, $"The duration must be between zero and {MaxMinutes} minutes.");
        }

        return AddTicks(start, duration.Ticks);
    }

    /// <summary>The working time inside [<paramref name="from"/>, <paramref name="to"/>), exact to the tick.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> is before <paramref name="from"/>.</exception>
    public TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from)
        {
            throw new ArgumentOutOfRangeException(nameof(to), to, "The end must not be before the start.");
        }

        long a = from.UtcTicks, b = to.UtcTicks;
        if (a == b || !_hasWorkingTime)
        {
            return TimeSpan.Zero;
        }

        var first = ChunkFor(a);
        var last = ChunkFor(b);
        if (first.Key == last.Key)
        {
            return new TimeSpan(first.WorkBefore(b) - first.WorkBefore(a));
        }

        var total = first.Total - first.WorkBefore(a);
        for (var chunk = NextChunk(first); chunk.Key < last.Key; chunk = NextChunk(chunk))
        {
            total += chunk.Total;
        }

        return new TimeSpan(total + last.WorkBefore(b));
    }

    /// <summary>
    /// The <paramref name="days"/>-th working day after <paramref name="date"/> (the date itself is not counted;
    /// 0 returns the date).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is negative.</exception>
    /// <exception cref="NoWorkingTimeException">No working day within 10 years.</exception>
    public DateOnly AddWorkingDays(DateOnly date, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        if (days == 0)
        {
            return date;
        }

        var current = date.DayNumber;
        var lastWorking = date;
        var remaining = days;
        if (_workingWeekdays == 0)
        {
            // Only extra working days are worked: jump from one to the next.
            while (true)
            {
                var next = NextGreater(_extraDayNumbers, current);
                if (next == int.MaxValue || DateOnly.FromDayNumber(next) > lastWorking.AddYears(SearchYears))
                {
                    throw NoWorkingDay(lastWorking);
                }

                current = next;
                lastWorking = DateOnly.FromDayNumber(current);
                if (--remaining == 0)
                {
                    return lastWorking;
                }
            }
        }

        while (true)
        {
            if (remaining > _workingWeekdays)
            {
                // Skip whole weeks that contain no holiday and no extra working day.
                var nextSpecial = NextGreater(_specialDayNumbers, current);
                var freeWeeks = nextSpecial == int.MaxValue ? int.MaxValue : (nextSpecial - current - 1) / 7;
                var weeks = Math.Min(freeWeeks, (remaining - 1) / _workingWeekdays);
                if (weeks > 0)
                {
                    current += weeks * 7;
                    remaining -= weeks * _workingWeekdays;
                    lastWorking = DateOnly.FromDayNumber(current);
                    continue;
                }
            }

            current++;
            var day = DateOnly.FromDayNumber(current);
            if (Effective(day).Length > 0)
            {
                lastWorking = day;
                if (--remaining == 0)
                {
                    return day;
                }
            }
            else if (day > lastWorking.AddYears(SearchYears))
            {
                throw NoWorkingDay(lastWorking);
            }
        }
    }

    /// <summary>True when the local date has working intervals (weekly and not a holiday, or an extra working day).</summary>
    public bool IsWorkingDay(DateOnly date) => Effective(date).Length > 0;

    /// <summary>
    /// 24:00 local of <paramref name="date"/>, i.e. the start of the next local day as an instant, with the calendar's offset.
    /// </summary>
    public DateTimeOffset EndOfLocalDay(DateOnly date)
    {
        var next = date.AddDays(1);
        var chunk = GetChunk(KeyOf(next.Year, next.Month));
        return chunk.ToDateTimeOffset(chunk.DayStarts[next.Day - 1]);
    }

    /// <summary>The same instant expressed with the calendar's UTC offset at that instant.</summary>
    public DateTimeOffset ToCalendarOffset(DateTimeOffset instant)
    {
        var offset = TimeZone.GetUtcOffset(instant.UtcDateTime);
        return instant.ToOffset(WholeMinutes(offset.Ticks));
    }

    /// <summary>The effective intervals of a local date, sorted by start (empty when the date is not worked).</summary>
    public IReadOnlyList<LocalInterval> IntervalsOn(DateOnly date)
    {
        if (_holidays.Contains(date))
        {
            return NoIntervals;
        }

        return _extra.TryGetValue(date, out var extra) ? extra.View : _weeklyView[(int)date.DayOfWeek];
    }

    private LocalInterval[] Effective(DateOnly date)
    {
        if (_holidays.Count > 0 && _holidays.Contains(date))
        {
            return [];
        }

        if (_extra.Count > 0 && _extra.TryGetValue(date, out var extra))
        {
            return extra.Array;
        }

        return _weekly[(int)date.DayOfWeek];
    }

    private DateTimeOffset AddTicks(DateTimeOffset start, long ticks)
    {
        if (ticks == 0)
        {
            return ToCalendarOffset(start);
        }

        if (!_hasWorkingTime)
        {
            throw NoWorkingTime(start.UtcTicks);
        }

        var position = start.UtcTicks;
        var limit = YearsLater(position);
        var chunk = ChunkFor(position);
        var index = chunk.FirstEndingAfter(position);
        var remaining = ticks;
        while (true)
        {
            if (index < chunk.Count)
            {
                var from = Math.Max(position, chunk.Starts[index]);
                if (from >= limit)
                {
                    throw NoWorkingTime(position);
                }

                var target = chunk.CumulativeBefore(index) + (from - chunk.Starts[index]) + remaining;
                if (target <= chunk.Total)
                {
                    var j = chunk.FirstCumulativeAtLeast(target, index);
                    return chunk.ToDateTimeOffset(chunk.Ends[j] - (chunk.CumulativeEnds[j] - target));
                }

                remaining = target - chunk.Total;
                position = chunk.Ends[chunk.Count - 1];
                limit = YearsLater(position);
            }
            else if (chunk.EndUtc >= limit)
            {
                throw NoWorkingTime(position);
            }

            chunk = NextChunk(chunk);
            index = 0;
        }
    }

    private Chunk ChunkFor(long utcTicks)
    {
        var last = Volatile.Read(ref _lastChunk);
        if (last is not null && utcTicks >= last.StartUtc && utcTicks < last.EndUtc)
        {
            return last;
        }

        var utc = new DateTime(utcTicks, DateTimeKind.Utc);
        var chunk = GetChunk(KeyOf(utc.Year, utc.Month));
        while (utcTicks < chunk.StartUtc)
        {
            chunk = GetChunk(chunk.Key - 1);
        }

        while (utcTicks >= chunk.EndUtc)
        {
            chunk = NextChunk(chunk);
        }

        Volatile.Write(ref _lastChunk, chunk);
        return chunk;
    }

    private Chunk GetChunk(int key)
    {
        var last = Volatile.Read(ref _lastChunk);
        if (last is not null && last.Key == key)
        {
            return last;
        }

        return _chunks.TryGetValue(key, out var chunk) ? chunk : _chunks.GetOrAdd(key, _buildChunk);
    }

    private static int KeyOf(int year, int month) => (year * 12) + month - 1;

    private static long YearsLater(long utcTicks)
    {
        var utc = new DateTime(utcTicks, DateTimeKind.Utc);
        return utc.Year > DateTime.MaxValue.Year - SearchYears ? long.MaxValue : utc.AddYears(SearchYears).Ticks;
    }

    private static TimeSpan WholeMinutes(long offsetTicks) => new(offsetTicks - (offsetTicks % TicksPerMinute));

    private static LocalInterval[] Sorted(IReadOnlyList<LocalInterval> intervals)
    {
        var array = intervals.ToArray();
        Array.Sort(array, static (a, b) => a.StartMinute != b.StartMinute
            ? a.StartMinute.CompareTo(b.StartMinute)
            : a.EndMinute.CompareTo(b.EndMinute));
        return array;
    }

    /// <summary>The smallest value in the sorted array greater than <paramref name="value"/>, or int.MaxValue.</summary>
    private static int NextGreater(int[] sorted, int value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo < sorted.Length ? sorted[lo] : int.MaxValue;
    }

    private static NoWorkingTimeException NoWorkingTime(long utcTicks) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"The calendar has no working time within {SearchYears} years after {new DateTime(utcTicks, DateTimeKind.Utc):O}."));

    private static NoWorkingTimeException NoWorkingDay(DateOnly date) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"The calendar has no working day within {SearchYears} years after {date:yyyy-MM-dd}."));
}
