using CareLoop.Domain.Common;
using CareLoop.Server.Modules.Commerce;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Components.Orders;

/// <summary>
/// The newest orders the caller may see, for the customer's own order list. Relies on the DbContext's row-level
/// filters: call it with a context from <see cref="UserScopedServices"/> bound to a customer.
/// </summary>
public static class RecentOrders
{
    public static async Task<IReadOnlyList<OrderSummary>> ListAsync(CareLoopDbContext db, int limit, CancellationToken ct)
    {
        var q = from o in db.Orders.AsNoTracking()
                join m in db.Merchants.IgnoreQueryFilters() on o.MerchantId equals m.Id
                join c in db.Customers.IgnoreQueryFilters() on o.CustomerId equals c.Id
                orderby o.PlacedAt descending, o.ExternalId descending
                select new { o.ExternalId, MerchantExternal = m.ExternalId, MerchantName = m.Name, CustomerExternal = c.ExternalId, CustomerName = c.Name, c.Phone, o.Status, o.PaidAt, o.TotalPaid, o.Currency };
        var rows = await q.Take(limit).ToListAsync(ct);
        return rows.Select(r => new OrderSummary(r.ExternalId, r.MerchantExternal, r.MerchantName, r.CustomerExternal, r.CustomerName,
            r.Phone, r.Status, r.PaidAt is { } p ? new DateTimeOffset(DateTime.SpecifyKind(p, DateTimeKind.Utc)) : null,
            new Money(r.TotalPaid, r.Currency))).ToList();
    }
}
