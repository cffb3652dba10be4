using System.Globalization;
using System.Text.Json;
using CareLoop.Domain.Calendars;
using CareLoop.Server.Platform.Api;

namespace CareLoop.Server.Modules.Calendars;

/// <summary>The calendar document of the API (and of storage).</summary>
public sealed record CalendarBody(
    string? Code,
    string? Name,
    string? TimeZone,
    Dictionary<string, List<List<string>>>? Weekly,
    List<string>? Holidays,
    List<ExtraWorkdayBody>? ExtraWorkdays);

public sealed record ExtraWorkdayBody(string? Date, List<List<string>>? Intervals);

public sealed record CalendarResponse(
    Guid Id, string Code, string Name, string TimeZone,
    Dictionary<string, List<List<string>>> Weekly, List<string> Holidays, List<ExtraWorkdayBody> ExtraWorkdays,
    bool BuiltIn, long Version, DateTimeOffset UpdatedAt);

/// <summary>What is stored in <see cref="CalendarRecord.Rules"/>.</summary>
public sealed record CalendarRules(
    Dictionary<string, List<List<string>>> Weekly, List<string> Holidays, List<ExtraWorkdayBody> ExtraWorkdays);

public sealed record AddBusinessTimeRequest(string? Start, long? Minutes);
public sealed record AddBusinessTimeResponse(string Due);
public sealed record AddWorkingDaysRequest(string? Date, int? Days);
public sealed record AddWorkingDaysResponse(string Date);
public sealed record MinutesBetweenRequest(string? From, string? To);
public sealed record MinutesBetweenResponse(long Minutes);

/// <summary>Parses and validates calendar documents into the domain's <see cref="CalendarDefinition"/>.</summary>
public static partial class CalendarMapping
{
    [System.Text.RegularExpressions.GeneratedRegex(@"T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}:\d{2})$")]
    private static partial System.Text.RegularExpressions.Regex OffsetSuffix();

    private static readonly string[] DayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
    public const int MaxCodeLength = 64;

    /// <summary>
    /// Validates a calendar document; errors go to <paramref name="errors"/> keyed by field. The calendar rules'
    /// own errors also go to <paramref name="ruleErrors"/> when given, with their codes for localised display.
    /// </summary>
    public static CalendarDefinition? Parse(CalendarBody body, ValidationErrors errors, bool requireCode = true, ICollection<CalendarError>? ruleErrors = null)
    {
        if (requireCode && errors.Required("code", body.Code))
        {
            if (body.Code!.Length > MaxCodeLength || !body.Code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                errors.Add("code", "must be 1–64 letters, digits, '-', '_' or '.'.");
            }
        }
        if (errors.Required("name", body.Name)) errors.MaxLength("name", body.Name, 200);
        errors.Required("timeZone", body.TimeZone);

        var weekly = new Dictionary<DayOfWeek, IReadOnlyList<LocalInterval>>();
        foreach (var (day, intervals) in body.Weekly ?? [])
        {
            var index = Array.IndexOf(DayNames, day);
            if (index < 0)
            {
                errors.Add($"weekly.{day}", "is not a day of the week (monday … sunday).");
                continue;
            }
            weekly[(DayOfWeek)index] = ParseIntervals(intervals, $"weekly.{day}", errors);
        }
        var holidays = new List<DateOnly>();
        for (var i = 0; i < (body.Holidays?.Count ?? 0); i++)
        {
            if (ParseDate(body.Holidays![i]) is { } d) holidays.Add(d);
            else errors.Add($"holidays[{i}]", $"must be a date YYYY-MM-DD between {MinYear} and {MaxYear}.");
        }
        var extra = new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>();
        for (var i = 0; i < (body.ExtraWorkdays?.Count ?? 0); i++)
        {
            var e = body.ExtraWorkdays![i];
            if (e is null || ParseDate(e.Date) is not { } d)
            {
                errors.Add($"extraWorkdays[{i}].date", "must be a date YYYY-MM-DD.");
                continue;
            }
            if (extra.ContainsKey(d))
            {
                errors.Add($"extraWorkdays[{i}].date", "is listed twice.");
                continue;
            }
            extra[d] = e.Intervals is null ? null : ParseIntervals(e.Intervals, $"extraWorkdays[{i}].intervals", errors);
        }
        if (errors.Any)
        {
            return null;
        }
        var definition = new CalendarDefinition(body.TimeZone!, weekly, holidays, extra);
        foreach (var error in CalendarValidator.Validate(definition))
        {
            errors.Add(error.Field, error.Message);
            ruleErrors?.Add(error);
        }
        return errors.Any ? null : definition;
    }

    private static List<LocalInterval> ParseIntervals(List<List<string>>? intervals, string field, ValidationErrors errors)
    {
        var list = new List<LocalInterval>();
        for (var i = 0; i < (intervals?.Count ?? 0); i++)
        {
            var pair = intervals![i];
            if (pair is not { Count: 2 })
            {
                errors.Add($"{field}[{i}]", "must be a pair [\"HH:mm\", \"HH:mm\"].");
                continue;
            }
            if (LocalInterval.TryParse(pair[0], pair[1], out var interval, out var error))
            {
                list.Add(interval);
            }
            else
            {
                errors.Add($"{field}[{i}]", error ?? "is not a valid interval.");
            }
        }
        return list;
    }

    /// <summary>Dates and instants the API accepts: years 1900–2199 (the engine looks up to 10 years past them).</summary>
    public const int MinYear = 1900, MaxYear = 2199;

    public static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && d.Year is >= MinYear and <= MaxYear ? d : null;

    /// <summary>Parses an ISO-8601 instant that must carry an offset (Z or ±hh:mm).</summary>
    public static DateTimeOffset? ParseInstant(string? text, string field, ValidationErrors errors)
    {
        if (!errors.Required(field, text))
        {
            return null;
        }
        var t = text!.Trim();
        var hasOffset = OffsetSuffix().IsMatch(t);
        if (!hasOffset || !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            errors.Add(field, hasOffset ? "is not an ISO-8601 instant." : "must be an ISO-8601 instant with an offset, e.g. 2026-05-06T09:00:00+08:00.");
            return null;
        }
        if (value.UtcDateTime.Year is < MinYear or > MaxYear)
        {
            errors.Add(field, $"must be between the years {MinYear} and {MaxYear}.");
            return null;
        }
        return value;
    }

    public static string FormatInstant(DateTimeOffset value) =>
        value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static CalendarRules ToRules(CalendarDefinition d) => new(
        d.Weekly.Where(w => w.Value.Count > 0).OrderBy(w => ((int)w.Key + 6) % 7)
            .ToDictionary(w => DayNames[(int)w.Key], w => w.Value.Select(ToPair).ToList()),
        d.Holidays.Order().Select(h => h.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Distinct().ToList(),
        d.ExtraWorkdays.OrderBy(e => e.Key).Select(e => new ExtraWorkdayBody(
            e.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), e.Value?.Select(ToPair).ToList())).ToList());

    private static List<string> ToPair(LocalInterval i) => [i.StartText, i.EndText];

    public static CalendarDefinition ToDefinition(CalendarRecord record)
    {
        var rules = JsonSerializer.Deserialize<CalendarRules>(record.Rules, ApiJson.Options)!;
        var errors = new ValidationErrors();
        return Parse(new CalendarBody(record.Code, record.Name, record.TimeZone, rules.Weekly, rules.Holidays, rules.ExtraWorkdays), errors)
            ?? throw new InvalidOperationException($"Stored calendar {record.Code} is invalid: {string.Join("; ", errors.All())}");
    }

    public static CalendarResponse ToResponse(CalendarRecord record)
    {
        var rules = JsonSerializer.Deserialize<CalendarRules>(record.Rules, ApiJson.Options)!;
        return new CalendarResponse(record.Id, record.Code, record.Name, record.TimeZone, rules.Weekly, rules.Holidays,
            rules.ExtraWorkdays, record.BuiltIn, record.Version, record.UpdatedAt.AsUtcOffset());
    }
}
