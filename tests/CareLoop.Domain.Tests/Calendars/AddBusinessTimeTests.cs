using CareLoop.Domain.Calendars;
using static CareLoop.Domain.Tests.Calendars.CalendarFactory;

namespace CareLoop.Domain.Tests.Calendars;

/// <summary>
/// AddBusinessTime on a Shanghai (UTC+8, no DST) calendar: Mon–Fri 09:00–12:00 and 13:00–18:00,
/// holiday Friday 2026-05-01, make-up working Saturday 2026-05-09 with the default intervals.
/// </summary>
public sealed class AddBusinessTimeTests
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private readonly BusinessCalendar _calendar = LunchBreakCalendar();

    [Theory]
    [InlineData("2026-05-06T10:00+08:00", 30, "2026-05-06T10:30+08:00")]
    [InlineData("2026-05-06T09:00+08:00", 1, "2026-05-06T09:01+08:00")]
    [InlineData("2026-05-06T14:15+08:00", 100, "2026-05-06T15:55+08:00")]
    public void Start_inside_working_time_counts_from_the_start(string start, long minutes, string expected)
    {
        Assert.Equal(At(expected), _calendar.AddBusinessTime(At(start), minutes));
    }

    [Theory]
    [InlineData("2026-05-06T07:00+08:00", 1, "2026-05-06T09:01+08:00")]   // before opening
    [InlineData("2026-05-06T12:30+08:00", 30, "2026-05-06T13:30+08:00")]  // lunch break
    [InlineData("2026-05-06T12:00+08:00", 10, "2026-05-06T13:10+08:00")]  // exactly at the end of the morning
    [InlineData("2026-05-06T19:00+08:00", 60, "2026-05-07T10:00+08:00")]  // after closing
    [InlineData("2026-05-06T18:00+08:00", 60, "2026-05-07T10:00+08:00")]  // exactly at closing
    public void Start_outside_working_time_counts_from_the_next_working_moment(string start, long minutes, string expected)
    {
        Assert.Equal(At(expected), _calendar.AddBusinessTime(At(start), minutes));
    }

    [Theory]
    [InlineData("2026-05-06T11:00+08:00", 60, "2026-05-06T12:00+08:00")]
    [InlineData("2026-05-06T17:00+08:00", 60, "2026-05-06T18:00+08:00")]
    [InlineData("2026-05-06T08:00+08:00", 180, "2026-05-06T12:00+08:00")]
    [InlineData("2026-05-08T17:00+08:00", 60, "2026-05-08T18:00+08:00")]
    public void Minutes_running_out_exactly_at_an_interval_end_return_that_end_not_the_next_start(
        string start, long minutes, string expected)
    {
        Assert.Equal(At(expected), _calendar.AddBusinessTime(At(start), minutes));
    }

    [Fact]
    public void Holiday_is_skipped_then_weekend_is_skipped()
    {
        // Thursday 17:30 + 60: 30 minutes on Thursday, Friday 05-01 is a holiday, weekend, Monday 09:30.
        Assert.Equal(At("2026-05-04T09:30+08:00"), _calendar.AddBusinessTime(At("2026-04-30T17:30+08:00"), 60));
    }

    [Fact]
    public void Make_up_Saturday_is_worked_with_the_default_weekday_intervals()
    {
        Assert.Equal(At("2026-05-09T09:30+08:00"), _calendar.AddBusinessTime(At("2026-05-08T17:00+08:00"), 90));
        Assert.Equal(At("2026-05-09T13:30+08:00"), _calendar.AddBusinessTime(At("2026-05-08T17:00+08:00"), 270));
    }

    [Fact]
    public void Make_up_day_with_its_own_intervals_uses_them()
    {
        var calendar = Calendar(
            Shanghai,
            weekdays: Ivs("09:00-12:00", "13:00-18:00"),
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [D(2026, 5, 9)] = Ivs("14:00-15:00", "10:00-12:00") });

        Assert.Equal(At("2026-05-09T10:30+08:00"), calendar.AddBusinessTime(At("2026-05-08T17:00+08:00"), 90));
        Assert.Equal(At("2026-05-09T14:30+08:00"), calendar.AddBusinessTime(At("2026-05-08T17:00+08:00"), 210));
        // 60 (Fri) + 180 (Sat) = 240: runs out exactly at 15:00 on Saturday.
        Assert.Equal(At("2026-05-09T15:00+08:00"), calendar.AddBusinessTime(At("2026-05-08T17:00+08:00"), 240));
        Assert.Equal(At("2026-05-11T09:01+08:00"), calendar.AddBusinessTime(At("2026-05-08T17:00+08:00"), 241));
    }

    [Theory]
    [InlineData("2026-05-16T10:00+08:00", 60, "2026-05-18T10:00+08:00")]  // Saturday
    [InlineData("2026-05-17T23:59+08:00", 1, "2026-05-18T09:01+08:00")]   // Sunday night
    [InlineData("2026-05-15T17:30+08:00", 60, "2026-05-18T09:30+08:00")]  // Friday evening over the weekend
    public void Weekend_is_not_worked(string start, long minutes, string expected)
    {
        Assert.Equal(At(expected), _calendar.AddBusinessTime(At(start), minutes));
    }

    [Fact]
    public void Multi_interval_day_counts_each_interval_in_turn()
    {
        var calendar = EveryDay(Shanghai, "14:00-16:00", "08:00-10:00", "11:00-12:00");
        var start = At("2026-05-06T09:00+08:00");

        Assert.Equal(At("2026-05-06T10:00+08:00"), calendar.AddBusinessTime(start, 60));
        Assert.Equal(At("2026-05-06T11:30+08:00"), calendar.AddBusinessTime(start, 90));
        Assert.Equal(At("2026-05-06T12:00+08:00"), calendar.AddBusinessTime(start, 120));
        Assert.Equal(At("2026-05-06T14:30+08:00"), calendar.AddBusinessTime(start, 150));
        Assert.Equal(At("2026-05-06T16:00+08:00"), calendar.AddBusinessTime(start, 240));
        Assert.Equal(At("2026-05-07T08:01+08:00"), calendar.AddBusinessTime(start, 241));
    }

    [Fact]
    public void Several_days_are_counted_in_one_call()
    {
        // Mon 09:00 + five 8-hour days ends exactly at Friday 18:00.
        Assert.Equal(At("2026-05-15T18:00+08:00"), _calendar.AddBusinessTime(At("2026-05-11T09:00+08:00"), 5 * 8 * 60));
        Assert.Equal(At("2026-05-18T09:01+08:00"), _calendar.AddBusinessTime(At("2026-05-11T09:00+08:00"), (5 * 8 * 60) + 1));
    }

    [Fact]
    public void Zero_minutes_returns_the_start_even_outside_working_time()
    {
        var saturday = At("2026-05-16T10:00+08:00");
        var lunch = At("2026-05-06T12:30+08:00");

        Assert.Equal(saturday, _calendar.AddBusinessTime(saturday, 0));
        Assert.Equal(lunch, _calendar.AddBusinessTime(lunch, 0));
        Assert.Equal(lunch, _calendar.AddBusinessTime(lunch, TimeSpan.Zero));
    }

    [Fact]
    public void Start_given_in_UTC_gives_the_result_with_the_calendar_offset()
    {
        var result = _calendar.AddBusinessTime(At("2026-05-06T03:00Z"), 15);

        Assert.Equal(At("2026-05-06T11:15+08:00"), result);
        Assert.Equal(China, result.Offset);
        Assert.Equal(China, _calendar.AddBusinessTime(At("2026-05-06T03:00-05:00"), 0).Offset);
    }

    [Fact]
    public void TimeSpan_overload_counts_exact_ticks()
    {
        Assert.Equal(
            At("2026-05-06T13:01:00+08:00"),
            _calendar.AddBusinessTime(At("2026-05-06T11:59:30+08:00"), TimeSpan.FromSeconds(90)));
        Assert.Equal(
            At("2026-05-06T12:00+08:00"),
            _calendar.AddBusinessTime(At("2026-05-06T12:00+08:00").AddTicks(-1), TimeSpan.FromTicks(1)));
        Assert.Equal(
            At("2026-05-06T09:00+08:00").AddTicks(1),
            _calendar.AddBusinessTime(At("2026-05-06T06:00+08:00"), TimeSpan.FromTicks(1)));
        Assert.Equal(
            At("2026-05-06T10:00:00.5+08:00"),
            _calendar.AddBusinessTime(At("2026-05-06T09:00:00.25+08:00"), TimeSpan.FromSeconds(3600.25)));
    }

    [Fact]
    public void Minutes_overload_equals_TimeSpan_overload()
    {
        var start = At("2026-04-29T16:12:07+08:00");
        foreach (var minutes in new long[] { 1, 59, 60, 61, 479, 480, 481, 2000, 100_000 })
        {
            Assert.Equal(
                _calendar.AddBusinessTime(start, minutes),
                _calendar.AddBusinessTime(start, TimeSpan.FromMinutes(minutes)));
        }
    }

    [Fact]
    public void Calendar_ending_at_24_00_counts_continuously_into_the_next_day_starting_at_00_00()
    {
        var calendar = EveryDay(Shanghai, "22:00-24:00", "00:00-02:00");

        Assert.Equal(At("2026-05-07T01:00+08:00"), calendar.AddBusinessTime(At("2026-05-06T23:00+08:00"), 120));
        Assert.Equal(At("2026-05-07T00:00+08:00"), calendar.AddBusinessTime(At("2026-05-06T23:00+08:00"), 60));
        Assert.Equal(At("2026-05-07T22:01+08:00"), calendar.AddBusinessTime(At("2026-05-07T01:00+08:00"), 61));
    }

    [Fact]
    public void Minutes_running_out_at_24_00_return_the_next_local_midnight()
    {
        var calendar = Calendar(Shanghai, weekdays: Ivs("20:00-24:00"));

        // Friday 23:00 + 60 = Friday 24:00, i.e. Saturday 00:00 — not Monday 20:00.
        Assert.Equal(At("2026-05-16T00:00+08:00"), calendar.AddBusinessTime(At("2026-05-15T23:00+08:00"), 60));
        Assert.Equal(At("2026-05-18T20:01+08:00"), calendar.AddBusinessTime(At("2026-05-15T23:00+08:00"), 61));
    }

    [Fact]
    public void Round_the_clock_calendar_adds_elapsed_time()
    {
        var calendar = new BusinessCalendar(BuiltInCalendars.TwentyFourSevenDefinition);
        var start = At("2026-05-01T23:30+08:00");

        Assert.Equal(At("2026-05-02T00:30+08:00"), calendar.AddBusinessTime(start, 60));
        Assert.Equal(start.AddDays(3650), calendar.AddBusinessTime(start, BusinessCalendar.MaxMinutes));
        Assert.Equal(At("2027-01-01T00:00+08:00"), calendar.AddBusinessTime(At("2026-12-31T23:00+08:00"), 60));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5_256_001)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Minutes_outside_0_to_5256000_are_rejected(long minutes)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _calendar.AddBusinessTime(At("2026-05-06T10:00+08:00"), minutes));
    }

    [Fact]
    public void Negative_or_too_long_duration_is_rejected()
    {
        var start = At("2026-05-06T10:00+08:00");
        Assert.Throws<ArgumentOutOfRangeException>(() => _calendar.AddBusinessTime(start, TimeSpan.FromTicks(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => _calendar.AddBusinessTime(start, TimeSpan.FromMinutes(5_256_000) + TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void Maximum_minutes_on_an_office_calendar_spans_decades()
    {
        var start = At("2026-05-06T10:00+08:00");
        var result = _calendar.AddBusinessTime(start, BusinessCalendar.MaxMinutes);

        Assert.True(result > start.AddYears(35));
        Assert.Equal(TimeSpan.FromMinutes(BusinessCalendar.MaxMinutes), _calendar.BusinessTimeBetween(start, result));
    }

    [Fact]
    public void Calendar_without_any_working_time_throws_NoWorkingTimeException()
    {
        var calendar = Calendar(Shanghai);
        var start = At("2026-05-06T10:00+08:00");

        Assert.Throws<NoWorkingTimeException>(() => calendar.AddBusinessTime(start, 1));
        Assert.Throws<NoWorkingTimeException>(() => calendar.AddBusinessTime(start, TimeSpan.FromTicks(1)));
        Assert.Equal(start, calendar.AddBusinessTime(start, 0));
    }

    [Fact]
    public void Working_time_only_more_than_10_years_away_throws_NoWorkingTimeException()
    {
        var calendar = Calendar(
            Shanghai,
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>
            {
                [D(2010, 5, 8)] = Ivs("09:00-10:00"),
                [D(2036, 6, 2)] = Ivs("09:00-10:00"),
            });

        Assert.Throws<NoWorkingTimeException>(() => calendar.AddBusinessTime(At("2026-05-06T10:00+08:00"), 1));
    }

    [Fact]
    public void Working_time_within_10_years_is_found()
    {
        var calendar = Calendar(
            Shanghai,
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [D(2035, 6, 1)] = Ivs("09:00-10:00") });

        Assert.Equal(At("2035-06-01T09:01+08:00"), calendar.AddBusinessTime(At("2026-05-06T10:00+08:00"), 1));
        Assert.Equal(At("2035-06-01T10:00+08:00"), calendar.AddBusinessTime(At("2026-05-06T10:00+08:00"), 60));
        Assert.Throws<NoWorkingTimeException>(() => calendar.AddBusinessTime(At("2026-05-06T10:00+08:00"), 61));
    }
}
