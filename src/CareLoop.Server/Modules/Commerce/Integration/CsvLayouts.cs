using System.Globalization;
using System.Text.Json.Nodes;

namespace CareLoop.Server.Modules.Commerce;

public enum CsvType { Text, Whole, Bool, Money }

/// <summary>
/// A CSV column: the JSON path it fills in the record's integration payload (<c>lines[].product</c> for a column of
/// a per-line row), its type, and for money the column holding the currency. A null path marks a helper column.
/// </summary>
public sealed record CsvColumn(string Name, string? Path, CsvType Type = CsvType.Text, string? CurrencyColumn = null);

/// <summary>The CSV columns of each kind (documented in docs/import.md). Rows become the same JSON the bulk API takes.</summary>
public static class CsvLayouts
{
    private static CsvColumn C(string name, CsvType type = CsvType.Text) => new(name, name, type);
    private static CsvColumn Money(string name, string path) => new(name, path, CsvType.Money, "currency");
    private static readonly CsvColumn Currency = new("currency", null);
    private static readonly CsvColumn UpdatedAt = C("updatedAt");

    public static IReadOnlyDictionary<string, IReadOnlyList<CsvColumn>> ByKind { get; } = new Dictionary<string, IReadOnlyList<CsvColumn>>
    {
        ["merchants"] = [C("externalId"), C("name"), C("nameEn"), C("contactEmail"), C("contactPhone"), C("calendarCode"),
            Money("depositBalance", "depositBalance"), Currency, C("autoApproveLowRiskReturns", CsvType.Bool), UpdatedAt],
        ["suppliers"] = [C("externalId"), C("name"), C("nameEn"), C("status"), C("contactEmail"), C("contactPhone"),
            C("qualityAgreementNumber"), C("qualityAgreementSignedOn"), C("qualityAgreementExpiresOn"), UpdatedAt],
        ["categories"] = [C("externalId"), C("name"), C("nameEn"), C("parent"), UpdatedAt],
        ["products"] = [C("externalId"), C("merchant"), C("supplier"), C("category"), C("name"), C("nameEn"), C("sku"),
            Money("price", "price"), Currency, C("status"), C("delistReason"), C("noReasonReturnExcludable", CsvType.Bool),
            C("warrantyMonths", CsvType.Whole), UpdatedAt],
        ["lots"] = [C("externalId"), C("product"), C("supplier"), C("batchNumber"), C("productionDate"), C("receivedDate"),
            C("quantity", CsvType.Whole), UpdatedAt],
        ["customers"] = [C("externalId"), C("name"), C("phone"), C("email"), C("tier"), C("riskLevel"), C("preferredLanguage"),
            C("birthday"), C("marketingConsent", CsvType.Bool), C("marketingConsentAt"),
            new("province", "addresses[0].province"), new("city", "addresses[0].city"), new("district", "addresses[0].district"),
            new("addressLine", "addresses[0].line"), UpdatedAt],
        ["orders"] = [C("externalId"), C("merchant"), C("customer"), C("status"), C("placedAt"), C("paidAt"), C("paymentMethod"),
            Currency, Money("shippingFee", "shippingFee"), C("returnShippingInsurance", CsvType.Bool),
            new("recipient", "deliveryAddress.recipient"), new("recipientPhone", "deliveryAddress.phone"),
            new("province", "deliveryAddress.province"), new("city", "deliveryAddress.city"), new("district", "deliveryAddress.district"),
            new("addressLine", "deliveryAddress.line"),
            new("lineExternalId", "lines[].externalId"), new("product", "lines[].product"), new("lot", "lines[].lot"),
            new("quantity", "lines[].quantity", CsvType.Whole), Money("unitPrice", "lines[].unitPrice"),
            new("exclusionConfirmed", "lines[].exclusionConfirmed", CsvType.Bool), UpdatedAt],
        ["shipments"] = [C("externalId"), C("order"), C("carrier"), C("trackingNumber"), C("originProvince"), C("destinationProvince"),
            C("shippedAt"), C("promisedDeliveryDate"), C("deliveredAt"), C("status"),
            new("orderLine", "lines[].orderLine"), new("lineQuantity", "lines[].quantity", CsvType.Whole), UpdatedAt],
        ["tracking-events"] = [C("carrier"), C("trackingNumber"), C("carrierEventId"), C("occurredAt"), C("status"), C("place"),
            C("carrierCode"), C("carrierText")],
    };

    /// <summary>Turns one row into its record (and its line, for kinds with one row per line); adds errors naming the column.</summary>
    public static (JsonObject Record, JsonObject? Line) ToJson(IReadOnlyList<CsvColumn> columns, IReadOnlyDictionary<string, string> row, List<string> errors)
    {
        var record = new JsonObject();
        JsonObject? line = null;
        foreach (var column in columns)
        {
            if (column.Path is null || !row.TryGetValue(column.Name, out var text) || text.Length == 0)
            {
                continue;
            }
            JsonNode? value;
            switch (column.Type)
            {
                case CsvType.Whole when int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i):
                    value = JsonValue.Create(i);
                    break;
                case CsvType.Whole:
                    errors.Add($"{column.Name}: must be a whole number.");
                    continue;
                case CsvType.Bool:
                    bool? b = text.ToUpperInvariant() switch { "TRUE" or "1" or "YES" => true, "FALSE" or "0" or "NO" => false, _ => null };
                    if (b is null)
                    {
                        errors.Add($"{column.Name}: must be true or false.");
                        continue;
                    }
                    value = JsonValue.Create(b.Value);
                    break;
                case CsvType.Money:
                    var currency = column.CurrencyColumn is { } cc && row.TryGetValue(cc, out var cur) && cur.Length > 0 ? cur : "CNY";
                    value = new JsonObject { ["amount"] = text, ["currency"] = currency };
                    break;
                default:
                    value = JsonValue.Create(text);
                    break;
            }
            if (column.Path.StartsWith("lines[].", StringComparison.Ordinal))
            {
                line ??= new JsonObject();
                Set(line, column.Path["lines[].".Length..], value);
            }
            else
            {
                Set(record, column.Path, value);
            }
        }
        return (record, line);
    }

    private static void Set(JsonObject target, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        JsonObject current = target;
        foreach (var part in parts[..^1])
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket < 0)
            {
                current = current[part] as JsonObject ?? (JsonObject)(current[part] = new JsonObject());
                continue;
            }
            // name[0]: the first element of an array.
            var name = part[..bracket];
            var array = current[name] as JsonArray ?? (JsonArray)(current[name] = new JsonArray());
            if (array.Count == 0)
            {
                array.Add(new JsonObject());
            }
            current = (JsonObject)array[0]!;
        }
        current[parts[^1]] = value;
    }
}
