using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CareLoop.Domain.Common;

namespace CareLoop.Server.Platform.Api;

/// <summary>The API's JSON conventions: camelCase names, snake_case enum strings, money as decimal strings.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.DictionaryKeyPolicy = null;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.Converters.Add(new MoneyJsonConverter());
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        o.AllowTrailingCommas = false;
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Parses an enum from its wire name (snake_case, e.g. <c>on_hold</c>) as query strings carry it.</summary>
    public static bool TryParseEnum<T>(string? text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(JsonNamingPolicy.SnakeCaseLower.ConvertName(candidate.ToString()), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(o);
        return o;
    }
}

/// <summary>Money on the wire: <c>{ "amount": "129.00", "currency": "CNY" }</c>; the amount may also be sent as a number.</summary>
public sealed class MoneyJsonConverter : JsonConverter<Money>
{
    public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Money must be an object { amount, currency }.");
        }
        decimal? amount = null;
        string currency = Money.DefaultCurrency;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (string.Equals(name, "amount", StringComparison.OrdinalIgnoreCase))
            {
                amount = reader.TokenType switch
                {
                    JsonTokenType.Number => reader.GetDecimal(),
                    JsonTokenType.String when decimal.TryParse(reader.GetString(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d) => d,
                    _ => throw new JsonException("amount must be a decimal string such as \"129.00\"."),
                };
            }
            else if (string.Equals(name, "currency", StringComparison.OrdinalIgnoreCase))
            {
                currency = reader.GetString() ?? "";
                if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
                {
                    throw new JsonException("currency must be a three-letter ISO 4217 code such as CNY.");
                }
            }
            else
            {
                reader.Skip();
            }
        }
        if (amount is null)
        {
            throw new JsonException("amount is required.");
        }
        if (decimal.Round(amount.Value, 2) != amount.Value)
        {
            throw new JsonException("amount has more than two decimals.");
        }
        return new Money(amount.Value, currency);
    }

    public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("amount", value.Amount.ToString("0.00", CultureInfo.InvariantCulture));
        writer.WriteString("currency", value.Currency);
        writer.WriteEndObject();
    }
}
