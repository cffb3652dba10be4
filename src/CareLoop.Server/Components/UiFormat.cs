using System.Globalization;
using System.Text.Json;
using CareLoop.Domain.Common;

namespace CareLoop.Server.Components;

/// <summary>How the UI shows instants, money and enum values.</summary>
public static class UiFormat
{
    /// <summary>The viewer's time zone. Users have no zone of their own yet: everyone sees China Standard Time.</summary>
    public static readonly TimeZoneInfo ViewerZone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary><c>yyyy-MM-dd HH:mm</c> in the viewer's zone; empty for null.</summary>
    public static string Instant(DateTimeOffset? value) => value is { } v
        ? TimeZoneInfo.ConvertTime(v, ViewerZone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
        : "";

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c> in the viewer's zone.</summary>
    public static string InstantSeconds(DateTimeOffset value) =>
        TimeZoneInfo.ConvertTime(value, ViewerZone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Date(DateOnly? value) => value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    /// <summary><c>¥1,299.00</c> for CNY, <c>12.50 USD</c> for anything else.</summary>
    public static string Money(Money money) => money.Currency == CareLoop.Domain.Common.Money.DefaultCurrency
        ? "¥" + money.Amount.ToString("#,##0.00", CultureInfo.InvariantCulture)
        : money.Amount.ToString("#,##0.00", CultureInfo.InvariantCulture) + " " + money.Currency;

    /// <summary>Resource key of an enum value: prefix + the value in snake_case (<c>Ship_in_transit</c>), as the API spells it.</summary>
    public static string Key(string prefix, Enum value) => prefix + JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
