using CareLoop.Domain.Commerce;
using CareLoop.Domain.Common;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Commerce;

public sealed record OrderSummary(
    string Number, string MerchantExternalId, string MerchantName, string CustomerExternalId, string CustomerName,
    string? CustomerPhone, OrderStatus Status, DateTimeOffset? PaidAt, Money TotalPaid);

public sealed record OrderDetail(
    string Number, OrderStatus Status, DateTimeOffset? PlacedAt, DateTimeOffset? PaidAt, PaymentMethod PaymentMethod,
    Money ShippingFee, Money TotalPaid, bool ReturnShippingInsurance, Address DeliveryAddress,
    PartyRef Merchant, CustomerRef Customer, IReadOnlyList<OrderLineDetail> Lines, IReadOnlyList<ShipmentDetail> Shipments,
    long Version);

public sealed record PartyRef(string ExternalId, string Name);
public sealed record CustomerRef(string ExternalId, string Name, string? Phone, CustomerTier Tier);

public sealed record OrderLineDetail(
    string ExternalId, string ProductExternalId, string ProductName, string? LotExternalId, string? BatchNumber,
    int Quantity, Money UnitPrice, bool ExclusionConfirmed);

public sealed record ShipmentDetail(
    string ExternalId, string Carrier, string TrackingNumber, ShipmentStatus Status, string? OriginProvince,
    string? DestinationProvince, DateTimeOffset? ShippedAt, DateOnly? PromisedDeliveryDate, DateTimeOffset? DeliveredAt,
    IReadOnlyList<TrackingEventDetail> Events);

public sealed record TrackingEventDetail(
    string CarrierEventId, DateTimeOffset OccurredAt, TrackingStatus Status, string? Place, string? CarrierCode, string? CarrierText);

/// <summary>
/// Read side of orders used by the order-lookup page and the API. Row-level isolation comes from the DbContext's
/// query filters: a merchant or customer never gets another's order, the answer is simply "not found".
/// </summary>
public sealed class OrderQueries(CareLoopDbContext db)
{
    /// <summary>Where unpaid orders sort: after every paid one (the same on both databases, unlike NULL ordering).</summary>
    public static readonly DateTime Unpaid = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Where a page of a search ends: the last order's paid instant (unpaid sorts last) and number.</summary>
    public sealed record SearchPosition(DateTime PaidAt, string Number);

    /// <summary>
    /// Finds orders by exact order number, or by the customer's phone number: newest paid first, then by number;
    /// <paramref name="after"/> continues after a page's last order (keyset, so new orders never shift later pages).
    /// </summary>
    public async Task<IReadOnlyList<OrderSummary>> SearchAsync(
        string term, int limit, CancellationToken ct, bool byNumber = true, bool byPhone = true, SearchPosition? after = null)
    {
        term = term.Trim();
        if (term.Length == 0)
        {
            return [];
        }
        // The order query keeps the caller's row-level filters; only the names of the parties it found are read
        // without them (IgnoreQueryFilters applies to a whole query, so it must not be joined in).
        var customerIds = db.Customers.Where(c => c.Phone == term).Select(c => c.Id);
        var q = db.Orders.AsNoTracking()
            .Where(o => (byNumber && o.ExternalId == term) || (byPhone && customerIds.Contains(o.CustomerId)));
        if (after is not null)
        {
            q = q.Where(o => (o.PaidAt ?? Unpaid) < after.PaidAt
                || ((o.PaidAt ?? Unpaid) == after.PaidAt && string.Compare(o.ExternalId, after.Number) > 0));
        }
        return await SummariesAsync(q.OrderByDescending(o => o.PaidAt ?? Unpaid).ThenBy(o => o.ExternalId).Take(limit), ct);
    }

    /// <summary>The newest orders the caller may see (for a customer: their own), newest first.</summary>
    public Task<IReadOnlyList<OrderSummary>> RecentAsync(int limit, CancellationToken ct) =>
        SummariesAsync(db.Orders.AsNoTracking().OrderByDescending(o => o.PaidAt).ThenByDescending(o => o.ExternalId).Take(limit), ct);

    private async Task<IReadOnlyList<OrderSummary>> SummariesAsync(IQueryable<Order> orders, CancellationToken ct)
    {
        var rows = await orders
            .Select(o => new { o.ExternalId, o.MerchantId, o.CustomerId, o.Status, o.PaidAt, o.TotalPaid, o.Currency })
            .ToListAsync(ct);
        var merchantIds = rows.Select(r => r.MerchantId).Distinct().ToList();
        var customerIds = rows.Select(r => r.CustomerId).Distinct().ToList();
        var merchants = await db.Merchants.IgnoreQueryFilters().AsNoTracking().Where(m => merchantIds.Contains(m.Id))
            .ToDictionaryAsync(m => m.Id, m => new { m.ExternalId, m.Name }, ct);
        var customers = await db.Customers.IgnoreQueryFilters().AsNoTracking().Where(c => customerIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => new { c.ExternalId, c.Name, c.Phone }, ct);
        return rows.Select(r => new OrderSummary(r.ExternalId, merchants[r.MerchantId].ExternalId, merchants[r.MerchantId].Name,
            customers[r.CustomerId].ExternalId, customers[r.CustomerId].Name, customers[r.CustomerId].Phone,
            r.Status, r.PaidAt.AsUtcOffset(), new Money(r.TotalPaid, r.Currency))).ToList();
    }

    public async Task<OrderDetail?> GetDetailAsync(string number, CancellationToken ct)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.ExternalId == number, ct);
        if (order is null)
        {
            return null;
        }
        var merchant = await db.Merchants.IgnoreQueryFilters().AsNoTracking().Where(m => m.Id == order.MerchantId)
            .Select(m => new PartyRef(m.ExternalId, m.Name)).SingleAsync(ct);
        var customer = await db.Customers.IgnoreQueryFilters().AsNoTracking().Where(c => c.Id == order.CustomerId)
            .Select(c => new CustomerRef(c.ExternalId, c.Name, c.Phone, c.Tier)).SingleAsync(ct);
        var productIds = order.Lines.Select(l => l.ProductId).Distinct().ToList();
        var products = await db.Products.IgnoreQueryFilters().AsNoTracking().Where(p => productIds.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => new { p.ExternalId, p.Name }, ct);
        var lotIds = order.Lines.Where(l => l.LotId != null).Select(l => l.LotId!.Value).Distinct().ToList();
        var lots = await db.Lots.IgnoreQueryFilters().AsNoTracking().Where(l => lotIds.Contains(l.Id))
            .ToDictionaryAsync(l => l.Id, l => new { l.ExternalId, l.BatchNumber }, ct);
        var shipments = await db.Shipments.AsNoTracking().Where(s => s.OrderId == order.Id).OrderBy(s => s.ShippedAt).ToListAsync(ct);
        var shipmentIds = shipments.Select(s => (Guid?)s.Id).ToList();
        var events = (await db.TrackingEvents.AsNoTracking().Where(e => shipmentIds.Contains(e.ShipmentId)).ToListAsync(ct))
            .OrderByDescending(e => e.OccurredAt).ToLookup(e => e.ShipmentId);

        return new OrderDetail(
            order.ExternalId, order.Status, order.PlacedAt.AsUtcOffset(), order.PaidAt.AsUtcOffset(), order.PaymentMethod,
            new Money(order.ShippingFee, order.Currency), new Money(order.TotalPaid, order.Currency), order.ReturnShippingInsurance,
            order.DeliveryAddress, merchant, customer,
            order.Lines.OrderBy(l => l.ExternalId).Select(l => new OrderLineDetail(
                l.ExternalId, products[l.ProductId].ExternalId, products[l.ProductId].Name,
                l.LotId is { } lot ? lots[lot].ExternalId : null, l.LotId is { } lot2 ? lots[lot2].BatchNumber : null,
                l.Quantity, new Money(l.UnitPrice, order.Currency), l.ExclusionConfirmed)).ToList(),
            shipments.Select(s => new ShipmentDetail(
                s.ExternalId, s.Carrier, s.TrackingNumber, s.Status, s.OriginProvince, s.DestinationProvince,
                s.ShippedAt.AsUtcOffset(), s.PromisedDeliveryDate, s.DeliveredAt.AsUtcOffset(),
                events[s.Id].Select(e => new TrackingEventDetail(e.CarrierEventId, e.OccurredAt.AsUtcOffset(), e.Status, e.Place, e.CarrierCode, e.CarrierText)).ToList()))
                .ToList(),
            order.Version);
    }

}
