using CareLoop.Domain.Commerce;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Modules.Commerce;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

public sealed record CustomerProfileView(Guid Id, string ExternalId, string Name, CustomerTier Tier, string? Phone, string? Email);
public sealed record CustomerOrderView(string Number, OrderStatus Status, DateTimeOffset? PaidAt, CareLoop.Domain.Common.Money TotalPaid);
public sealed record CustomerShipmentView(string Carrier, string TrackingNumber, ShipmentStatus Status, DateTimeOffset? ShippedAt, DateTimeOffset? DeliveredAt);
public sealed record CustomerTicketView(long Number, string Subject, TicketStatus Status, TicketCategory Category, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The agent's side panel of a ticket: who the customer is, what they bought, and what they asked before.</summary>
public sealed record CustomerPanel(
    CustomerProfileView Customer, IReadOnlyList<CustomerOrderView> RecentOrders, IReadOnlyList<CustomerShipmentView> Shipments,
    IReadOnlyList<CustomerTicketView> EarlierTickets);

/// <summary>An order line a customer may ask about.</summary>
public sealed record OrderLineChoice(string ExternalId, string ProductName, int Quantity);

/// <summary>
/// Reads around a ticket's customer: the agent side panel and the customer's own ticket list. Rows pass the caller's
/// query filters (a customer reaches only their own orders and tickets).
/// </summary>
public sealed class CustomerContext(CareLoopDbContext db)
{
    public const int RecentOrders = 5;
    public const int EarlierTickets = 10;

    /// <summary>The panel of a ticket's customer, or null when the ticket is not visible to the caller.</summary>
    public async Task<CustomerPanel?> PanelAsync(long ticketNumber, CancellationToken ct)
    {
        var ticket = await db.Tickets.AsNoTracking().Where(t => t.Number == ticketNumber)
            .Select(t => new { t.Id, t.CustomerId, t.OrderId }).SingleOrDefaultAsync(ct);
        if (ticket is null)
        {
            return null;
        }
        var customer = await db.Customers.IgnoreQueryFilters().AsNoTracking().Where(c => c.Id == ticket.CustomerId)
            .Select(c => new CustomerProfileView(c.Id, c.ExternalId, c.Name, c.Tier, c.Phone, c.Email)).SingleAsync(ct);
        var orders = (await db.Orders.AsNoTracking().Where(o => o.CustomerId == ticket.CustomerId)
                .OrderByDescending(o => o.PaidAt).ThenByDescending(o => o.ExternalId).Take(RecentOrders)
                .Select(o => new { o.ExternalId, o.Status, o.PaidAt, o.TotalPaid, o.Currency }).ToListAsync(ct))
            .Select(o => new CustomerOrderView(o.ExternalId, o.Status, o.PaidAt.AsUtcOffset(), new CareLoop.Domain.Common.Money(o.TotalPaid, o.Currency)))
            .ToList();
        var shipments = ticket.OrderId is { } orderId
            ? (await db.Shipments.AsNoTracking().Where(s => s.OrderId == orderId).OrderBy(s => s.ShippedAt).ToListAsync(ct))
                .Select(s => new CustomerShipmentView(s.Carrier, s.TrackingNumber, s.Status, s.ShippedAt.AsUtcOffset(), s.DeliveredAt.AsUtcOffset())).ToList()
            : [];
        var earlier = (await db.Tickets.AsNoTracking().Where(t => t.CustomerId == ticket.CustomerId && t.Id != ticket.Id)
                .OrderByDescending(t => t.Number).Take(EarlierTickets)
                .Select(t => new { t.Number, t.Subject, t.Status, t.Category, t.CreatedAt, t.UpdatedAt }).ToListAsync(ct))
            .Select(t => new CustomerTicketView(t.Number, t.Subject, t.Status, t.Category, t.CreatedAt.AsUtcOffset(), t.UpdatedAt.AsUtcOffset())).ToList();
        return new CustomerPanel(customer, orders, shipments, earlier);
    }

    /// <summary>The caller's tickets (for a customer: their own), last updated first.</summary>
    public async Task<IReadOnlyList<CustomerTicketView>> MyTicketsAsync(int limit, CancellationToken ct) =>
        (await db.Tickets.AsNoTracking().OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Number).Take(limit)
            .Select(t => new { t.Number, t.Subject, t.Status, t.Category, t.CreatedAt, t.UpdatedAt }).ToListAsync(ct))
        .Select(t => new CustomerTicketView(t.Number, t.Subject, t.Status, t.Category, t.CreatedAt.AsUtcOffset(), t.UpdatedAt.AsUtcOffset())).ToList();

    /// <summary>The lines of one of the caller's orders (empty when the order is not theirs).</summary>
    public async Task<IReadOnlyList<OrderLineChoice>> OrderLinesAsync(string orderNumber, CancellationToken ct)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.ExternalId == orderNumber, ct);
        if (order is null)
        {
            return [];
        }
        var productIds = order.Lines.Select(l => l.ProductId).Distinct().ToList();
        var names = await db.Products.IgnoreQueryFilters().AsNoTracking().Where(p => productIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        return order.Lines.OrderBy(l => l.ExternalId).Select(l => new OrderLineChoice(l.ExternalId, names.GetValueOrDefault(l.ProductId, ""), l.Quantity)).ToList();
    }
}
