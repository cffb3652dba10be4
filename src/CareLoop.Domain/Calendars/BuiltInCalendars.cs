using System.Collections.ObjectModel;

namespace CareLoop.Domain.Calendars;

/// <summary>Calendars shipped with the product.</summary>
public static class BuiltInCalendars
{
    /// <summary>Id of the round-the-clock calendar.</summary>
    public const string TwentyFourSeven = "24x7";

    /// <summary>Id of the mainland China working calendar (public holidays and 调休 make-up working days).</summary>
    public const string CnMainland = "cn-mainland";

    private const string ShanghaiZone = "Asia/Shanghai";

    /// <summary>Asia/Shanghai, every day 00:00–24:00, no holidays.</summary>
    public static CalendarDefinition TwentyFourSevenDefinition { get; } = CreateTwentyFourSeven();

    /// <summary>
    /// Asia/Shanghai, Monday–Friday 09:00–18:00, with the State Council public holidays and make-up working days
    /// (调休, worked with the default 09:00–18:00) of the years named in <see cref="CnMainlandSource"/>.
    /// </summary>
    public static CalendarDefinition CnMainlandDefinition { get; } = CreateCnMainland();

    /// <summary>The notices the cn-mainland holidays are taken from and the years covered.</summary>
    public static string CnMainlandSource { get; } =
        "State Council General Office (国务院办公厅) notices: 国务院办公厅关于2024年部分节假日安排的通知, "
        + "国务院办公厅关于2025年部分节假日安排的通知, 国务院办公厅关于2026年部分节假日安排的通知 (published November 2025). "
        + "Years covered: 2024, 2025, 2026. Outside these years only the Monday–Friday 09:00–18:00 schedule applies "
        + "(no public holidays are known to the calendar).";

    /// <summary>The built-in definition for an id ("24x7" or "cn-mainland", case-insensitive).</summary>
    public static bool TryGetDefinition(string? id, out CalendarDefinition? definition)
    {
        definition = id?.ToUpperInvariant() switch
        {
            "24X7" => TwentyFourSevenDefinition,
            "CN-MAINLAND" => CnMainlandDefinition,
            _ => null,
        };
        return definition is not null;
    }

    private static CalendarDefinition CreateTwentyFourSeven()
    {
        IReadOnlyList<LocalInterval> allDay = new ReadOnlyCollection<LocalInterval>([new LocalInterval(0, 1440)]);
        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>>();
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            weekly[day] = allDay;
        }

        return new CalendarDefinition(
            ShanghaiZone,
            new ReadOnlyDictionary<DayOfWeek, IReadOnlyList<LocalInterval>>(weekly),
            new ReadOnlyCollection<DateOnly>([]),
            new ReadOnlyDictionary<DateOnly, IReadOnlyList<LocalInterval>?>(
                new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>()));
    }

    private static CalendarDefinition CreateCnMainland()
    {
        IReadOnlyList<LocalInterval> office = new ReadOnlyCollection<LocalInterval>([new LocalInterval(9 * 60, 18 * 60)]);
        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>>
        {
            [DayOfWeek.Monday] = office,
            [DayOfWeek.Tuesday] = office,
            [DayOfWeek.Wednesday] = office,
            [DayOfWeek.Thursday] = office,
            [DayOfWeek.Friday] = office,
        };

        var holidays = new List<DateOnly>();
        var makeUpDays = new List<DateOnly>();

        // 2024 — 国务院办公厅关于2024年部分节假日安排的通知
        holidays.Add(new DateOnly(2024, 1, 1));                         // 元旦
        AddRange(holidays, new DateOnly(2024, 2, 10), new DateOnly(2024, 2, 17)); // 春节
        AddRange(holidays, new DateOnly(2024, 4, 4), new DateOnly(2024, 4, 6));   // 清明节
        AddRange(holidays, new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 5));   // 劳动节
        holidays.Add(new DateOnly(2024, 6, 10));                        // 端午节
        AddRange(holidays, new DateOnly(2024, 9, 15), new DateOnly(2024, 9, 17)); // 中秋节
        AddRange(holidays, new DateOnly(2024, 10, 1), new DateOnly(2024, 10, 7)); // 国庆节
        makeUpDays.AddRange(
        [
            new DateOnly(2024, 2, 4), new DateOnly(2024, 2, 18),   // 春节
            new DateOnly(2024, 4, 7),                              // 清明节
            new DateOnly(2024, 4, 28), new DateOnly(2024, 5, 11),  // 劳动节
            new DateOnly(2024, 9, 14),                             // 中秋节
            new DateOnly(2024, 9, 29), new DateOnly(2024, 10, 12), // 国庆节
        ]);

        // 2025 — 国务院办公厅关于2025年部分节假日安排的通知
        holidays.Add(new DateOnly(2025, 1, 1));                         // 元旦
        AddRange(holidays, new DateOnly(2025, 1, 28), new DateOnly(2025, 2, 4));  // 春节
        AddRange(holidays, new DateOnly(2025, 4, 4), new DateOnly(2025, 4, 6));   // 清明节
        AddRange(holidays, new DateOnly(2025, 5, 1), new DateOnly(2025, 5, 5));   // 劳动节
        AddRange(holidays, new DateOnly(2025, 5, 31), new DateOnly(2025, 6, 2));  // 端午节
        AddRange(holidays, new DateOnly(2025, 10, 1), new DateOnly(2025, 10, 8)); // 国庆节、中秋节
        makeUpDays.AddRange(
        [
            new DateOnly(2025, 1, 26), new DateOnly(2025, 2, 8),   // 春节
            new DateOnly(2025, 4, 27),                             // 劳动节
            new DateOnly(2025, 9, 28), new DateOnly(2025, 10, 11), // 国庆节、中秋节
        ]);

        // 2026 — 国务院办公厅关于2026年部分节假日安排的通知
        AddRange(holidays, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 3));   // 元旦
        AddRange(holidays, new DateOnly(2026, 2, 15), new DateOnly(2026, 2, 23)); // 春节
        AddRange(holidays, new DateOnly(2026, 4, 4), new DateOnly(2026, 4, 6));   // 清明节
        AddRange(holidays, new DateOnly(2026, 5, 1), new DateOnly(2026, 5, 5));   // 劳动节
        AddRange(holidays, new DateOnly(2026, 6, 19), new DateOnly(2026, 6, 21)); // 端午节
        AddRange(holidays, new DateOnly(2026, 9, 25), new DateOnly(2026, 9, 27)); // 中秋节
        AddRange(holidays, new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 7)); // 国庆节
        makeUpDays.AddRange(
        [
            new DateOnly(2026, 1, 4),                              // 元旦
            new DateOnly(2026, 2, 14), new DateOnly(2026, 2, 28),  // 春节
            new DateOnly(2026, 5, 9),                              // 劳动节
            new DateOnly(2026, 9, 20), new DateOnly(2026, 10, 10), // 国庆节
        ]);

        var extra = new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>();
        foreach (var day in makeUpDays)
        {
            extra.Add(day, null); // default intervals: those of Monday (09:00–18:00)
        }

        return new CalendarDefinition(
            ShanghaiZone,
            new ReadOnlyDictionary<DayOfWeek, IReadOnlyList<LocalInterval>>(weekly),
            new ReadOnlyCollection<DateOnly>(holidays),
            new ReadOnlyDictionary<DateOnly, IReadOnlyList<LocalInterval>?>(extra));
    }

    private static void AddRange(List<DateOnly> target, DateOnly first, DateOnly last)
    {
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            target.Add(day);
        }
    }
}
