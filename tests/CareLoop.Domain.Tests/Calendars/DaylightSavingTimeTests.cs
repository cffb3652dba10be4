using CareLoop.Domain.Calendars;
using static CareLoop.Domain.Tests.Calendars.CalendarFactory;

namespace CareLoop.Domain.Tests.Calendars;

/// <summary>
/// Business time is elapsed time. America/New_York 2026: clocks jump 02:00 EST → 03:00 EDT on Sunday 2026-03-08
/// (07:00Z) and fall back 02:00 EDT → 01:00 EST on Sunday 2026-11-01 (06:00Z).
/// </summary>
public sealed class DaylightSavingTimeTests
{
    private static readonly TimeSpan Est = TimeSpan.FromHours(-5);
    private static readonly TimeSpan Edt = TimeSpan.FromHours(-4);

    [Fact]
    public void Golden_interval_00_00_to_04_00_holds_180_minutes_on_the_spring_forward_day()
    {
        var calendar = EveryDay(NewYork, "00:00-04:00");

        Assert.Equal(
            TimeSpan.FromMinutes(180),
            calendar.BusinessTimeBetween(At("2026-03-08T00:00-05:00"), At("2026-03-09T00:00-04:00")));
        Assert.Equal(At("2026-03-08T04:00-04:00"), calendar.AddBusinessTime(At("2026-03-08T00:00-05:00"), 180));
        Assert.Equal(At("2026-03-09T00:01-04:00"), calendar.AddBusinessTime(At("2026-03-08T00:00-05:00"), 181));
    }

    [Fact]
    public void Golden_interval_00_00_to_04_00_holds_300_minutes_on_the_fall_back_day()
    {
        var calendar = EveryDay(NewYork, "00:00-04:00");

        Assert.Equal(
            TimeSpan.FromMinutes(300),
            calendar.BusinessTimeBetween(At("2026-11-01T00:00-04:00"), At("2026-11-02T00:00-05:00")));
        Assert.Equal(At("2026-11-01T04:00-05:00"), calendar.AddBusinessTime(At("2026-11-01T00:00-04:00"), 300));
        Assert.Equal(At("2026-11-02T00:01-05:00"), calendar.AddBusinessTime(At("2026-11-01T00:00-04:00"), 301));
    }

    [Fact]
    public void Ordinary_days_around_the_transitions_hold_240_minutes()
    {
        var calendar = EveryDay(NewYork, "00:00-04:00");

        Assert.Equal(TimeSpan.FromMinutes(240), calendar.BusinessTimeBetween(At("2026-03-07T00:00-05:00"), At("2026-03-08T00:00-05:00")));
        Assert.Equal(TimeSpan.FromMinutes(240), calendar.BusinessTimeBetween(At("2026-03-09T00:00-04:00"), At("2026-03-10T00:00-04:00")));
        Assert.Equal(TimeSpan.FromMinutes(240), calendar.BusinessTimeBetween(At("2026-10-31T00:00-04:00"), At("2026-11-01T00:00-04:00")));
        Assert.Equal(TimeSpan.FromMinutes(240), calendar.BusinessTimeBetween(At("2026-11-02T00:00-05:00"), At("2026-11-03T00:00-05:00")));
    }

    [Fact]
    public void Boundary_inside_the_gap_maps_to_the_first_instant_after_the_gap()
    {
        // 02:30 does not exist on 2026-03-08: the interval starts at 03:00 EDT (07:00Z) and holds 120 minutes.
        var calendar = EveryDay(NewYork, "02:30-05:00");

        Assert.Equal(
            TimeSpan.FromMinutes(120),
            calendar.BusinessTimeBetween(At("2026-03-08T00:00-05:00"), At("2026-03-09T00:00-04:00")));
        var result = calendar.AddBusinessTime(At("2026-03-08T00:00-05:00"), 1);
        Assert.Equal(At("2026-03-08T03:01-04:00"), result);
        Assert.Equal(Edt, result.Offset);
    }

    [Fact]
    public void End_boundary_inside_the_gap_maps_to_the_first_instant_after_the_gap()
    {
        // 01:00 EST .. 02:30 (→ 03:00 EDT = 07:00Z) = 60 minutes.
        var calendar = EveryDay(NewYork, "01:00-02:30");

        Assert.Equal(
            TimeSpan.FromMinutes(60),
            calendar.BusinessTimeBetween(At("2026-03-08T00:00-05:00"), At("2026-03-09T00:00-04:00")));
        Assert.Equal(At("2026-03-08T03:00-04:00"), calendar.AddBusinessTime(At("2026-03-08T00:00-05:00"), 60));
    }

    [Fact]
    public void Interval_entirely_inside_the_gap_holds_no_working_time()
    {
        var calendar = EveryDay(NewYork, "02:10-02:50");

        Assert.Equal(
            TimeSpan.Zero,
            calendar.BusinessTimeBetween(At("2026-03-08T00:00-05:00"), At("2026-03-09T00:00-04:00")));
        Assert.Equal(At("2026-03-09T02:11-04:00"), calendar.AddBusinessTime(At("2026-03-08T00:00-05:00"), 1));
    }

    [Fact]
    public void Ambiguous_start_boundary_maps_to_its_earlier_occurrence()
    {
        // 01:30 happens twice on 2026-11-01; the earlier one is 01:30 EDT (05:30Z). End 03:00 EST = 08:00Z.
        var calendar = EveryDay(NewYork, "01:30-03:00");

        Assert.Equal(
            TimeSpan.FromMinutes(150),
            calendar.BusinessTimeBetween(At("2026-11-01T00:00-04:00"), At("2026-11-02T00:00-05:00")));
        var result = calendar.AddBusinessTime(At("2026-11-01T00:00-04:00"), 1);
        Assert.Equal(At("2026-11-01T01:31-04:00"), result);
        Assert.Equal(Edt, result.Offset);
    }

    [Fact]
    public void Ambiguous_end_boundary_maps_to_its_earlier_occurrence()
    {
        // 00:00 EDT (04:00Z) .. 01:30 EDT (05:30Z) = 90 minutes; the repeated 01:00–01:30 EST is not worked.
        var calendar = EveryDay(NewYork, "00:00-01:30");

        Assert.Equal(
            TimeSpan.FromMinutes(90),
            calendar.BusinessTimeBetween(At("2026-11-01T00:00-04:00"), At("2026-11-02T00:00-05:00")));
        Assert.Equal(At("2026-11-01T01:30-04:00"), calendar.AddBusinessTime(At("2026-11-01T00:00-04:00"), 90));
        Assert.Equal(TimeSpan.Zero, calendar.BusinessTimeBetween(At("2026-11-01T01:00-05:00"), At("2026-11-01T01:30-05:00")));
    }

    [Fact]
    public void Result_uses_the_offset_in_force_at_the_result_instant()
    {
        var calendar = Calendar(NewYork, weekdays: Ivs("09:00-17:00"));

        // Friday 2026-03-06 16:00 EST + 120 → Monday 2026-03-09 10:00 EDT.
        var spring = calendar.AddBusinessTime(At("2026-03-06T16:00-05:00"), 120);
        Assert.Equal(At("2026-03-09T10:00-04:00"), spring);
        Assert.Equal(Edt, spring.Offset);

        var autumn = calendar.AddBusinessTime(At("2026-10-30T16:00-04:00"), 120);
        Assert.Equal(At("2026-11-02T10:00-05:00"), autumn);
        Assert.Equal(Est, autumn.Offset);
    }

    [Fact]
    public void Round_the_clock_calendar_counts_23_and_25_hour_days()
    {
        var calendar = EveryDay(NewYork, "00:00-24:00");

        Assert.Equal(TimeSpan.FromHours(23), calendar.BusinessTimeBetween(At("2026-03-08T00:00-05:00"), calendar.EndOfLocalDay(D(2026, 3, 8))));
        Assert.Equal(TimeSpan.FromHours(25), calendar.BusinessTimeBetween(At("2026-11-01T00:00-04:00"), calendar.EndOfLocalDay(D(2026, 11, 1))));
        Assert.Equal(At("2026-03-08T12:00-04:00"), calendar.AddBusinessTime(At("2026-03-08T00:00-05:00"), 11 * 60));
    }

    [Fact]
    public void End_of_local_day_follows_the_transition()
    {
        var calendar = EveryDay(NewYork, "09:00-17:00");

        var beforeSpring = calendar.EndOfLocalDay(D(2026, 3, 7));
        var springDay = calendar.EndOfLocalDay(D(2026, 3, 8));
        Assert.Equal(At("2026-03-08T00:00-05:00"), beforeSpring);
        Assert.Equal(Est, beforeSpring.Offset);
        Assert.Equal(At("2026-03-09T00:00-04:00"), springDay);
        Assert.Equal(Edt, springDay.Offset);
        Assert.Equal(TimeSpan.FromHours(23), springDay - beforeSpring);
        Assert.Equal(TimeSpan.FromHours(25), calendar.EndOfLocalDay(D(2026, 11, 1)) - calendar.EndOfLocalDay(D(2026, 10, 31)));
    }

    [Fact]
    public void ToCalendarOffset_keeps_the_instant_and_applies_the_zone_offset()
    {
        var calendar = EveryDay(NewYork, "09:00-17:00");

        var winter = calendar.ToCalendarOffset(At("2026-01-15T12:00Z"));
        var summer = calendar.ToCalendarOffset(At("2026-07-15T12:00Z"));
        Assert.Equal(At("2026-01-15T07:00-05:00"), winter);
        Assert.Equal(Est, winter.Offset);
        Assert.Equal(At("2026-07-15T08:00-04:00"), summer);
        Assert.Equal(Edt, summer.Offset);
    }

    [Fact]
    public void Local_midnight_inside_a_gap_maps_to_the_transition_instant()
    {
        // Asunción 2019-10-06: clocks jumped from 00:00 (-04) to 01:00 (-03) at 04:00Z; local midnight did not exist.
        var calendar = EveryDay("America/Asuncion", "00:00-24:00");

        var end = calendar.EndOfLocalDay(D(2019, 10, 5));
        Assert.Equal(At("2019-10-06T04:00Z"), end);
        Assert.Equal(TimeSpan.FromHours(-3), end.Offset);
        Assert.Equal(TimeSpan.FromHours(23), calendar.EndOfLocalDay(D(2019, 10, 6)) - end);
        Assert.Equal(At("2019-10-06T01:00-03:00"), calendar.AddBusinessTime(At("2019-10-05T23:30-04:00"), 30));
        Assert.Equal(At("2019-10-06T01:30-03:00"), calendar.AddBusinessTime(At("2019-10-05T23:30-04:00"), 60));
    }

    [Fact]
    public void Skipped_local_day_holds_no_working_time()
    {
        // Samoa skipped 2011-12-30 entirely (-10 → +14 at 2011-12-30T10:00Z).
        var calendar = EveryDay("Pacific/Apia", "00:00-24:00");

        Assert.Equal(calendar.EndOfLocalDay(D(2011, 12, 29)), calendar.EndOfLocalDay(D(2011, 12, 30)));
        Assert.Equal(At("2011-12-30T10:00Z"), calendar.EndOfLocalDay(D(2011, 12, 29)));
        Assert.Equal(
            TimeSpan.FromHours(24),
            calendar.BusinessTimeBetween(At("2011-12-29T00:00-10:00"), At("2011-12-31T00:00+14:00")));
        Assert.Equal(At("2011-12-31T01:00+14:00"), calendar.AddBusinessTime(At("2011-12-29T23:00-10:00"), 120));
    }
}
