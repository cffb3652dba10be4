using System.Net.Http.Headers;
using System.Text;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Outbox;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Webhooks;

/// <summary>The event types integrations may subscribe to; modules add theirs with <see cref="WebhookServices.AddWebhookEvent"/>.</summary>
public sealed record WebhookEventType(string Name);

/// <summary>The body every webhook carries (Standard Webhooks' recommended shape).</summary>
public sealed record WebhookEnvelope(string Type, DateTimeOffset Timestamp, object Data);

/// <summary>
/// The active subscriptions, read once per couple of seconds instead of once per event or delivery. Changes made
/// through this instance are seen at once; other instances see them within <c>Webhooks:SubscriptionCacheSeconds</c>.
/// </summary>
public sealed class WebhookSubscriptionCache(TimeProvider clock, IConfiguration configuration)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<WebhookSubscription>? _active;
    private DateTimeOffset _loadedAt;

    public void Invalidate() => _active = null;

    public async Task<IReadOnlyList<WebhookSubscription>> ActiveAsync(CareLoopDbContext db, CancellationToken ct)
    {
        var ttl = TimeSpan.FromSeconds(configuration.GetValue("Webhooks:SubscriptionCacheSeconds", 2.0));
        if (_active is { } cached && clock.GetUtcNow() - _loadedAt < ttl)
        {
            return cached;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (_active is { } again && clock.GetUtcNow() - _loadedAt < ttl)
            {
                return again;
            }
            var loaded = await db.WebhookSubscriptions.IgnoreQueryFilters().AsNoTracking().Where(s => s.Active).ToListAsync(ct);
            _loadedAt = clock.GetUtcNow();
            _active = loaded;
            return loaded;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>
/// Publishes an integration event: one outbox message per active subscription that wants it (platform-wide
/// subscriptions, and the merchant's own), added to the caller's DbContext so it commits with the change.
/// </summary>
public sealed class WebhookPublisher(OutboxWriter writer, TimeProvider clock, WebhookSubscriptionCache subscriptions)
{
    public const string Kind = "webhook";

    public async Task<int> PublishAsync(CareLoopDbContext db, string eventType, object data, string? aggregateKey = null,
        Guid? merchantId = null, CancellationToken ct = default)
    {
        var wanted = (await subscriptions.ActiveAsync(db, ct))
            .Where(s => (s.MerchantId == null || s.MerchantId == merchantId) && s.Wants(eventType)).ToList();
        if (wanted.Count == 0)
        {
            return 0;
        }
        var eventId = OutboxWriter.NewEventId();
        var body = new WebhookEnvelope(eventType, clock.GetUtcNow(), data);
        foreach (var s in wanted)
        {
            writer.Add(db, Kind, s.Id.ToString(), eventType, body, eventId, aggregateKey, merchantId);
        }
        return wanted.Count;
    }

    /// <summary>Queues a <c>ping</c> to one subscription (whether or not it lists <c>ping</c>), as GitHub does on request.</summary>
    public OutboxMessage Ping(CareLoopDbContext db, WebhookSubscription subscription) =>
        writer.Add(db, Kind, subscription.Id.ToString(), "ping",
            new WebhookEnvelope("ping", clock.GetUtcNow(), new { subscriptionId = subscription.Id, zen = "Closing the loop after every sale." }),
            aggregateKey: "webhook_subscription:" + subscription.Id, merchantId: subscription.MerchantId);
}

/// <summary>
/// Delivers <c>webhook</c> outbox messages: POSTs the stored body to the subscription's URL with the Standard
/// Webhooks headers (the event id as <c>webhook-id</c>, so every retry and replay carries the same id). 2xx is
/// delivered; 410 Gone switches the subscription off; anything else, a timeout or a refused connection is retried.
/// </summary>
public sealed class WebhookDeliveryHandler(CareLoopDbContext db, IHttpClientFactory clients, TimeProvider clock, WebhookSubscriptionCache cache) : IOutboxHandler
{
    public const string HttpClientName = "webhooks";

    public string Kind => WebhookPublisher.Kind;

    public async Task<OutboxResult> DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        if (!Guid.TryParse(message.Target, out var id))
        {
            return OutboxResult.Refused("The subscription was deleted.");
        }
        var subscription = (await cache.ActiveAsync(db, ct)).FirstOrDefault(s => s.Id == id);
        if (subscription is null)
        {
            return await db.WebhookSubscriptions.IgnoreQueryFilters().AnyAsync(s => s.Id == id, ct)
                ? OutboxResult.Refused("The subscription is inactive.")
                : OutboxResult.Refused("The subscription was deleted.");
        }
        var body = Encoding.UTF8.GetBytes(message.Payload);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, message.EventId);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(subscription.Secret, message.EventId, timestamp, body));
        request.Headers.TryAddWithoutValidation("webhook-event", message.EventType);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new OutboxResult(true, StatusCode: status);
            }
            var text = await ReadSomeAsync(response, ct);
            if (status == StatusCodes.Status410Gone)
            {
                await db.WebhookSubscriptions.IgnoreQueryFilters().Where(s => s.Id == id)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.Active, false), ct);
                cache.Invalidate();
                return OutboxResult.Refused($"HTTP 410 Gone: the receiver asked to stop; the subscription is now inactive. {text}", status);
            }
            return OutboxResult.Failed($"HTTP {status}: {text}".TrimEnd(' ', ':'), status);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return OutboxResult.Failed("Timed out waiting for the receiver.");
        }
        catch (HttpRequestException e)
        {
            return OutboxResult.Failed("Could not reach the receiver: " + e.Message);
        }
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = new char[300];
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var n = await reader.ReadBlockAsync(buffer, ct);
        return new string(buffer, 0, n);
    }
}
