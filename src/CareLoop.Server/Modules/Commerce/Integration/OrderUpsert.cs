using CareLoop.Domain.Commerce;
using CareLoop.Domain.Common;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Commerce;

public sealed record OrderLineDto(string? ExternalId, string? Product, string? Lot, int? Quantity, Money? UnitPrice, bool? ExclusionConfirmed);

public sealed record OrderDto(
    string? ExternalId, string? Merchant, string? Customer, OrderStatus? Status, string? PlacedAt, string? PaidAt,
    PaymentMethod? PaymentMethod, Money? ShippingFee, bool? ReturnShippingInsurance, AddressDto? DeliveryAddress,
    IReadOnlyList<OrderLineDto?>? Lines, Money? TotalPaid, string? UpdatedAt, long? Version = null) : IExternalDto;

/// <summary>
/// Upserts orders with their lines (<c>PUT /api/v1/orders/{number}</c>): the payload's lines replace the order's;
/// line external ids are unique across the platform; the total paid is computed.
/// </summary>
public sealed class OrderUpsert : UpsertKind<Order, OrderDto>
{
    public const int MaxLines = 500;

    public override string Name => "orders";
    public override string Label => "order";

    /// <summary>Which order (external id) owns each line external id, for this batch.</summary>
    private sealed class LineOwners : Dictionary<string, string>
    {
        public LineOwners() : base(StringComparer.Ordinal)
        {
        }
    }

    public override IQueryable<Order> Existing(CareLoopDbContext db) => db.Orders.Include(o => o.Lines);

    public override void Validate(OrderDto d, Fields f)
    {
        f.Text("merchant", d.Merchant, 100, required: true);
        f.Text("customer", d.Customer, 100, required: true);
        f.Instant("placedAt", d.PlacedAt);
        f.Instant("paidAt", d.PaidAt);
        f.NotNegative("shippingFee", d.ShippingFee);
        d.DeliveryAddress?.Validate(f.At("deliveryAddress"));
        if (d.Lines is null || d.Lines.Count == 0)
        {
            f.Add("lines", "must hold at least one line.");
            return;
        }
        if (d.Lines.Count > MaxLines)
        {
            f.Add("lines", $"must hold at most {MaxLines} lines.");
        }
        var currency = d.ShippingFee?.Currency ?? d.Lines.FirstOrDefault(l => l?.UnitPrice is not null)?.UnitPrice?.Currency;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < d.Lines.Count; i++)
        {
            var lf = f.At($"lines[{i}]");
            if (d.Lines[i] is not { } l)
            {
                f.Add($"lines[{i}]", "must be an object.");
                continue;
            }
            lf.Text("externalId", l.ExternalId, 100, required: true);
            if (l.ExternalId is not null && !ids.Add(l.ExternalId))
            {
                lf.Add("externalId", $"'{l.ExternalId}' appears more than once in the order.");
            }
            lf.Text("product", l.Product, 100, required: true);
            lf.Text("lot", l.Lot, 100);
            lf.Required("quantity", l.Quantity);
            lf.Range("quantity", l.Quantity, 1, 100_000);
            lf.Required("unitPrice", l.UnitPrice);
            lf.NotNegative("unitPrice", l.UnitPrice);
            if (l.UnitPrice is { } price && currency is not null && price.Currency != currency)
            {
                lf.Add("unitPrice", $"currency {price.Currency} differs from the order's currency {currency}.");
            }
        }
    }

    public override void CollectRefs(OrderDto d, RefCache refs)
    {
        refs.Want<Merchant>(d.Merchant);
        refs.Want<Customer>(d.Customer);
        foreach (var l in (d.Lines ?? []).OfType<OrderLineDto>())
        {
            refs.Want<Product>(l.Product);
            refs.Want<Lot>(l.Lot);
        }
    }

    /// <summary>Finds which orders already own the batch's line external ids.</summary>
    public override async Task PrefetchAsync(IReadOnlyList<(string ExternalId, OrderDto Dto)> items, UpsertContext ctx, CancellationToken ct)
    {
        var owners = ctx.State<LineOwners>();
        var lineIds = items.SelectMany(i => i.Dto.Lines!).Select(l => l!.ExternalId!).Distinct().ToList();
        foreach (var chunk in lineIds.Chunk(RefCache.ChunkSize))
        {
            var list = chunk.ToList();
            var rows = await (from l in ctx.Db.OrderLines
                              join o in ctx.Db.Orders.IgnoreQueryFilters() on l.OrderId equals o.Id
                              where list.Contains(l.ExternalId)
                              select new { l.ExternalId, Order = o.ExternalId }).ToListAsync(ct);
            foreach (var r in rows)
            {
                owners[r.ExternalId] = r.Order;
            }
        }
    }

    public override bool Apply(OrderDto d, Order o, bool isNew, UpsertContext ctx, Fields f)
    {
        var refs = ctx.Refs;
        var owners = ctx.State<LineOwners>();
        o.MerchantId = refs.Resolve<Merchant>(f, "merchant", d.Merchant, "merchant")?.Id ?? Guid.Empty;
        o.CustomerId = refs.Resolve<Customer>(f, "customer", d.Customer, "customer")?.Id ?? Guid.Empty;
        if (isNew)
        {
            o.MarkReceived();
        }
        o.Status = d.Status ?? OrderStatus.Paid;
        o.PlacedAt = Instants.TryParse(d.PlacedAt, out var placed) ? placed : null;
        o.PaidAt = Instants.TryParse(d.PaidAt, out var paid) ? paid : null;
        o.PaymentMethod = d.PaymentMethod ?? PaymentMethod.Alipay;
        o.Currency = d.ShippingFee?.Currency ?? d.Lines![0]!.UnitPrice!.Value.Currency;
        o.ShippingFee = d.ShippingFee?.Amount ?? 0m;
        o.ReturnShippingInsurance = d.ReturnShippingInsurance ?? false;
        var address = d.DeliveryAddress?.ToAddress() ?? new Address();
        if (!SameJson(address, o.DeliveryAddress))
        {
            o.DeliveryAddress = address;
        }

        var changed = false;
        var byId = o.Lines.ToDictionary(l => l.ExternalId, StringComparer.Ordinal);
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var total = o.ShippingFee;
        for (var i = 0; i < d.Lines!.Count; i++)
        {
            var dl = d.Lines[i]!;
            var lf = f.At($"lines[{i}]");
            var lineId = dl.ExternalId!;
            if (owners.TryGetValue(lineId, out var owner) && owner != o.ExternalId)
            {
                lf.Add("externalId", ctx.Db.ScopeMerchantId is null
                    ? $"line '{lineId}' already belongs to order '{owner}'."
                    : $"line '{lineId}' is already used by another order.");
            }
            owners[lineId] = o.ExternalId;
            var product = refs.Resolve<Product>(lf, "product", dl.Product, "product");
            var lot = refs.Resolve<Lot>(lf, "lot", dl.Lot, "lot");
            if (product is not null && product.MerchantId != o.MerchantId && o.MerchantId != Guid.Empty)
            {
                lf.Add("product", $"product '{dl.Product}' belongs to another merchant.");
            }
            if (lot is not null && product is not null && lot.ProductId != product.Id)
            {
                lf.Add("lot", $"lot '{dl.Lot}' is not a lot of product '{dl.Product}'.");
            }
            if (!byId.TryGetValue(lineId, out var line))
            {
                line = new OrderLine { ExternalId = lineId, OrderId = o.Id };
                o.Lines.Add(line);
                changed = true;
            }
            keep.Add(lineId);
            var productId = product?.Id ?? Guid.Empty;
            var unitPrice = dl.UnitPrice!.Value.Amount;
            changed |= line.ProductId != productId || line.LotId != lot?.Id || line.Quantity != dl.Quantity!.Value ||
                       line.UnitPrice != unitPrice || line.ExclusionConfirmed != (dl.ExclusionConfirmed ?? false);
            line.ProductId = productId;
            line.LotId = lot?.Id;
            line.Quantity = dl.Quantity!.Value;
            line.UnitPrice = unitPrice;
            line.ExclusionConfirmed = dl.ExclusionConfirmed ?? false;
            total += unitPrice * line.Quantity;
        }
        foreach (var gone in o.Lines.Where(l => !keep.Contains(l.ExternalId)).ToList())
        {
            o.Lines.Remove(gone);
            ctx.Db.Remove(gone);
            changed = true;
        }
        o.TotalPaid = total;
        return changed;
    }

    public override async Task<OrderDto> ToDtoAsync(Order o, RefCache refs, CancellationToken ct)
    {
        var lines = new List<OrderLineDto?>();
        foreach (var l in o.Lines.OrderBy(l => l.ExternalId, StringComparer.Ordinal))
        {
            lines.Add(new OrderLineDto(l.ExternalId, await refs.ExtAsync<Product>(l.ProductId, ct), await refs.ExtAsync<Lot>(l.LotId, ct),
                l.Quantity, new Money(l.UnitPrice, o.Currency), l.ExclusionConfirmed));
        }
        return new OrderDto(
            o.ExternalId, await refs.ExtAsync<Merchant>(o.MerchantId, ct), await refs.ExtAsync<Customer>(o.CustomerId, ct), o.Status,
            Instants.Format(o.PlacedAt), Instants.Format(o.PaidAt), o.PaymentMethod, new Money(o.ShippingFee, o.Currency),
            o.ReturnShippingInsurance, AddressDto.From(o.DeliveryAddress), lines, new Money(o.TotalPaid, o.Currency),
            Instants.Format(o.SourceUpdatedAt), o.Version);
    }
}
