using CareLoop.Domain.Commerce;

namespace CareLoop.Server.Modules.Commerce;

public sealed record LotDto(
    string? ExternalId, string? Product, string? Supplier, string? BatchNumber, DateOnly? ProductionDate, DateOnly? ReceivedDate,
    int? Quantity, string? UpdatedAt, long? Version = null) : IExternalDto;

/// <summary>Upserts product lots (<c>PUT /api/v1/lots/{externalId}</c>).</summary>
public sealed class LotUpsert : UpsertKind<Lot, LotDto>
{
    public override string Name => "lots";
    public override string Label => "lot";

    public override void Validate(LotDto d, Fields f)
    {
        f.Text("product", d.Product, 100, required: true);
        f.Text("supplier", d.Supplier, 100);
        f.Text("batchNumber", d.BatchNumber, 100, required: true);
        f.Range("quantity", d.Quantity, 0, int.MaxValue - 1);
        if (d.ProductionDate is { } p && d.ReceivedDate is { } r && r < p)
        {
            f.Add("receivedDate", "must not be before productionDate.");
        }
    }

    public override void CollectRefs(LotDto d, RefCache refs)
    {
        refs.Want<Product>(d.Product);
        refs.Want<Supplier>(d.Supplier);
    }

    public override bool Apply(LotDto d, Lot l, bool isNew, UpsertContext ctx, Fields f)
    {
        l.ProductId = ctx.Refs.Resolve<Product>(f, "product", d.Product, "product")?.Id ?? Guid.Empty;
        l.SupplierId = ctx.Refs.Resolve<Supplier>(f, "supplier", d.Supplier, "supplier")?.Id;
        l.BatchNumber = d.BatchNumber!.Trim();
        l.ProductionDate = d.ProductionDate;
        l.ReceivedDate = d.ReceivedDate;
        l.Quantity = d.Quantity ?? 0;
        return false;
    }

    public override async Task<LotDto> ToDtoAsync(Lot l, RefCache refs, CancellationToken ct) => new(
        l.ExternalId, await refs.ExtAsync<Product>(l.ProductId, ct), await refs.ExtAsync<Supplier>(l.SupplierId, ct), l.BatchNumber,
        l.ProductionDate, l.ReceivedDate, l.Quantity, Instants.Format(l.SourceUpdatedAt), l.Version);
}
