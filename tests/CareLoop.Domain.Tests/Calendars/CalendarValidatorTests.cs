using System.Collections;
using System.Diagnostics.CodeAnalysis;
using CareLoop.Domain.Calendars;
using static CareLoop.Domain.Tests.Calendars.CalendarFactory;

namespace CareLoop.Domain.Tests.Calendars;

public sealed class CalendarValidatorTests
{
    private static readonly IReadOnlyList<LocalInterval> Office = Ivs("09:00-12:00", "13:00-18:00");

    private static CalendarDefinition WithWeekly(DayOfWeek day, IReadOnlyList<LocalInterval> intervals) =>
        new(Shanghai, new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>> { [day] = intervals }, [],
            new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>());

    private static string[] Fields(CalendarDefinition definition) =>
        CalendarValidator.Validate(definition).Select(e => e.Field).ToArray();

    [Fact]
    public void Valid_definition_has_no_errors()
    {
        var definition = Definition(
            Shanghai,
            weekdays: Office,
            holidays: [D(2026, 5, 1)],
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>
            {
                [D(2026, 5, 9)] = null,
                [D(2026, 5, 10)] = Ivs("10:00-12:00"),
            });

        Assert.Empty(CalendarValidator.Validate(definition));
    }

    [Fact]
    public void Built_in_definitions_are_valid()
    {
        Assert.Empty(CalendarValidator.Validate(BuiltInCalendars.TwentyFourSevenDefinition));
        Assert.Empty(CalendarValidator.Validate(BuiltInCalendars.CnMainlandDefinition));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Asia/Shanghaii")]
    [InlineData("")]
    [InlineData("   ")]
    public void Unknown_or_missing_time_zone_is_reported_on_timeZone(string zone)
    {
        var errors = CalendarValidator.Validate(Definition(zone, weekdays: Office));

        var error = Assert.Single(errors);
        Assert.Equal("timeZone", error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Interval_whose_end_is_not_after_its_start_is_reported_with_its_index()
    {
        var errors = CalendarValidator.Validate(
            WithWeekly(DayOfWeek.Monday, [Iv("09:00-12:00"), new LocalInterval(600, 600), new LocalInterval(900, 800)]));

        Assert.Equal(["weekly.monday[1]", "weekly.monday[2]"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Contains("must be after", e.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-1, 60)]
    [InlineData(1440, 1441)]
    [InlineData(0, 1441)]
    [InlineData(0, 0)]
    public void Interval_outside_the_day_is_reported(int start, int end)
    {
        Assert.Equal(["weekly.friday[0]"], Fields(WithWeekly(DayOfWeek.Friday, [new LocalInterval(start, end)])));
    }

    [Fact]
    public void Overlapping_intervals_are_reported_on_the_later_starting_one_after_sorting_by_start()
    {
        // Index 0 starts later (13:00) than index 1 (09:00-14:00) and overlaps it.
        var errors = CalendarValidator.Validate(WithWeekly(DayOfWeek.Tuesday, Ivs("13:00-18:00", "09:00-14:00")));

        var error = Assert.Single(errors);
        Assert.Equal("weekly.tuesday[0]", error.Field);
        Assert.Contains("overlaps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Intervals_contained_in_an_earlier_long_interval_are_all_reported()
    {
        Assert.Equal(
            ["weekly.sunday[1]", "weekly.sunday[2]"],
            Fields(WithWeekly(DayOfWeek.Sunday, Ivs("09:00-18:00", "10:00-11:00", "12:00-13:00"))));
    }

    [Fact]
    public void Identical_intervals_overlap()
    {
        Assert.Equal(["weekly.wednesday[1]"], Fields(WithWeekly(DayOfWeek.Wednesday, Ivs("09:00-10:00", "09:00-10:00"))));
    }

    [Fact]
    public void Touching_intervals_are_allowed()
    {
        Assert.Empty(CalendarValidator.Validate(WithWeekly(DayOfWeek.Monday, Ivs("12:00-18:00", "09:00-12:00", "18:00-24:00"))));
    }

    [Fact]
    public void Duplicate_holiday_is_reported_with_its_index()
    {
        var definition = Definition(Shanghai, weekdays: Office, holidays: [D(2026, 1, 1), D(2026, 5, 1), D(2026, 1, 1)]);

        Assert.Equal(["holidays[2]"], Fields(definition));
    }

    [Fact]
    public void Extra_working_day_that_is_a_holiday_is_reported_on_its_date()
    {
        var definition = Definition(
            Shanghai,
            weekdays: Office,
            holidays: [D(2026, 5, 9)],
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [D(2026, 5, 9)] = null });

        var error = Assert.Single(CalendarValidator.Validate(definition));
        Assert.Equal("extraWorkdays[0].date", error.Field);
        Assert.Contains("holiday", error.Message, StringComparison.Ordinal);
        Assert.Equal(CalendarErrorCodes.ExtraWorkdayIsHoliday, error.Code);
    }

    [Fact]
    public void Extra_working_day_already_worked_by_the_weekly_schedule_is_reported_on_its_date()
    {
        var definition = Definition(
            Shanghai,
            weekdays: Office,
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>
            {
                [D(2026, 5, 9)] = null,   // Saturday: fine
                [D(2026, 5, 6)] = null,   // Wednesday: already worked
            });

        var error = Assert.Single(CalendarValidator.Validate(definition));
        Assert.Equal("extraWorkdays[1].date", error.Field);
        Assert.Contains("already a working day", error.Message, StringComparison.Ordinal);
        Assert.Equal(CalendarErrorCodes.ExtraWorkdayAlreadyWorked, error.Code);
        Assert.Equal(D(2026, 5, 6), error.Date);
    }

    [Fact]
    public void Extra_working_day_on_a_weekday_with_an_empty_weekly_list_is_allowed()
    {
        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>>
        {
            [DayOfWeek.Monday] = Office,
            [DayOfWeek.Wednesday] = [],
        };
        var definition = new CalendarDefinition(Shanghai, weekly, [],
            new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [D(2026, 5, 6)] = null });

        Assert.Empty(CalendarValidator.Validate(definition));
    }

    [Fact]
    public void Invalid_and_overlapping_intervals_of_an_extra_working_day_are_reported_with_their_index()
    {
        var definition = Definition(
            Shanghai,
            weekdays: Office,
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>
            {
                [D(2026, 5, 9)] = Ivs("10:00-12:00"),
                [D(2026, 5, 10)] = [Iv("09:00-12:00"), Iv("11:00-13:00"), new LocalInterval(800, 700)],
            });

        Assert.Equal(["extraWorkdays[1].intervals[2]", "extraWorkdays[1].intervals[1]"], Fields(definition));
    }

    [Fact]
    public void Extra_working_day_needing_default_intervals_without_any_weekday_intervals_is_reported()
    {
        // Only Saturday is worked: there is no Monday..Friday default to borrow.
        var definition = Definition(
            Shanghai,
            weekends: Office,
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>
            {
                [D(2026, 5, 6)] = Ivs("09:00-10:00"),
                [D(2026, 5, 7)] = null,
            });

        var error = Assert.Single(CalendarValidator.Validate(definition));
        Assert.Equal("extraWorkdays[1].intervals", error.Field);
    }

    [Fact]
    public void Extra_working_day_with_an_empty_interval_list_is_reported()
    {
        var definition = Definition(
            Shanghai,
            weekdays: Office,
            extra: new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [D(2026, 5, 9)] = [] });

        Assert.Equal(["extraWorkdays[0].intervals"], Fields(definition));
    }

    [Fact]
    public void Duplicate_extra_working_day_dates_are_reported()
    {
        var extra = new DuplicateKeyDictionary(
        [
            new(D(2026, 5, 9), null),
            new(D(2026, 5, 10), null),
            new(D(2026, 5, 9), Ivs("10:00-11:00")),
        ]);
        var definition = Definition(Shanghai, weekdays: Office, extra: extra);

        Assert.Equal(["extraWorkdays[2].date"], Fields(definition));
    }

    [Fact]
    public void All_errors_are_returned_in_one_pass()
    {
        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>>
        {
            [DayOfWeek.Monday] = Ivs("09:00-12:00", "11:00-13:00"),
            [DayOfWeek.Thursday] = [new LocalInterval(600, 500)],
        };
        var definition = new CalendarDefinition(
            "Nowhere/Atlantis",
            weekly,
            [D(2026, 5, 9), D(2026, 5, 9)],
            new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?> { [D(2026, 5, 9)] = null });

        Assert.Equal(
            ["timeZone", "weekly.monday[1]", "weekly.thursday[0]", "holidays[1]", "extraWorkdays[0].date"],
            Fields(definition));
    }

    [Fact]
    public void Ignored_argument_does_not_change_the_result()
    {
        var definition = WithWeekly(DayOfWeek.Monday, Ivs("09:00-12:00", "11:00-13:00"));

        Assert.Equal(
            CalendarValidator.Validate(definition),
            CalendarValidator.Validate(definition, [0, 1, 2]));
    }

    [Fact]
    public void BusinessCalendar_constructor_throws_ArgumentException_naming_the_fields()
    {
        var definition = WithWeekly(DayOfWeek.Monday, Ivs("09:00-12:00", "11:00-13:00")) with { TimeZoneId = "Bad/Zone" };

        var exception = Assert.Throws<ArgumentException>(() => new BusinessCalendar(definition));
        Assert.Contains("timeZone", exception.Message, StringComparison.Ordinal);
        Assert.Contains("weekly.monday[1]", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>An IReadOnlyDictionary whose enumeration yields repeated keys (as an API list could).</summary>
    private sealed class DuplicateKeyDictionary(List<KeyValuePair<DateOnly, IReadOnlyList<LocalInterval>?>> items)
        : IReadOnlyDictionary<DateOnly, IReadOnlyList<LocalInterval>?>
    {
        public int Count => items.Count;

        public IEnumerable<DateOnly> Keys => items.Select(i => i.Key);

        public IEnumerable<IReadOnlyList<LocalInterval>?> Values => items.Select(i => i.Value);

        public IReadOnlyList<LocalInterval>? this[DateOnly key] => items.First(i => i.Key == key).Value;

        public bool ContainsKey(DateOnly key) => items.Any(i => i.Key == key);

        public bool TryGetValue(DateOnly key, [MaybeNullWhen(false)] out IReadOnlyList<LocalInterval>? value)
        {
            foreach (var item in items.Where(item => item.Key == key))
            {
                value = item.Value;
                return true;
            }

            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<DateOnly, IReadOnlyList<LocalInterval>?>> GetEnumerator() => items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
