using CareLoop.Domain.Common;

namespace CareLoop.Domain.Commerce;

public sealed class Product : ExternalEntity
{
    public Guid MerchantId { get; set; }
    public Guid? SupplierId { get; set; }
    public Guid? CategoryId { get; set; }
    public string Name { get; set; } = "";
    public string? NameEn { get; set; }
    public string? Sku { get; set; }

    /// <summary>Current selling price (price protection compares against it).</summary>
    public decimal Price { get; set; }
    public string Currency { get; set; } = Money.DefaultCurrency;

    public ProductStatus Status { get; set; } = ProductStatus.OnSale;
    public string? DelistReason { get; set; }

    /// <summary>Excluded from no-reason returns when the buyer confirmed it at purchase (PRC 7-day rules, Art. 7).</summary>
    public bool NoReasonReturnExcludable { get; set; }

    public int? WarrantyMonths { get; set; }

    /// <summary>Free attributes such as size and colour.</summary>
    public Dictionary<string, string> Attributes { get; set; } = [];
}

/// <summary>A production batch of a product from a supplier.</summary>
public sealed class Lot : ExternalEntity
{
    public Guid ProductId { get; set; }
    public Guid? SupplierId { get; set; }
    public string BatchNumber { get; set; } = "";
    public DateOnly? ProductionDate { get; set; }
    public DateOnly? ReceivedDate { get; set; }
    public int Quantity { get; set; }
}

public sealed class Customer : ExternalEntity
{
    public string Name { get; set; } = "";
    public string? Phone { get; set; }

    /// <summary>Changes a known customer's name and phone; a change raises <see cref="CustomerContactChanged"/> (their tickets are searched by both).</summary>
    public void ChangeContact(string name, string? phone)
    {
        if (name == Name && phone == Phone)
        {
            return;
        }
        Name = name;
        Phone = phone;
        Raise(new CustomerContactChanged(Id));
    }

    public string? Email { get; set; }
    public CustomerTier Tier { get; set; } = CustomerTier.Regular;

    /// <summary>Risk level used to decide instant refunds.</summary>
    public RiskLevel RiskLevel { get; set; } = RiskLevel.Low;

    public string PreferredLanguage { get; set; } = "zh-CN";
    public DateOnly? Birthday { get; set; }
    public bool MarketingConsent { get; set; }
    public DateTime? MarketingConsentAt { get; set; }
    public List<Address> Addresses { get; set; } = [];
}

public sealed record CustomerContactChanged(Guid CustomerId) : IDomainEvent;
