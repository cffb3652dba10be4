using System.Text.Json;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Hosting;
using CareLoop.Server.Platform.Outbox;
using StackExchange.Redis;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>What changed: enough for a queue view to decide whether to reload.</summary>
public sealed record TicketChanged(Guid TicketId, long Number, string Change, Guid? AssigneeId, Guid? GroupId);

/// <summary>
/// Live ticket changes for open agent consoles (their Blazor circuits push them to the browser over SignalR).
/// Changes come from domain events after commit; with Redis configured they are fanned out to every instance through a
/// Redis channel, otherwise they stay in this process (the single-instance default).
/// </summary>
public sealed class TicketFeed : IAsyncDisposable
{
    private const string Channel = ScaleOut.RedisChannelPrefix + ":tickets";
    private readonly ConnectionMultiplexer? _redis;

    public TicketFeed(IConfiguration configuration)
    {
        if (ScaleOut.RedisConnection(configuration) is { } connection)
        {
            _redis = ConnectionMultiplexer.Connect(connection);
            _redis.GetSubscriber().Subscribe(RedisChannel.Literal(Channel), (_, value) =>
            {
                if (value.HasValue && JsonSerializer.Deserialize<TicketChanged>(value.ToString(), ApiJson.Options) is { } change)
                {
                    Raise(change);
                }
            });
        }
    }

    /// <summary>Raised on this instance for every ticket change anywhere.</summary>
    public event Action<TicketChanged>? Changed;

    public async Task PublishAsync(TicketChanged change)
    {
        if (_redis is not null)
        {
            await _redis.GetSubscriber().PublishAsync(RedisChannel.Literal(Channel), JsonSerializer.Serialize(change, ApiJson.Options));
        }
        else
        {
            Raise(change);
        }
    }

    private void Raise(TicketChanged change)
    {
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action<TicketChanged>)handler)(change);
            }
            catch (ObjectDisposedException)
            {
                // A closed console that had not unsubscribed yet.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}

/// <summary>
/// Feeds later domain events of tickets into the <see cref="TicketFeed"/> (intake publishes a new ticket itself right
/// after its commit: the busiest path does not pay for an outbox round trip for a live-view hint).
/// </summary>
public sealed class TicketFeedPublisher(TicketFeed feed)
    : IDomainEventHandler<TicketStatusChanged>, IDomainEventHandler<TicketAssigned>, IDomainEventHandler<TicketMessageAdded>
{
    public Task HandleAsync(TicketStatusChanged e, CancellationToken ct) =>
        feed.PublishAsync(new TicketChanged(e.TicketId, e.Number, "status:" + TicketActions.Wire(e.To), null, null));

    public Task HandleAsync(TicketAssigned e, CancellationToken ct) => feed.PublishAsync(new TicketChanged(e.TicketId, e.Number, "assigned", e.AssigneeId, e.GroupId));

    public Task HandleAsync(TicketMessageAdded e, CancellationToken ct) =>
        feed.PublishAsync(new TicketChanged(e.TicketId, e.Number, "message:" + TicketActions.Wire(e.AuthorKind), null, null));
}
