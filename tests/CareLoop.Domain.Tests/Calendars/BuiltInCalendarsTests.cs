using CareLoop.Domain.Calendars;
using static CareLoop.Domain.Tests.Calendars.CalendarFactory;

namespace CareLoop.Domain.Tests.Calendars;

public sealed class BuiltInCalendarsTests
{
    private static readonly BusinessCalendar Cn = new(BuiltInCalendars.CnMainlandDefinition);

    [Fact]
    public void Ids_are_stable()
    {
        Assert.Equal("24x7", BuiltInCalendars.TwentyFourSeven);
        Assert.Equal("cn-mainland", BuiltInCalendars.CnMainland);
    }

    [Fact]
    public void TryGetDefinition_resolves_the_built_in_ids()
    {
        Assert.True(BuiltInCalendars.TryGetDefinition("24x7", out var roundTheClock));
        Assert.Same(BuiltInCalendars.TwentyFourSevenDefinition, roundTheClock);
        Assert.True(BuiltInCalendars.TryGetDefinition("cn-mainland", out var cn));
        Assert.Same(BuiltInCalendars.CnMainlandDefinition, cn);
        Assert.False(BuiltInCalendars.TryGetDefinition("us-federal", out var none));
        Assert.Null(none);
    }

    [Fact]
    public void Twenty_four_seven_works_every_minute_of_every_day_in_Shanghai()
    {
        var definition = BuiltInCalendars.TwentyFourSevenDefinition;

        Assert.Equal("Asia/Shanghai", definition.TimeZoneId);
        Assert.Empty(definition.Holidays);
        Assert.Empty(definition.ExtraWorkdays);
        Assert.All(Enum.GetValues<DayOfWeek>(), day => Assert.Equal(Ivs("00:00-24:00"), definition.Weekly[day]));
    }

    [Fact]
    public void Cn_mainland_is_Shanghai_Monday_to_Friday_09_to_18()
    {
        var definition = BuiltInCalendars.CnMainlandDefinition;

        Assert.Equal("Asia/Shanghai", definition.TimeZoneId);
        for (var day = DayOfWeek.Monday; day <= DayOfWeek.Friday; day++)
        {
            Assert.Equal(Ivs("09:00-18:00"), definition.Weekly[day]);
        }

        Assert.False(definition.Weekly.TryGetValue(DayOfWeek.Saturday, out var saturday) && saturday.Count > 0);
        Assert.False(definition.Weekly.TryGetValue(DayOfWeek.Sunday, out var sunday) && sunday.Count > 0);
    }

    [Fact]
    public void Cn_mainland_make_up_days_are_weekend_days_worked_with_default_hours()
    {
        var extra = BuiltInCalendars.CnMainlandDefinition.ExtraWorkdays;

        Assert.NotEmpty(extra);
        Assert.All(extra, pair =>
        {
            Assert.True(pair.Key.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, pair.Key.ToString());
            Assert.Null(pair.Value);
            Assert.Equal(Ivs("09:00-18:00"), Cn.IntervalsOn(pair.Key));
        });
    }

    [Fact]
    public void Cn_mainland_source_names_the_State_Council_notices_and_years()
    {
        var source = BuiltInCalendars.CnMainlandSource;

        Assert.Contains("国务院办公厅", source, StringComparison.Ordinal);
        foreach (var year in new[] { 2024, 2025, 2026 })
        {
            Assert.Contains($"国务院办公厅关于{year}年部分节假日安排的通知", source, StringComparison.Ordinal);
            Assert.Contains(BuiltInCalendars.CnMainlandDefinition.Holidays, d => d.Year == year);
        }

        Assert.All(BuiltInCalendars.CnMainlandDefinition.Holidays, d => Assert.InRange(d.Year, 2024, 2026));
    }

    [Theory]
    [InlineData(2026, 1, 1, false)]   // 元旦
    [InlineData(2026, 1, 2, false)]
    [InlineData(2026, 1, 4, true)]    // Sunday make-up
    [InlineData(2026, 2, 14, true)]   // Saturday make-up before 春节
    [InlineData(2026, 2, 15, false)]
    [InlineData(2026, 2, 23, false)]
    [InlineData(2026, 2, 24, true)]
    [InlineData(2026, 2, 28, true)]   // Saturday make-up after 春节
    [InlineData(2026, 4, 6, false)]   // 清明节
    [InlineData(2026, 5, 5, false)]   // 劳动节
    [InlineData(2026, 5, 9, true)]
    [InlineData(2026, 6, 19, false)]  // 端午节
    [InlineData(2026, 9, 20, true)]   // Sunday make-up
    [InlineData(2026, 9, 25, false)]  // 中秋节
    [InlineData(2026, 10, 7, false)]  // 国庆节
    [InlineData(2026, 10, 8, true)]
    [InlineData(2026, 10, 10, true)]  // Saturday make-up
    [InlineData(2025, 1, 26, true)]   // 2025 Sunday make-up before 春节
    [InlineData(2025, 1, 28, false)]  // 2025 除夕
    [InlineData(2025, 2, 4, false)]
    [InlineData(2025, 2, 8, true)]
    [InlineData(2025, 4, 27, true)]
    [InlineData(2025, 5, 2, false)]
    [InlineData(2025, 6, 2, false)]
    [InlineData(2025, 10, 8, false)]
    [InlineData(2025, 10, 11, true)]
    [InlineData(2024, 2, 4, true)]
    [InlineData(2024, 2, 9, true)]    // 2024 除夕 was not an official holiday
    [InlineData(2024, 2, 16, false)]
    [InlineData(2024, 2, 18, true)]
    [InlineData(2024, 4, 7, true)]
    [InlineData(2024, 5, 11, true)]
    [InlineData(2024, 6, 10, false)]
    [InlineData(2024, 9, 14, true)]
    [InlineData(2024, 10, 7, false)]
    [InlineData(2024, 10, 12, true)]
    [InlineData(2027, 1, 1, true)]    // not covered: plain Friday
    public void Cn_mainland_working_days_follow_the_notices(int year, int month, int day, bool working)
    {
        Assert.Equal(working, Cn.IsWorkingDay(D(year, month, day)));
    }

    [Theory]
    [InlineData(2024, 251)]
    [InlineData(2025, 248)]
    [InlineData(2026, 248)]
    public void Cn_mainland_working_day_count_per_year(int year, int expected)
    {
        var count = 0;
        for (var day = D(year, 1, 1); day.Year == year; day = day.AddDays(1))
        {
            count += Cn.IsWorkingDay(day) ? 1 : 0;
        }

        Assert.Equal(expected, count);
        Assert.Equal(
            TimeSpan.FromHours(9 * expected),
            Cn.BusinessTimeBetween(new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)),
                new DateTimeOffset(year + 1, 1, 1, 0, 0, 0, TimeSpan.FromHours(8))));
    }

    [Fact]
    public void Cn_mainland_deadline_skips_National_Day_golden_week()
    {
        Assert.Equal(At("2026-10-08T10:00+08:00"), Cn.AddBusinessTime(At("2026-09-30T17:00+08:00"), 120));
        Assert.Equal(D(2026, 10, 8), Cn.AddWorkingDays(D(2026, 9, 30), 1));
        Assert.Equal(D(2026, 10, 10), Cn.AddWorkingDays(D(2026, 10, 9), 1));
    }

    [Fact]
    public void Cn_mainland_deadline_uses_Spring_Festival_make_up_Saturday()
    {
        // Friday 2026-02-13 17:00 + 2 h: 1 h on Friday, Saturday 02-14 is a make-up day.
        Assert.Equal(At("2026-02-14T10:00+08:00"), Cn.AddBusinessTime(At("2026-02-13T17:00+08:00"), 120));
        // Saturday 02-14 17:00 + 2 h: Spring Festival 02-15..02-23, next is Tuesday 02-24.
        Assert.Equal(At("2026-02-24T10:00+08:00"), Cn.AddBusinessTime(At("2026-02-14T17:00+08:00"), 120));
    }

    [Fact]
    public void Cn_mainland_2025_and_2024_spring_festival()
    {
        Assert.Equal(D(2025, 2, 5), Cn.AddWorkingDays(D(2025, 1, 27), 1));
        Assert.Equal(D(2025, 1, 26), Cn.AddWorkingDays(D(2025, 1, 24), 1));
        Assert.Equal(D(2024, 2, 9), Cn.AddWorkingDays(D(2024, 2, 8), 1));
        Assert.Equal(D(2024, 2, 18), Cn.AddWorkingDays(D(2024, 2, 8), 2));
    }

    [Fact]
    public void Cn_mainland_labour_day_2026()
    {
        Assert.Equal(At("2026-05-06T09:30+08:00"), Cn.AddBusinessTime(At("2026-04-30T17:30+08:00"), 60));
        Assert.Equal(D(2026, 5, 7), Cn.AddWorkingDays(D(2026, 4, 30), 2));
        Assert.Equal(D(2026, 5, 9), Cn.AddWorkingDays(D(2026, 5, 8), 1));
    }
}
