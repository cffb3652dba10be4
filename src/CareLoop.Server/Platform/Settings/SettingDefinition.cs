using System.Globalization;
using System.Text.RegularExpressions;

namespace CareLoop.Server.Platform.Settings;

/// <summary>The kind of value a setting holds; it decides parsing, the typed getter and the editor on the settings page.</summary>
public enum SettingType
{
    /// <summary>Free text (trimmed, not empty, at most <see cref="SettingDefinition.MaxLength"/> characters).</summary>
    Text,

    /// <summary>A whole number within <see cref="SettingDefinition.Min"/>..<see cref="SettingDefinition.Max"/>.</summary>
#pragma warning disable CA1720 // "integer" is the type's name on the wire.
    Integer,
#pragma warning restore CA1720

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A whole number of minutes within <see cref="SettingDefinition.Min"/>..<see cref="SettingDefinition.Max"/>.</summary>
    DurationMinutes,

    /// <summary>A time-of-day range <c>HH:mm-HH:mm</c>; it may cross midnight (<c>22:00-08:00</c>).</summary>
    TimeRange,

    /// <summary>One of <see cref="SettingDefinition.Choices"/>.</summary>
    Choice,
}

/// <summary>
/// Checks a value beyond its type (e.g. that a calendar code exists). Runs in the caller's service scope; returns
/// null when the value is acceptable.
/// </summary>
public delegate Task<SettingError?> SettingValidator(string value, IServiceProvider services, CancellationToken ct);

/// <summary>
/// One setting of the registry: modules register theirs with <c>services.AddSetting(new SettingDefinition(…))</c>.
/// The value is stored as text; <see cref="DefaultValue"/> applies until someone sets it (and again after a reset).
/// </summary>
/// <param name="Key">Dotted key, e.g. <c>outbox.maxAttempts</c>.</param>
/// <param name="Type">The kind of value.</param>
/// <param name="DefaultValue">The value in force while none is stored; must itself be valid.</param>
/// <param name="Group">Where the settings page lists it, e.g. <c>platform</c>, <c>notifications</c>, <c>outbox</c>.</param>
public sealed record SettingDefinition(string Key, SettingType Type, string DefaultValue, string Group)
{
    /// <summary>Smallest allowed number (integer and duration settings).</summary>
    public int? Min { get; init; }

    /// <summary>Largest allowed number (integer and duration settings).</summary>
    public int? Max { get; init; }

    /// <summary>The allowed values of a choice setting.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>Longest allowed text (text settings).</summary>
    public int MaxLength { get; init; } = 500;

    /// <summary>An extra check after the type's own (runs only when the value has the right form).</summary>
    public SettingValidator? Validator { get; init; }

    /// <summary>Resource key of the description shown on the settings page (zh-CN and en in SharedResource).</summary>
    public string DescriptionKey { get; init; } = "Setting_" + Key.Replace('.', '_');

    /// <summary>Whether the type is a number with bounds (integer or minutes).</summary>
    public bool IsNumber => Type is SettingType.Integer or SettingType.DurationMinutes;
}

/// <summary>
/// Why a value was refused: <see cref="Message"/> is the API's English text for the field <c>value</c>; the settings page
/// shows the resource <c>SettingErr_{Code}</c> formatted with <see cref="Args"/> (or the message when it has none).
/// </summary>
public sealed record SettingError(string Code, string Message, IReadOnlyList<object> Args)
{
    public static SettingError Of(string code, string message, params object[] args) => new(code, message, args);
}

/// <summary>A time-of-day range; when <see cref="End"/> is before <see cref="Start"/> it runs over midnight.</summary>
public readonly partial record struct TimeRange(TimeOnly Start, TimeOnly End)
{
    public bool CrossesMidnight => End < Start;

    /// <summary>Whether a time of day falls in the range (start inclusive, end exclusive).</summary>
    public bool Contains(TimeOnly time) => CrossesMidnight ? time >= Start || time < End : time >= Start && time < End;

    public override string ToString() =>
        Start.ToString("HH:mm", CultureInfo.InvariantCulture) + "-" + End.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Reads <c>HH:mm-HH:mm</c> (an hour may have one digit; spaces around the dash are allowed); start and end differ.</summary>
    public static bool TryParse(string? text, out TimeRange range)
    {
        range = default;
        var m = text is null ? null : Pattern().Match(text);
        if (m is null || !m.Success)
        {
            return false;
        }
        int Part(int i) => int.Parse(m.Groups[i].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (Part(1) > 23 || Part(2) > 59 || Part(3) > 23 || Part(4) > 59)
        {
            return false;
        }
        var start = new TimeOnly(Part(1), Part(2));
        var end = new TimeOnly(Part(3), Part(4));
        if (start == end)
        {
            return false;
        }
        range = new TimeRange(start, end);
        return true;
    }

    [GeneratedRegex(@"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")]
    private static partial Regex Pattern();
}

/// <summary>The type rules every setting value passes before its own validator: parse, range-check, normalise.</summary>
public static class SettingValues
{
    /// <summary>The smallest number a number setting takes (durations are never negative).</summary>
    public static int MinOf(SettingDefinition definition) =>
        definition.Min ?? (definition.Type == SettingType.DurationMinutes ? 0 : int.MinValue);

    /// <summary>The largest number a number setting takes.</summary>
    public static int MaxOf(SettingDefinition definition) => definition.Max ?? int.MaxValue;

    /// <summary>
    /// Checks <paramref name="value"/> against the definition's type and bounds; on success <paramref name="normalized"/>
    /// is the text to store (trimmed; numbers and booleans in invariant form, ranges as <c>HH:mm-HH:mm</c>).
    /// </summary>
    public static SettingError? Check(SettingDefinition definition, string? value, out string normalized)
    {
        normalized = "";
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return SettingError.Of("required", "is required.");
        }
        switch (definition.Type)
        {
            case SettingType.Integer or SettingType.DurationMinutes:
                var (min, max) = (MinOf(definition), MaxOf(definition));
                if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
                {
                    return definition.Type == SettingType.Integer
                        ? SettingError.Of("integer", $"must be a whole number from {min} to {max}.", min, max)
                        : SettingError.Of("minutes", $"must be a whole number of minutes from {min} to {max}.", min, max);
                }
                normalized = number.ToString(CultureInfo.InvariantCulture);
                return null;
            case SettingType.Boolean:
                if (!bool.TryParse(text, out var flag))
                {
                    return SettingError.Of("boolean", "must be true or false.");
                }
                normalized = flag ? "true" : "false";
                return null;
            case SettingType.TimeRange:
                if (!TimeRange.TryParse(text, out var range))
                {
                    return SettingError.Of("time_range", "must be a time range HH:mm-HH:mm such as 22:00-08:00, with different start and end.");
                }
                normalized = range.ToString();
                return null;
            case SettingType.Choice:
                if (!definition.Choices.Contains(text, StringComparer.Ordinal))
                {
                    var choices = string.Join(", ", definition.Choices);
                    return SettingError.Of("choice", $"must be one of: {choices}.", choices);
                }
                normalized = text;
                return null;
            default:
                if (text.Length > definition.MaxLength)
                {
                    return SettingError.Of("too_long", $"must be at most {definition.MaxLength} characters.", definition.MaxLength);
                }
                normalized = text;
                return null;
        }
    }
}
