using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Files;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Commerce;

/// <summary>
/// Files attached to an order (<c>recordType=order</c>, <c>recordId</c> = the order number) are for whoever may see
/// the order: the DbContext's query filters decide (its merchant, its customer, unbound staff and integrations).
/// </summary>
public sealed class OrderFileAccess(CareLoopDbContext db) : IFileRecordAccess
{
    public string RecordType => "order";

    public Task<bool> CanSeeAsync(string recordId, CancellationToken ct) =>
        db.Orders.AnyAsync(o => o.ExternalId == recordId, ct);
}
