using CareLoop.Domain.Commerce;

namespace CareLoop.Server.Modules.Commerce;

public sealed record AddressDto(
    string? Label, string? Recipient, string? Phone, string? Province, string? City, string? District, string? Line, bool? IsDefault)
{
    public void Validate(Fields f)
    {
        f.Text("label", Label, 50);
        f.Text("recipient", Recipient, 100);
        f.Text("phone", Phone, 40);
        f.Text("province", Province, 50, required: true);
        f.Text("city", City, 50, required: true);
        f.Text("district", District, 50);
        f.Text("line", Line, 300);
    }

    public Address ToAddress() => new()
    {
        Label = Label, Recipient = Recipient, Phone = Phone, Province = Province!.Trim(), City = City!.Trim(),
        District = District, Line = Line, IsDefault = IsDefault ?? false,
    };

    public static AddressDto From(Address a) => new(a.Label, a.Recipient, a.Phone, a.Province, a.City, a.District, a.Line, a.IsDefault);
}

public sealed record CustomerDto(
    string? ExternalId, string? Name, string? Phone, string? Email, CustomerTier? Tier, RiskLevel? RiskLevel,
    string? PreferredLanguage, DateOnly? Birthday, bool? MarketingConsent, string? MarketingConsentAt,
    IReadOnlyList<AddressDto?>? Addresses, string? UpdatedAt, long? Version = null) : IExternalDto;

/// <summary>Upserts customers (<c>PUT /api/v1/customers/{externalId}</c>).</summary>
public sealed class CustomerUpsert : UpsertKind<Customer, CustomerDto>
{
    private static readonly string[] Languages = ["zh-CN", "en"];

    public override string Name => "customers";
    public override string Label => "customer";

    public override void Validate(CustomerDto d, Fields f)
    {
        f.Text("name", d.Name, 200, required: true);
        f.Text("phone", d.Phone, 40);
        f.Text("email", d.Email, 200);
        if (d.Email is { Length: > 0 } email && !email.Contains('@', StringComparison.Ordinal))
        {
            f.Add("email", "is not an e-mail address.");
        }
        if (d.PreferredLanguage is not null && !Languages.Contains(d.PreferredLanguage))
        {
            f.Add("preferredLanguage", "must be one of: " + string.Join(", ", Languages) + ".");
        }
        f.Instant("marketingConsentAt", d.MarketingConsentAt);
        if (d.Addresses is { Count: > 20 })
        {
            f.Add("addresses", "must hold at most 20 addresses.");
        }
        for (var i = 0; i < (d.Addresses?.Count ?? 0); i++)
        {
            if (d.Addresses![i] is { } a)
            {
                a.Validate(f.At($"addresses[{i}]"));
            }
            else
            {
                f.Add($"addresses[{i}]", "must be an object.");
            }
        }
    }

    public override bool Apply(CustomerDto d, Customer c, bool isNew, UpsertContext ctx, Fields f)
    {
        var name = d.Name!.Trim();
        var phone = string.IsNullOrWhiteSpace(d.Phone) ? null : d.Phone.Trim();
        if (isNew)
        {
            c.Name = name;
            c.Phone = phone;
        }
        else
        {
            c.ChangeContact(name, phone);
        }
        c.Email = string.IsNullOrWhiteSpace(d.Email) ? null : d.Email.Trim();
        c.Tier = d.Tier ?? CustomerTier.Regular;
        c.RiskLevel = d.RiskLevel ?? RiskLevel.Low;
        c.PreferredLanguage = d.PreferredLanguage ?? "zh-CN";
        c.Birthday = d.Birthday;
        c.MarketingConsent = d.MarketingConsent ?? false;
        c.MarketingConsentAt = Instants.TryParse(d.MarketingConsentAt, out var at) ? at : null;
        var addresses = (d.Addresses ?? []).Select(a => a!.ToAddress()).ToList();
        if (SameJson(addresses, c.Addresses))
        {
            return false;
        }
        c.Addresses = addresses;
        return true;
    }

    public override Task<CustomerDto> ToDtoAsync(Customer c, RefCache refs, CancellationToken ct) => Task.FromResult(new CustomerDto(
        c.ExternalId, c.Name, c.Phone, c.Email, c.Tier, c.RiskLevel, c.PreferredLanguage, c.Birthday, c.MarketingConsent,
        Instants.Format(c.MarketingConsentAt), c.Addresses.Select(AddressDto.From).ToList(), Instants.Format(c.SourceUpdatedAt), c.Version));
}
