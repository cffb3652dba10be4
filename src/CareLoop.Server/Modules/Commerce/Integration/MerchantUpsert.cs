using CareLoop.Domain.Commerce;
using CareLoop.Domain.Common;

namespace CareLoop.Server.Modules.Commerce;

public sealed record MerchantDto(
    string? ExternalId, string? Name, string? NameEn, string? ContactEmail, string? ContactPhone, string? CalendarCode,
    Money? DepositBalance, bool? AutoApproveLowRiskReturns, string? UpdatedAt, long? Version = null) : IExternalDto;

/// <summary>Upserts merchants (<c>PUT /api/v1/merchants/{externalId}</c>).</summary>
public sealed class MerchantUpsert : UpsertKind<Merchant, MerchantDto>
{
    public override string Name => "merchants";
    public override string Label => "merchant";

    public override void Validate(MerchantDto d, Fields f)
    {
        f.Text("name", d.Name, 200, required: true);
        f.Text("nameEn", d.NameEn, 200);
        f.Text("contactEmail", d.ContactEmail, 200);
        f.Text("contactPhone", d.ContactPhone, 40);
        f.Text("calendarCode", d.CalendarCode, 50);
        f.NotNegative("depositBalance", d.DepositBalance);
    }

    public override bool Apply(MerchantDto d, Merchant m, bool isNew, UpsertContext ctx, Fields f)
    {
        m.Name = d.Name!.Trim();
        m.NameEn = d.NameEn;
        m.ContactEmail = d.ContactEmail;
        m.ContactPhone = d.ContactPhone;
        m.CalendarCode = d.CalendarCode;
        m.DepositBalance = d.DepositBalance?.Amount ?? 0m;
        m.Currency = d.DepositBalance?.Currency ?? Money.DefaultCurrency;
        m.AutoApproveLowRiskReturns = d.AutoApproveLowRiskReturns ?? false;
        return false;
    }

    public override Task<MerchantDto> ToDtoAsync(Merchant m, RefCache refs, CancellationToken ct) => Task.FromResult(new MerchantDto(
        m.ExternalId, m.Name, m.NameEn, m.ContactEmail, m.ContactPhone, m.CalendarCode, new Money(m.DepositBalance, m.Currency),
        m.AutoApproveLowRiskReturns, Instants.Format(m.SourceUpdatedAt), m.Version));
}
