using CareLoop.Domain.Commerce;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Commerce;

public sealed record ShipmentLineDto(string? OrderLine, int? Quantity);

public sealed record ShipmentDto(
    string? ExternalId, string? Order, string? Carrier, string? TrackingNumber, string? OriginProvince, string? DestinationProvince,
    string? ShippedAt, DateOnly? PromisedDeliveryDate, string? DeliveredAt, ShipmentStatus? Status,
    IReadOnlyList<ShipmentLineDto?>? Lines, string? UpdatedAt, long? Version = null) : IExternalDto;

/// <summary>
/// Upserts shipments (<c>PUT /api/v1/shipments/{externalId}</c>). Tracking numbers are unique per carrier; a new
/// shipment picks up the tracking events that arrived before it and takes its status from them.
/// </summary>
public sealed class ShipmentUpsert : UpsertKind<Shipment, ShipmentDto>
{
    public override string Name => "shipments";
    public override string Label => "shipment";

    /// <summary>Which shipment (external id) holds each carrier + tracking number, for this batch.</summary>
    private sealed class TrackingOwners : Dictionary<(string, string), string>;

    public override void Validate(ShipmentDto d, Fields f)
    {
        f.Text("order", d.Order, 100, required: true);
        f.Text("carrier", d.Carrier, 40, required: true);
        f.Text("trackingNumber", d.TrackingNumber, 60, required: true);
        f.Text("originProvince", d.OriginProvince, 50);
        f.Text("destinationProvince", d.DestinationProvince, 50);
        var shipped = f.Instant("shippedAt", d.ShippedAt);
        var delivered = f.Instant("deliveredAt", d.DeliveredAt);
        if (shipped is not null && delivered is not null && delivered < shipped)
        {
            f.Add("deliveredAt", "must not be before shippedAt.");
        }
        for (var i = 0; i < (d.Lines?.Count ?? 0); i++)
        {
            var lf = f.At($"lines[{i}]");
            if (d.Lines![i] is not { } l)
            {
                f.Add($"lines[{i}]", "must be an object.");
                continue;
            }
            lf.Text("orderLine", l.OrderLine, 100, required: true);
            lf.Required("quantity", l.Quantity);
            lf.Range("quantity", l.Quantity, 1, 100_000);
        }
    }

    public override void CollectRefs(ShipmentDto d, RefCache refs) => refs.Want<Order>(d.Order);

    public override async Task PrefetchAsync(IReadOnlyList<(string ExternalId, ShipmentDto Dto)> items, UpsertContext ctx, CancellationToken ct)
    {
        var owners = ctx.State<TrackingOwners>();
        var numbers = items.Select(i => i.Dto.TrackingNumber!.Trim()).Distinct().ToList();
        foreach (var chunk in numbers.Chunk(RefCache.ChunkSize))
        {
            var list = chunk.ToList();
            var rows = await ctx.Db.Shipments.IgnoreQueryFilters().Where(s => list.Contains(s.TrackingNumber))
                .Select(s => new { s.Carrier, s.TrackingNumber, s.ExternalId }).ToListAsync(ct);
            foreach (var r in rows)
            {
                owners[(r.Carrier, r.TrackingNumber)] = r.ExternalId;
            }
        }
    }

    public override bool Apply(ShipmentDto d, Shipment s, bool isNew, UpsertContext ctx, Fields f)
    {
        var order = ctx.Refs.Resolve<Order>(f, "order", d.Order, "order");
        s.OrderId = order?.Id ?? Guid.Empty;
        s.MerchantId = order?.MerchantId ?? Guid.Empty;
        s.CustomerId = order?.CustomerId ?? Guid.Empty;
        var key = (d.Carrier!.Trim(), d.TrackingNumber!.Trim());
        var owners = ctx.State<TrackingOwners>();
        if (owners.TryGetValue(key, out var owner) && owner != s.ExternalId)
        {
            f.Add("trackingNumber", ctx.Db.ScopeMerchantId is null
                ? $"carrier {key.Item1} tracking number {key.Item2} already belongs to shipment '{owner}'."
                : $"carrier {key.Item1} tracking number {key.Item2} is already used by another shipment.");
        }
        owners[key] = s.ExternalId;
        (s.Carrier, s.TrackingNumber) = key;
        s.OriginProvince = d.OriginProvince;
        s.DestinationProvince = d.DestinationProvince;
        s.ShippedAt = Instants.TryParse(d.ShippedAt, out var shipped) ? shipped : null;
        s.PromisedDeliveryDate = d.PromisedDeliveryDate;
        if (d.DeliveredAt is not null)
        {
            s.DeliveredAt = Instants.TryParse(d.DeliveredAt, out var delivered) ? delivered : null;
        }
        s.Status = d.Status ?? (isNew ? (s.DeliveredAt is null ? ShipmentStatus.Created : ShipmentStatus.Delivered) : s.Status);

        var orderLines = order?.Lines.Select(l => l.ExternalId).ToHashSet(StringComparer.Ordinal) ?? [];
        var lines = new List<ShipmentLine>();
        for (var i = 0; i < (d.Lines?.Count ?? 0); i++)
        {
            var l = d.Lines![i]!;
            if (order is not null && !orderLines.Contains(l.OrderLine!))
            {
                f.Add($"lines[{i}].orderLine", $"order '{order.ExternalId}' has no line '{l.OrderLine}'.");
            }
            lines.Add(new ShipmentLine { OrderLineExternalId = l.OrderLine!, Quantity = l.Quantity!.Value });
        }
        if (SameJson(lines, s.Lines))
        {
            return false;
        }
        s.Lines = lines;
        return true;
    }

    /// <summary>New shipments take over the pending tracking events of their carrier and tracking number.</summary>
    public override async Task AfterApplyAsync(IReadOnlyList<Applied<Shipment, ShipmentDto>> applied, UpsertContext ctx, CancellationToken ct)
    {
        var created = applied.Where(a => a.IsNew).Select(a => a.Entity).ToDictionary(s => (s.Carrier, s.TrackingNumber));
        if (created.Count == 0)
        {
            return;
        }
        foreach (var chunk in created.Keys.Select(k => k.TrackingNumber).Distinct().Chunk(RefCache.ChunkSize))
        {
            var list = chunk.ToList();
            var pending = await ctx.Db.TrackingEvents.Where(e => e.ShipmentId == null && list.Contains(e.TrackingNumber)).ToListAsync(ct);
            foreach (var group in pending.GroupBy(e => (e.Carrier, e.TrackingNumber)))
            {
                if (created.TryGetValue(group.Key, out var shipment))
                {
                    foreach (var e in group)
                    {
                        e.ShipmentId = shipment.Id;
                    }
                    ShipmentTracking.Apply(shipment, group, after: null);
                }
            }
        }
    }

    public override async Task<ShipmentDto> ToDtoAsync(Shipment s, RefCache refs, CancellationToken ct) => new(
        s.ExternalId, await refs.ExtAsync<Order>(s.OrderId, ct), s.Carrier, s.TrackingNumber, s.OriginProvince, s.DestinationProvince,
        Instants.Format(s.ShippedAt), s.PromisedDeliveryDate, Instants.Format(s.DeliveredAt), s.Status,
        s.Lines.Select(l => new ShipmentLineDto(l.OrderLineExternalId, l.Quantity)).ToList(), Instants.Format(s.SourceUpdatedAt), s.Version);
}

/// <summary>How tracking scans move a shipment's status.</summary>
public static class ShipmentTracking
{
    /// <summary>Applies events in time order; events not after <paramref name="after"/> (the latest already applied) are history only.</summary>
    public static void Apply(Shipment s, IEnumerable<TrackingEvent> events, DateTime? after)
    {
        foreach (var e in events.OrderBy(e => e.OccurredAt))
        {
            if (after is { } a && e.OccurredAt < a)
            {
                continue;
            }
            switch (e.Status)
            {
                case TrackingStatus.Delivered:
                    s.Status = ShipmentStatus.Delivered;
                    s.DeliveredAt = e.OccurredAt;
                    break;
                case TrackingStatus.Exception or TrackingStatus.Lost:
                    s.Status = ShipmentStatus.Exception;
                    break;
                case TrackingStatus.Returning:
                    s.Status = ShipmentStatus.Returned;
                    break;
                case TrackingStatus.InTransit or TrackingStatus.PickedUp or TrackingStatus.OutForDelivery when s.Status != ShipmentStatus.Delivered:
                    s.Status = ShipmentStatus.InTransit;
                    break;
            }
        }
    }
}
