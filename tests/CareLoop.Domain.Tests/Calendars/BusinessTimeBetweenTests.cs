using CareLoop.Domain.Calendars;
using static CareLoop.Domain.Tests.Calendars.CalendarFactory;

namespace CareLoop.Domain.Tests.Calendars;

public sealed class BusinessTimeBetweenTests
{
    private readonly BusinessCalendar _calendar = LunchBreakCalendar();

    [Fact]
    public void Lunch_break_is_not_counted()
    {
        Assert.Equal(
            TimeSpan.FromMinutes(60),
            _calendar.BusinessTimeBetween(At("2026-05-06T11:30+08:00"), At("2026-05-06T13:30+08:00")));
    }

    [Fact]
    public void Fractional_minutes_are_counted_exactly()
    {
        // 11:30–12:00 (30 min) + 13:00–13:30:30 (30 min 30 s).
        Assert.Equal(
            new TimeSpan(0, 60, 30),
            _calendar.BusinessTimeBetween(At("2026-05-06T11:30+08:00"), At("2026-05-06T13:30:30+08:00")));
        Assert.Equal(
            TimeSpan.FromTicks(1),
            _calendar.BusinessTimeBetween(At("2026-05-06T09:00+08:00"), At("2026-05-06T09:00+08:00").AddTicks(1)));
        Assert.Equal(
            TimeSpan.FromMilliseconds(1500),
            _calendar.BusinessTimeBetween(At("2026-05-06T11:59:58.5+08:00"), At("2026-05-06T13:00:00.000+08:00")));
    }

    [Fact]
    public void Interval_is_half_open_from_inclusive_to_exclusive()
    {
        Assert.Equal(
            TimeSpan.FromHours(8),
            _calendar.BusinessTimeBetween(At("2026-05-06T09:00+08:00"), At("2026-05-06T18:00+08:00")));
        Assert.Equal(
            TimeSpan.FromHours(8),
            _calendar.BusinessTimeBetween(At("2026-05-06T00:00+08:00"), At("2026-05-07T00:00+08:00")));
    }

    [Fact]
    public void Across_days_holiday_and_weekend_only_working_time_counts()
    {
        // Thursday 17:00–18:00 (60), Friday holiday, weekend, Monday 09:00–10:00 (60).
        Assert.Equal(
            TimeSpan.FromMinutes(120),
            _calendar.BusinessTimeBetween(At("2026-04-30T17:00+08:00"), At("2026-05-04T10:00+08:00")));
    }

    [Fact]
    public void Make_up_day_counts_as_working_time()
    {
        Assert.Equal(
            TimeSpan.FromHours(8),
            _calendar.BusinessTimeBetween(At("2026-05-09T00:00+08:00"), At("2026-05-10T00:00+08:00")));
    }

    [Fact]
    public void Range_entirely_outside_working_time_is_zero()
    {
        Assert.Equal(TimeSpan.Zero, _calendar.BusinessTimeBetween(At("2026-05-16T08:00+08:00"), At("2026-05-17T20:00+08:00")));
        Assert.Equal(TimeSpan.Zero, _calendar.BusinessTimeBetween(At("2026-05-06T12:00+08:00"), At("2026-05-06T13:00+08:00")));
        Assert.Equal(TimeSpan.Zero, _calendar.BusinessTimeBetween(At("2026-05-01T09:00+08:00"), At("2026-05-01T18:00+08:00")));
    }

    [Fact]
    public void Equal_bounds_give_zero()
    {
        var instant = At("2026-05-06T10:00+08:00");
        Assert.Equal(TimeSpan.Zero, _calendar.BusinessTimeBetween(instant, instant));
    }

    [Fact]
    public void To_before_from_throws_ArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => _calendar.BusinessTimeBetween(At("2026-05-06T10:00+08:00"), At("2026-05-06T09:59:59+08:00")));
    }

    [Fact]
    public void Bounds_in_different_offsets_are_compared_as_instants()
    {
        Assert.Equal(
            TimeSpan.FromMinutes(90),
            _calendar.BusinessTimeBetween(At("2026-05-06T01:00Z"), At("2026-05-06T10:30+08:00")));
    }

    [Fact]
    public void Long_ranges_sum_whole_months_and_years()
    {
        var roundTheClock = new BusinessCalendar(BuiltInCalendars.TwentyFourSevenDefinition);

        Assert.Equal(TimeSpan.FromDays(365), roundTheClock.BusinessTimeBetween(At("2026-01-01T00:00+08:00"), At("2027-01-01T00:00+08:00")));
        Assert.Equal(TimeSpan.FromHours(48), roundTheClock.BusinessTimeBetween(At("2025-12-31T12:00+08:00"), At("2026-01-02T12:00+08:00")));
        Assert.Equal(
            TimeSpan.FromDays(3652) + TimeSpan.FromMinutes(1),
            roundTheClock.BusinessTimeBetween(At("2026-01-01T00:00+08:00"), At("2036-01-01T00:01+08:00")));
    }

    [Fact]
    public void Calendar_without_working_time_gives_zero()
    {
        Assert.Equal(
            TimeSpan.Zero,
            Calendar(Shanghai).BusinessTimeBetween(At("2026-01-01T00:00+08:00"), At("2046-01-01T00:00+08:00")));
    }

    [Fact]
    public void Continuous_night_shift_across_midnight_counts_without_a_gap()
    {
        var calendar = EveryDay(Shanghai, "22:00-24:00", "00:00-02:00");

        Assert.Equal(
            TimeSpan.FromHours(4),
            calendar.BusinessTimeBetween(At("2026-05-06T22:00+08:00"), At("2026-05-07T02:00+08:00")));
        Assert.Equal(
            TimeSpan.FromMinutes(2),
            calendar.BusinessTimeBetween(At("2026-05-06T23:59+08:00"), At("2026-05-07T00:01+08:00")));
    }
}
