using CareLoop.Domain.Common;

namespace CareLoop.Domain.Commerce;

/// <summary>A seller on the marketplace.</summary>
public sealed class Merchant : ExternalEntity
{
    public string Name { get; set; } = "";
    public string? NameEn { get; set; }
    public string? ContactEmail { get; set; }
    public string? ContactPhone { get; set; }

    /// <summary>Code of the business calendar its response deadlines use; null = platform default.</summary>
    public string? CalendarCode { get; set; }

    public decimal DepositBalance { get; set; }
    public string Currency { get; set; } = Money.DefaultCurrency;

    /// <summary>After-sales setting: approve low-risk returns without a person.</summary>
    public bool AutoApproveLowRiskReturns { get; set; }
}

/// <summary>A maker or wholesaler whose goods merchants sell.</summary>
public sealed class Supplier : ExternalEntity
{
    public string Name { get; set; } = "";
    public string? NameEn { get; set; }
    public SupplierStatus Status { get; set; } = SupplierStatus.Applicant;
    public string? ContactEmail { get; set; }
    public string? ContactPhone { get; set; }
    public List<SupplierCertificate> Certificates { get; set; } = [];
    public string? QualityAgreementNumber { get; set; }
    public DateOnly? QualityAgreementSignedOn { get; set; }
    public DateOnly? QualityAgreementExpiresOn { get; set; }
}

public sealed class SupplierCertificate
{
    public string Name { get; set; } = "";
    public string? Number { get; set; }
    public DateOnly? ExpiresOn { get; set; }
}

/// <summary>A product category; categories form a tree.</summary>
public sealed class Category : ExternalEntity
{
    public string Name { get; set; } = "";
    public string? NameEn { get; set; }
    public Guid? ParentId { get; set; }

    /// <summary>Ids from the root down to this category, '/'-separated: subtree queries are a prefix match.</summary>
    public string Path { get; set; } = "";
}
