using System.Globalization;

namespace CareLoop.Domain.Common;

/// <summary>An amount of money with its ISO-4217 currency. Amounts carry at most two decimals (fen).</summary>
public readonly record struct Money(decimal Amount, string Currency)
{
    public const string DefaultCurrency = "CNY";

    public static Money Cny(decimal amount) => new(amount, DefaultCurrency);

    public static Money Zero(string currency = DefaultCurrency) => new(0m, currency);

    public long ToFen() => decimal.ToInt64(decimal.Round(Amount * 100m, 0, MidpointRounding.AwayFromZero));

    public static Money FromFen(long fen, string currency = DefaultCurrency) => new(fen / 100m, currency);

    public Money Add(Money other)
    {
        if (other.Currency != Currency)
        {
            throw new InvalidOperationException($"Cannot add {other.Currency} to {Currency}.");
        }
        return this with { Amount = Amount + other.Amount };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Amount:0.00} {Currency}");
}
