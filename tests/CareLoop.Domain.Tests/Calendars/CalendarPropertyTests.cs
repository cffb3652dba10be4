using CareLoop.Domain.Calendars;
using static CareLoop.Domain.Tests.Calendars.CalendarFactory;

namespace CareLoop.Domain.Tests.Calendars;

/// <summary>Seeded random checks of the engine against itself and against naive per-minute / per-day references.</summary>
public sealed class CalendarPropertyTests
{
    private static readonly DateTimeOffset RangeStart = new(2023, 12, 20, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Calendars => ["lunch-break", "cn-mainland", "new-york-dst", "night-shift"];

    private static BusinessCalendar Create(string name) => name switch
    {
        "lunch-break" => LunchBreakCalendar(),
        "cn-mainland" => new BusinessCalendar(BuiltInCalendars.CnMainlandDefinition),
        "new-york-dst" => Calendar(NewYork, weekdays: Ivs("00:00-02:30", "08:00-12:00", "13:00-17:30"), weekends: Ivs("01:00-03:00")),
        "night-shift" => EveryDay(Shanghai, "22:00-24:00", "00:00-06:00", "12:00-12:30"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static DateTimeOffset RandomStart(Random random)
    {
        var ticks = random.NextInt64(TimeSpan.FromDays(3 * 365).Ticks);
        var instant = RangeStart.AddTicks(ticks);
        if (random.Next(3) == 0)
        {
            instant = new DateTimeOffset(instant.Ticks - (instant.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        }

        return instant.ToOffset(TimeSpan.FromHours(random.Next(-11, 13)));
    }

    private static long RandomMinutes(Random random) => random.Next(4) switch
    {
        0 => random.Next(0, 60),
        1 => random.Next(0, 1_000),
        2 => random.Next(0, 20_000),
        _ => random.Next(0, 500_000),
    };

    [Theory]
    [MemberData(nameof(Calendars))]
    public void Business_time_between_start_and_the_sum_equals_the_added_minutes(string name)
    {
        var calendar = Create(name);
        var random = new Random(20260506);
        for (var i = 0; i < 400; i++)
        {
            var start = RandomStart(random);
            var minutes = RandomMinutes(random);

            var end = calendar.AddBusinessTime(start, minutes);

            Assert.True(end >= start, $"{start:O} + {minutes} = {end:O}");
            Assert.Equal(TimeSpan.FromMinutes(minutes), calendar.BusinessTimeBetween(start, end));
            Assert.Equal(calendar.ToCalendarOffset(end).Offset, end.Offset);
        }
    }

    [Theory]
    [MemberData(nameof(Calendars))]
    public void Adding_more_minutes_never_gives_an_earlier_result(string name)
    {
        var calendar = Create(name);
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var start = RandomStart(random);
            var minutes = Enumerable.Range(0, 6).Select(_ => RandomMinutes(random)).Order().ToArray();
            var results = minutes.Select(m => calendar.AddBusinessTime(start, m)).ToArray();

            for (var j = 1; j < results.Length; j++)
            {
                Assert.True(results[j] >= results[j - 1], $"{start:O}: {minutes[j - 1]} → {results[j - 1]:O}, {minutes[j]} → {results[j]:O}");
                if (minutes[j] > minutes[j - 1])
                {
                    Assert.True(results[j] > results[j - 1]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Calendars))]
    public void Adding_in_two_steps_equals_adding_at_once(string name)
    {
        var calendar = Create(name);
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var start = RandomStart(random);
            var first = RandomMinutes(random);
            var second = random.Next(1, 5_000);

            var stepwise = calendar.AddBusinessTime(calendar.AddBusinessTime(start, first), second);

            Assert.Equal(calendar.AddBusinessTime(start, first + second), stepwise);
        }
    }

    [Theory]
    [InlineData("lunch-break")]
    [InlineData("cn-mainland")]
    [InlineData("night-shift")]
    public void AddBusinessTime_matches_a_naive_minute_by_minute_reference_in_a_zone_without_DST(string name)
    {
        var calendar = Create(name);
        var random = new Random(1234);
        for (var i = 0; i < 150; i++)
        {
            var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).AddMinutes(random.Next(3 * 365 * 1440));
            var minutes = random.Next(0, 3_000);

            Assert.Equal(NaiveAdd(calendar, start, minutes), calendar.AddBusinessTime(start, minutes));
        }
    }

    [Theory]
    [InlineData("lunch-break")]
    [InlineData("cn-mainland")]
    public void AddWorkingDays_matches_a_naive_day_by_day_reference(string name)
    {
        var calendar = Create(name);
        var random = new Random(99);
        for (var i = 0; i < 300; i++)
        {
            var date = D(2023, 6, 1).AddDays(random.Next(4 * 365));
            var days = random.Next(0, 400);

            var expected = date;
            for (var remaining = days; remaining > 0;)
            {
                expected = expected.AddDays(1);
                remaining -= calendar.IsWorkingDay(expected) ? 1 : 0;
            }

            Assert.Equal(expected, calendar.AddWorkingDays(date, days));
        }
    }

    [Theory]
    [MemberData(nameof(Calendars))]
    public void BusinessTimeBetween_is_additive(string name)
    {
        var calendar = Create(name);
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            var points = Enumerable.Range(0, 3).Select(_ => RandomStart(random)).Order().ToArray();

            Assert.Equal(
                calendar.BusinessTimeBetween(points[0], points[2]),
                calendar.BusinessTimeBetween(points[0], points[1]) + calendar.BusinessTimeBetween(points[1], points[2]));
        }
    }

    /// <summary>Reference for UTC+8 calendars: walk whole local minutes and count those inside the day's intervals.</summary>
    private static DateTimeOffset NaiveAdd(BusinessCalendar calendar, DateTimeOffset start, int minutes)
    {
        if (minutes == 0)
        {
            return start;
        }

        var local = start.ToOffset(TimeSpan.FromHours(8));
        var remaining = minutes;
        while (true)
        {
            var minuteOfDay = (local.Hour * 60) + local.Minute;
            var working = calendar.IntervalsOn(DateOnly.FromDateTime(local.DateTime))
                .Any(iv => iv.StartMinute <= minuteOfDay && minuteOfDay < iv.EndMinute);
            local = local.AddMinutes(1);
            if (working && --remaining == 0)
            {
                return local;
            }
        }
    }
}
