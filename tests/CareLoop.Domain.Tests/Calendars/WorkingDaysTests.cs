using CareLoop.Domain.Calendars;
using static CareLoop.Domain.Tests.Calendars.CalendarFactory;

namespace CareLoop.Domain.Tests.Calendars;

/// <summary>Working days, effective intervals and end of local day (Shanghai calendar with holiday 05-01 and make-up 05-09).</summary>
public sealed class WorkingDaysTests
{
    private readonly BusinessCalendar _calendar = LunchBreakCalendar();

    [Theory]
    [InlineData("2026-04-30", 1, "2026-05-04")] // Friday holiday and weekend skipped
    [InlineData("2026-04-30", 2, "2026-05-05")]
    [InlineData("2026-05-07", 1, "2026-05-08")]
    [InlineData("2026-05-08", 1, "2026-05-09")] // make-up Saturday counts
    [InlineData("2026-05-09", 1, "2026-05-11")] // Sunday does not
    [InlineData("2026-05-16", 1, "2026-05-18")] // from a weekend
    [InlineData("2026-05-01", 1, "2026-05-04")] // from a holiday
    [InlineData("2026-04-27", 10, "2026-05-11")]
    public void AddWorkingDays_counts_working_days_after_the_date(string date, int days, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            _calendar.AddWorkingDays(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), days));
    }

    [Theory]
    [InlineData(2026, 5, 1)] // holiday
    [InlineData(2026, 5, 16)] // Saturday
    [InlineData(2026, 5, 6)]
    public void AddWorkingDays_zero_returns_the_date_itself(int year, int month, int day)
    {
        Assert.Equal(D(year, month, day), _calendar.AddWorkingDays(D(year, month, day), 0));
    }

    [Fact]
    public void AddWorkingDays_a_whole_year_of_plain_weeks()
    {
        var calendar = Calendar(Shanghai, weekdays: Ivs("09:00-18:00"));

        Assert.Equal(D(2027, 1, 4), calendar.AddWorkingDays(D(2026, 1, 5), 260));
        Assert.Equal(D(2027, 1, 1), calendar.AddWorkingDays(D(2026, 1, 5), 259));
    }

    [Fact]
    public void AddWorkingDays_negative_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _calendar.AddWorkingDays(D(2026, 5, 6), -1));
    }

    [Fact]
    public void AddWorkingDays_on_a_calendar_worked_only_on_extra_days_jumps_between_them()
    {
        var calendar = Calendar(
            Shanghai,
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>
            {
                [D(2026, 6, 13)] = Ivs("09:00-12:00"),
                [D(2026, 5, 9)] = Ivs("09:00-12:00"),
            });

        Assert.Equal(D(2026, 5, 9), calendar.AddWorkingDays(D(2026, 1, 1), 1));
        Assert.Equal(D(2026, 6, 13), calendar.AddWorkingDays(D(2026, 1, 1), 2));
        Assert.Throws<NoWorkingTimeException>(() => calendar.AddWorkingDays(D(2026, 1, 1), 3));
    }

    [Fact]
    public void AddWorkingDays_without_any_working_day_throws_NoWorkingTimeException()
    {
        Assert.Throws<NoWorkingTimeException>(() => Calendar(Shanghai).AddWorkingDays(D(2026, 5, 6), 1));
    }

    [Fact]
    public void AddWorkingDays_throws_when_the_next_working_day_is_more_than_10_years_away()
    {
        var far = Calendar(Shanghai, extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [D(2036, 6, 2)] = Ivs("09:00-10:00") });
        var near = Calendar(Shanghai, extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [D(2036, 5, 6)] = Ivs("09:00-10:00") });

        Assert.Throws<NoWorkingTimeException>(() => far.AddWorkingDays(D(2026, 5, 6), 1));
        Assert.Equal(D(2036, 5, 6), near.AddWorkingDays(D(2026, 5, 6), 1));
    }

    [Fact]
    public void AddWorkingDays_throws_when_holidays_cover_more_than_10_years()
    {
        var holidays = Enumerable.Range(0, 3700).Select(i => D(2026, 1, 1).AddDays(i));
        var calendar = Calendar(Shanghai, weekdays: Ivs("09:00-18:00"), holidays: holidays);

        Assert.Throws<NoWorkingTimeException>(() => calendar.AddWorkingDays(D(2025, 12, 31), 1));
    }

    [Fact]
    public void AddWorkingDays_finds_a_working_day_after_almost_10_years_of_holidays()
    {
        var holidays = Enumerable.Range(0, 3600).Select(i => D(2026, 1, 1).AddDays(i)).ToArray();
        var calendar = Calendar(Shanghai, weekdays: Ivs("09:00-18:00"), holidays: holidays);
        var expected = holidays[^1].AddDays(1);
        while (expected.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            expected = expected.AddDays(1);
        }

        Assert.Equal(expected, calendar.AddWorkingDays(D(2025, 12, 31), 1));
    }

    [Theory]
    [InlineData(2026, 5, 6, true)]   // Wednesday
    [InlineData(2026, 5, 1, false)]  // holiday on a Friday
    [InlineData(2026, 5, 9, true)]   // make-up Saturday
    [InlineData(2026, 5, 10, false)] // Sunday
    [InlineData(2026, 5, 16, false)] // Saturday
    public void IsWorkingDay_reflects_weekly_schedule_holidays_and_make_up_days(int year, int month, int day, bool expected)
    {
        Assert.Equal(expected, _calendar.IsWorkingDay(D(year, month, day)));
    }

    [Fact]
    public void IntervalsOn_returns_effective_sorted_intervals()
    {
        var calendar = Calendar(
            Shanghai,
            weekdays: Ivs("13:00-18:00", "09:00-12:00"),
            holidays: [D(2026, 5, 1)],
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>
            {
                [D(2026, 5, 9)] = null,
                [D(2026, 5, 10)] = Ivs("14:00-15:00", "10:00-11:00"),
            });

        Assert.Equal(Ivs("09:00-12:00", "13:00-18:00"), calendar.IntervalsOn(D(2026, 5, 6)));
        Assert.Equal(Ivs("09:00-12:00", "13:00-18:00"), calendar.IntervalsOn(D(2026, 5, 9)));
        Assert.Equal(Ivs("10:00-11:00", "14:00-15:00"), calendar.IntervalsOn(D(2026, 5, 10)));
        Assert.Empty(calendar.IntervalsOn(D(2026, 5, 1)));
        Assert.Empty(calendar.IntervalsOn(D(2026, 5, 16)));
    }

    [Fact]
    public void Make_up_day_default_intervals_come_from_the_first_weekday_with_intervals()
    {
        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>>
        {
            [DayOfWeek.Monday] = [],
            [DayOfWeek.Tuesday] = Ivs("08:00-16:00"),
            [DayOfWeek.Wednesday] = Ivs("10:00-19:00"),
        };
        var calendar = new BusinessCalendar(new CalendarDefinition(Shanghai, weekly, [],
            new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [D(2026, 5, 9)] = null }));

        Assert.Equal(Ivs("08:00-16:00"), calendar.IntervalsOn(D(2026, 5, 9)));
        Assert.True(calendar.IsWorkingDay(D(2026, 5, 9)));
    }

    [Fact]
    public void EndOfLocalDay_is_the_next_local_midnight_with_the_calendar_offset()
    {
        var end = _calendar.EndOfLocalDay(D(2026, 5, 6));

        Assert.Equal(At("2026-05-07T00:00+08:00"), end);
        Assert.Equal(TimeSpan.FromHours(8), end.Offset);
        Assert.Equal(At("2027-01-01T00:00+08:00"), _calendar.EndOfLocalDay(D(2026, 12, 31)));
        Assert.Equal(At("2026-03-01T00:00+08:00"), _calendar.EndOfLocalDay(D(2026, 2, 28)));
    }

    [Fact]
    public void Working_day_deadline_is_end_of_the_Nth_working_day()
    {
        var due = _calendar.EndOfLocalDay(_calendar.AddWorkingDays(D(2026, 4, 30), 2));

        Assert.Equal(At("2026-05-06T00:00+08:00"), due);
    }

    [Fact]
    public void ToCalendarOffset_keeps_the_instant()
    {
        var converted = _calendar.ToCalendarOffset(At("2026-05-06T03:00Z"));

        Assert.Equal(At("2026-05-06T11:00+08:00"), converted);
        Assert.Equal(TimeSpan.FromHours(8), converted.Offset);
        Assert.Equal(new DateTime(2026, 5, 6, 11, 0, 0), converted.DateTime);
    }

    [Fact]
    public void Definition_and_time_zone_are_exposed()
    {
        var definition = Definition(Shanghai, weekdays: Ivs("09:00-18:00"));
        var calendar = new BusinessCalendar(definition);

        Assert.Same(definition, calendar.Definition);
        Assert.Equal(TimeSpan.FromHours(8), calendar.TimeZone.BaseUtcOffset);
    }
}
