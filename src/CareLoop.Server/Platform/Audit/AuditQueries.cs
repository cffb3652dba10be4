using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Audit;

/// <summary>What to look for in the audit log; empty values match everything. The entity id matches by prefix.</summary>
public sealed record AuditFilter(string? EntityType = null, string? EntityId = null, string? Actor = null);

/// <summary>Reading the audit log, shared by the admin API and the admin page.</summary>
public static class AuditQueries
{
    /// <summary>
    /// Up to <paramref name="limit"/> + 1 entries matching <paramref name="filter"/>, newest first, older than
    /// <paramref name="beforeId"/> when given (keyset on Id); the extra row tells that more follow.
    /// </summary>
    public static Task<List<AuditEntry>> PageAsync(CareLoopDbContext db, AuditFilter filter, long? beforeId, int limit, CancellationToken ct)
    {
        var q = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrEmpty(filter.EntityType)) q = q.Where(a => a.EntityType == filter.EntityType);
        if (!string.IsNullOrEmpty(filter.EntityId)) q = q.Where(a => a.EntityId.StartsWith(filter.EntityId));
        if (!string.IsNullOrEmpty(filter.Actor)) q = q.Where(a => a.Actor == filter.Actor);
        if (beforeId is not null) q = q.Where(a => a.Id < beforeId);
        return q.OrderByDescending(a => a.Id).Take(limit + 1).ToListAsync(ct);
    }

    /// <summary>
    /// Entity types the audit log records, by CLR name (as in <see cref="AuditEntry.EntityType"/>), sorted: those whose
    /// changes the interceptor records, and those whose admin actions are written explicitly (outbox retry/replay).
    /// </summary>
    public static IReadOnlyList<string> AuditedTypes(CareLoopDbContext db) =>
        db.Model.GetEntityTypes().Where(t => !t.IsOwned() && AuditInterceptor.IsAuditedType(t.ClrType))
            .Select(t => t.ClrType.Name).Append(nameof(Outbox.OutboxMessage)).Distinct().Order(StringComparer.Ordinal).ToList();
}
