using System.Globalization;
using System.Text.RegularExpressions;
using CareLoop.Domain.Common;
using CareLoop.Server.Platform.Api;

namespace CareLoop.Server.Modules.Commerce;

/// <summary>Validation helpers bound to a field-path prefix such as <c>items[3].</c> or <c>lines[0].</c>.</summary>
public readonly struct Fields(ValidationErrors errors, string prefix)
{
    public ValidationErrors Errors => errors;

    public string Prefix => prefix;

    public Fields At(string child) => new(errors, prefix + child + ".");

    public void Add(string field, string message) => errors.Add(prefix + field, message);

    /// <summary>Checks an optional or required text field's presence and length.</summary>
    public void Text(string field, string? value, int max, bool required = false)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required.");
        }
        else if (value is not null && value.Length > max)
        {
            Add(field, $"must be at most {max} characters.");
        }
    }

    public void Required<T>(string field, T? value) where T : struct
    {
        if (value is null)
        {
            Add(field, "is required.");
        }
    }

    public void NotNegative(string field, Money? value)
    {
        if (value is { Amount: < 0 })
        {
            Add(field, "must not be negative.");
        }
    }

    public void Range(string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(field, min == 1 && max == int.MaxValue ? "must be at least 1." : $"must be between {min} and {max}.");
        }
    }

    /// <summary>Parses an optional ISO-8601 instant that must carry an offset; returns it in UTC.</summary>
    public DateTime? Instant(string field, string? text)
    {
        if (text is null)
        {
            return null;
        }
        if (Instants.TryParse(text, out var value))
        {
            return value;
        }
        Add(field, "must be an ISO-8601 instant with an offset, e.g. 2026-05-06T09:00:00+08:00.");
        return null;
    }
}

/// <summary>Instants on the wire: ISO-8601 with an offset; stored as UTC truncated to microseconds (PostgreSQL's precision).</summary>
public static partial class Instants
{
    [GeneratedRegex(@"(Z|[+-]\d{2}:?\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex OffsetSuffix();

    public static bool TryParse(string? text, out DateTime utc)
    {
        utc = default;
        var t = text?.Trim() ?? "";
        if (!OffsetSuffix().IsMatch(t) || !t.Contains('T', StringComparison.OrdinalIgnoreCase) ||
            !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return false;
        }
        var ticks = value.UtcTicks;
        utc = new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
        return true;
    }

    public static string? Format(DateTime? utc) =>
        utc is { } v ? v.AsUtcOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture) : null;
}
