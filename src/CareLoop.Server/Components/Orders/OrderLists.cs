using CareLoop.Domain.Common;
using CareLoop.Server.Modules.Commerce;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Components.Orders;

/// <summary>
/// The order lists of the lookup page. Call with services from <see cref="UserScopedServices"/>, so the DbContext's
/// row-level filters are bound to the signed-in merchant or customer.
/// </summary>
/// <remarks>
/// <c>IgnoreQueryFilters()</c> switches the filters off for the whole LINQ query, not just the set it is called on;
/// so the orders are read in one (filtered) query and the merchant and customer names in others.
/// </remarks>
public static class OrderLists
{
    /// <summary>
    /// <see cref="OrderQueries.SearchAsync"/>, keeping only the orders the caller may see. SearchAsync joins
    /// merchants and customers with IgnoreQueryFilters, which unfilters its orders too: this re-check keeps the page
    /// from showing other merchants' or customers' orders until that is fixed.
    /// </summary>
    public static async Task<IReadOnlyList<OrderSummary>> SearchAsync(IServiceProvider services, string term, int limit, CancellationToken ct)
    {
        var found = await services.GetRequiredService<OrderQueries>().SearchAsync(term, limit, ct);
        if (found.Count == 0)
        {
            return found;
        }
        var db = services.GetRequiredService<CareLoopDbContext>();
        var numbers = found.Select(o => o.Number).ToList();
        var visible = (await db.Orders.AsNoTracking().Where(o => numbers.Contains(o.ExternalId)).Select(o => o.ExternalId).ToListAsync(ct)).ToHashSet();
        return found.Where(o => visible.Contains(o.Number)).ToList();
    }

    /// <summary>The newest orders the caller may see (a customer's own orders), newest first.</summary>
    public static async Task<IReadOnlyList<OrderSummary>> RecentAsync(IServiceProvider services, int limit, CancellationToken ct)
    {
        var db = services.GetRequiredService<CareLoopDbContext>();
        var orders = await db.Orders.AsNoTracking()
            .OrderByDescending(o => o.PlacedAt).ThenByDescending(o => o.ExternalId)
            .Select(o => new { o.ExternalId, o.MerchantId, o.CustomerId, o.Status, o.PaidAt, o.TotalPaid, o.Currency })
            .Take(limit).ToListAsync(ct);
        var merchantIds = orders.Select(o => o.MerchantId).Distinct().ToList();
        var customerIds = orders.Select(o => o.CustomerId).Distinct().ToList();
        var merchants = await db.Merchants.IgnoreQueryFilters().AsNoTracking().Where(m => merchantIds.Contains(m.Id))
            .ToDictionaryAsync(m => m.Id, m => new { m.ExternalId, m.Name }, ct);
        var customers = await db.Customers.IgnoreQueryFilters().AsNoTracking().Where(c => customerIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => new { c.ExternalId, c.Name, c.Phone }, ct);
        return orders.Select(o => new OrderSummary(
            o.ExternalId, merchants[o.MerchantId].ExternalId, merchants[o.MerchantId].Name,
            customers[o.CustomerId].ExternalId, customers[o.CustomerId].Name, customers[o.CustomerId].Phone,
            o.Status, o.PaidAt is { } p ? new DateTimeOffset(DateTime.SpecifyKind(p, DateTimeKind.Utc)) : null,
            new Money(o.TotalPaid, o.Currency))).ToList();
    }
}
