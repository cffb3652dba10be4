using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Outbox;

/// <summary>What to list from the outbox; null values match everything.</summary>
public sealed record OutboxFilter(OutboxStatus? Status = null, string? Kind = null, string? EventType = null);

public enum OutboxRetryOutcome
{
    /// <summary>A pending, retrying or dead message is tried again now, with a fresh count of attempts.</summary>
    Retried,

    /// <summary>A delivered message goes out again with the same event id (receivers can tell it is a repeat).</summary>
    Replayed,

    NotFound,

    /// <summary>The message is being delivered right now: it was not touched.</summary>
    Busy,
}

/// <summary>The result of <see cref="OutboxAdmin.RetryAsync"/>: the outcome and the message as it is afterwards.</summary>
public sealed record OutboxRetryResult(OutboxRetryOutcome Outcome, OutboxMessage? Message);

/// <summary>Reading, retrying and replaying outbox messages: shared by the admin API and the admin page.</summary>
public sealed class OutboxAdmin(CareLoopDbContext db, TimeProvider clock, OutboxSignal signal)
{
    /// <summary>
    /// Up to <paramref name="limit"/> + 1 messages matching <paramref name="filter"/>, newest first, older than
    /// <paramref name="beforeId"/> when given (keyset on Id); the extra row tells that more follow.
    /// </summary>
    public Task<List<OutboxMessage>> PageAsync(OutboxFilter filter, long? beforeId, int limit, CancellationToken ct)
    {
        var query = db.OutboxMessages.AsNoTracking();
        if (filter.Status is { } status) query = query.Where(m => m.Status == status);
        if (!string.IsNullOrEmpty(filter.Kind)) query = query.Where(m => m.Kind == filter.Kind);
        if (!string.IsNullOrEmpty(filter.EventType)) query = query.Where(m => m.EventType == filter.EventType);
        if (beforeId is { } id) query = query.Where(m => m.Id < id);
        return query.OrderByDescending(m => m.Id).Take(limit + 1).ToListAsync(ct);
    }

    /// <summary>How many messages are in each status.</summary>
    public async Task<OutboxCounts> CountsAsync(CancellationToken ct)
    {
        var counts = await db.OutboxMessages.GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        int Of(OutboxStatus s) => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0;
        return new OutboxCounts(Of(OutboxStatus.Pending), Of(OutboxStatus.Retrying), Of(OutboxStatus.Sent), Of(OutboxStatus.Dead));
    }

    /// <summary>One message with its payload; null when there is none with this id.</summary>
    public Task<OutboxMessage?> FindAsync(long id, CancellationToken ct) =>
        db.OutboxMessages.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);

    /// <summary>
    /// Retries a message now (pending, retrying or dead: attempts start again from zero), or replays a sent one (same
    /// event id). A message leased by a dispatcher right now is left alone (<see cref="OutboxRetryOutcome.Busy"/>).
    /// </summary>
    public async Task<OutboxRetryResult> RetryAsync(long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var before = await db.OutboxMessages.AsNoTracking().Where(x => x.Id == id).Select(x => (OutboxStatus?)x.Status).SingleOrDefaultAsync(ct);
        var changed = await db.OutboxMessages
            .Where(m => m.Id == id && (m.LockedUntil == null || m.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Pending).SetProperty(m => m.NextAttemptAt, now)
                .SetProperty(m => m.Attempts, 0).SetProperty(m => m.SentAt, (DateTime?)null), ct);
        var outcome = before == OutboxStatus.Sent ? OutboxRetryOutcome.Replayed : OutboxRetryOutcome.Retried;
        if (changed == 1)
        {
            // Who sent a message again, and from which state, belongs in the audit log like any other admin change.
            db.AuditEntries.Add(new AuditEntry
            {
                At = now, Actor = db.ActorName, Action = outcome == OutboxRetryOutcome.Replayed ? "replayed" : "retried",
                EntityType = nameof(OutboxMessage), EntityId = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Changes = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string?[]>
                {
                    // The same shape as the interceptor's entries: property name, enum names as stored.
                    [nameof(OutboxMessage.Status)] = [before?.ToString(), nameof(OutboxStatus.Pending)],
                }),
            });
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        var message = await FindAsync(id, ct);
        if (message is null) return new OutboxRetryResult(OutboxRetryOutcome.NotFound, null);
        if (changed == 0) return new OutboxRetryResult(OutboxRetryOutcome.Busy, message);
        signal.Notify();
        return new OutboxRetryResult(outcome, message);
    }
}
