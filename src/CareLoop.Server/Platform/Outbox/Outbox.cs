using System.Text.Json;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;

namespace CareLoop.Server.Platform.Outbox;

/// <summary>What a handler reports for one delivery attempt.</summary>
public sealed record OutboxResult(bool Delivered, string? Error = null, int? StatusCode = null, bool Permanent = false)
{
    public static readonly OutboxResult Success = new(true);

    public static OutboxResult Failed(string error, int? statusCode = null) => new(false, error, statusCode);

    /// <summary>A failure that retrying cannot mend (the destination is gone): the message is dead at once.</summary>
    public static OutboxResult Refused(string error, int? statusCode = null) => new(false, error, statusCode, Permanent: true);
}

/// <summary>Delivers outbox messages of one <see cref="Kind"/>. Called in a fresh service scope per message.</summary>
public interface IOutboxHandler
{
    string Kind { get; }

    Task<OutboxResult> DeliverAsync(OutboxMessage message, CancellationToken ct);
}

/// <summary>
/// A handler that can deliver several messages of its kind at once (one scope, one transaction); the dispatcher hands
/// it all of a batch's messages of its kind. It returns one result per message, in order.
/// </summary>
public interface IOutboxBatchHandler : IOutboxHandler
{
    Task<IReadOnlyList<OutboxResult>> DeliverBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct);
}

/// <summary>Wakes the dispatcher when messages were committed, so delivery does not wait for the next poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { /* already signalled */ }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Adds outbox messages to the caller's DbContext: they are saved with the caller's own change, in its transaction,
/// and delivered after it commits.
/// </summary>
public sealed class OutboxWriter(TimeProvider clock)
{
    public OutboxMessage Add(CareLoopDbContext db, string kind, string target, string eventType, object payload,
        string? eventId = null, string? aggregateKey = null, Guid? merchantId = null, DateTime? notBefore = null)
    {
        var message = Create(kind, target, eventType, payload, eventId, aggregateKey, merchantId, notBefore);
        db.OutboxMessages.Add(message);
        return message;
    }

    /// <summary>A new message for a caller that writes it itself (see <see cref="Add"/>).</summary>
    public OutboxMessage Create(string kind, string target, string eventType, object payload,
        string? eventId = null, string? aggregateKey = null, Guid? merchantId = null, DateTime? notBefore = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var message = new OutboxMessage
        {
            Kind = kind,
            Target = target,
            EventId = eventId ?? NewEventId(),
            EventType = eventType,
            AggregateKey = aggregateKey,
            MerchantId = merchantId,
            Payload = payload as string ?? JsonSerializer.Serialize(payload, ApiJson.Options),
            CreatedAt = now,
            NextAttemptAt = notBefore is { } t && t > now ? t : now,
        };
        return message;
    }

    /// <summary>An event id in the Standard Webhooks style: <c>msg_</c> + a time-ordered unique id.</summary>
    public static string NewEventId() => "msg_" + Guid.CreateVersion7().ToString("N");
}
