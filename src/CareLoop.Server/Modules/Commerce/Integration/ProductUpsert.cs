using CareLoop.Domain.Commerce;
using CareLoop.Domain.Common;

namespace CareLoop.Server.Modules.Commerce;

public sealed record ProductDto(
    string? ExternalId, string? Merchant, string? Supplier, string? Category, string? Name, string? NameEn, string? Sku,
    Money? Price, ProductStatus? Status, string? DelistReason, bool? NoReasonReturnExcludable, int? WarrantyMonths,
    Dictionary<string, string>? Attributes, string? UpdatedAt, long? Version = null) : IExternalDto;

/// <summary>Upserts products (<c>PUT /api/v1/products/{externalId}</c>); merchant, supplier and category are external ids.</summary>
public sealed class ProductUpsert : UpsertKind<Product, ProductDto>
{
    public override string Name => "products";
    public override string Label => "product";

    public override void Validate(ProductDto d, Fields f)
    {
        f.Text("merchant", d.Merchant, 100, required: true);
        f.Text("supplier", d.Supplier, 100);
        f.Text("category", d.Category, 100);
        f.Text("name", d.Name, 300, required: true);
        f.Text("nameEn", d.NameEn, 300);
        f.Text("sku", d.Sku, 100);
        f.Required("price", d.Price);
        f.NotNegative("price", d.Price);
        f.Text("delistReason", d.DelistReason, 500);
        f.Range("warrantyMonths", d.WarrantyMonths, 0, 600);
        if (d.Attributes is { } attrs)
        {
            if (attrs.Count > 50)
            {
                f.Add("attributes", "must hold at most 50 attributes.");
            }
            foreach (var (k, v) in attrs)
            {
                if (k.Length is 0 or > 50 || v is null || v.Length > 200)
                {
                    f.Add($"attributes.{k}", "names must be 1-50 characters and values at most 200 characters.");
                }
            }
        }
    }

    public override void CollectRefs(ProductDto d, RefCache refs)
    {
        refs.Want<Merchant>(d.Merchant);
        refs.Want<Supplier>(d.Supplier);
        refs.Want<Category>(d.Category);
    }

    public override bool Apply(ProductDto d, Product p, bool isNew, UpsertContext ctx, Fields f)
    {
        var merchant = ctx.Refs.Resolve<Merchant>(f, "merchant", d.Merchant, "merchant");
        var supplier = ctx.Refs.Resolve<Supplier>(f, "supplier", d.Supplier, "supplier");
        var category = ctx.Refs.Resolve<Category>(f, "category", d.Category, "category");
        p.MerchantId = merchant?.Id ?? Guid.Empty;
        p.SupplierId = supplier?.Id;
        p.CategoryId = category?.Id;
        p.Name = d.Name!.Trim();
        p.NameEn = d.NameEn;
        p.Sku = d.Sku;
        p.Price = d.Price!.Value.Amount;
        p.Currency = d.Price.Value.Currency;
        p.Status = d.Status ?? ProductStatus.OnSale;
        p.DelistReason = d.DelistReason;
        p.NoReasonReturnExcludable = d.NoReasonReturnExcludable ?? false;
        p.WarrantyMonths = d.WarrantyMonths;
        var attributes = d.Attributes ?? [];
        if (!SameJson(attributes, p.Attributes))
        {
            p.Attributes = new Dictionary<string, string>(attributes);
        }
        return false;
    }

    public override async Task<ProductDto> ToDtoAsync(Product p, RefCache refs, CancellationToken ct) => new(
        p.ExternalId, await refs.ExtAsync<Merchant>(p.MerchantId, ct), await refs.ExtAsync<Supplier>(p.SupplierId, ct),
        await refs.ExtAsync<Category>(p.CategoryId, ct), p.Name, p.NameEn, p.Sku, new Money(p.Price, p.Currency), p.Status,
        p.DelistReason, p.NoReasonReturnExcludable, p.WarrantyMonths, p.Attributes, Instants.Format(p.SourceUpdatedAt), p.Version);
}
