using BenchmarkDotNet.Attributes;
using CareLoop.Domain.Calendars;

namespace CareLoop.Bench;

/// <summary>Business-time arithmetic on the built-in cn-mainland calendar (holidays and make-up days).</summary>
[MemoryDiagnoser]
public class CalendarBenchmarks
{
    private readonly BusinessCalendar _calendar = new(BuiltInCalendars.CnMainlandDefinition);
    private readonly DateTimeOffset[] _starts = Enumerable.Range(0, 1024)
        .Select(i => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).AddMinutes(i * 517L % (365 * 24 * 60)))
        .ToArray();
    private int _i;

    /// <summary>A typical SLA target: 24 business hours.</summary>
    [Benchmark]
    public DateTimeOffset AddBusinessTime24h() => _calendar.AddBusinessTime(_starts[_i++ & 1023], 24 * 60);

    /// <summary>A short target: 5 minutes (chat first reply).</summary>
    [Benchmark]
    public DateTimeOffset AddBusinessTime5min() => _calendar.AddBusinessTime(_starts[_i++ & 1023], 5);

    [Benchmark]
    public TimeSpan BusinessTimeBetweenWeek()
    {
        var s = _starts[_i++ & 1023];
        return _calendar.BusinessTimeBetween(s, s.AddDays(7));
    }
}
