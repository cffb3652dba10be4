using System.Net;
using System.Security.Cryptography;
using System.Text;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Platform.Webhooks;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CareLoop.Server.Tests.Platform;

public sealed class WebhookServerSqlite : SqliteServer
{
    protected override void Configure(WebApplicationBuilder builder) => WebhookTests.Configure(builder);
}

public sealed class WebhookServerPostgres : PostgresServer
{
    protected override void Configure(WebApplicationBuilder builder) => WebhookTests.Configure(builder);
}

public sealed class WebhookTestsSqlite(WebhookServerSqlite fixture) : WebhookTests(fixture), IClassFixture<WebhookServerSqlite>;
public sealed class WebhookTestsPostgres(WebhookServerPostgres fixture) : WebhookTests(fixture), IClassFixture<WebhookServerPostgres>;

/// <summary>Outgoing webhooks through the outbox, against a real HTTP receiver: signing, retries, order, dead letters.</summary>
public abstract class WebhookTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    internal static void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration["Webhooks:TimeoutSeconds"] = "1";
        // Tests drive delivery themselves (DispatchOutboxAsync); the background dispatcher stays off so it cannot race them.
        builder.Configuration["Outbox:Enabled"] = "false";
        builder.Services.AddWebhookEvent("test.changed");
        builder.Services.AddWebhookEvent("test.backlog");
        builder.Services.AddWebhookEvent("test.race");
    }

    private async Task<(HttpClient Client, Guid Id, string Secret)> SubscribeAsync(WebhookReceiver receiver, params string[] events)
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var body = await (await client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = receiver.Url, events }))
            .ExpectAsync(HttpStatusCode.Created);
        return (client, Guid.Parse(body!["id"]!.GetValue<string>()), body["secret"]!.GetValue<string>());
    }

    private Task PublishAsync(string aggregate, object data) => Server.InScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<CareLoop.Server.Platform.Data.CareLoopDbContext>();
        await sp.GetRequiredService<WebhookPublisher>().PublishAsync(db, "test.changed", data, aggregate);
        return await db.SaveChangesAsync();
    });

    private Task<List<OutboxMessage>> MessagesAsync(Guid subscription) =>
        Server.WithDbAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.Target == subscription.ToString()).OrderBy(m => m.Id).ToListAsync());

    [Fact]
    public async Task Ping_IsDeliveredSigned_TheStandardWebhooksWay()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (client, id, secret) = await SubscribeAsync(receiver, "test.changed");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        await (await client.PostAsync($"/api/v1/webhooks/subscriptions/{id}/ping", null)).ExpectAsync(HttpStatusCode.Accepted);
        await Server.DispatchOutboxAsync();

        var got = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Equal("ping", got.Json.GetProperty("type").GetString());
        var timestamp = long.Parse(got.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Server.Clock.GetUtcNow().ToUnixTimeSeconds(), timestamp);
        // Computed here independently of the server's code: base64(HMAC-SHA256(key, "id.timestamp.body")).
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{got.Id}.{timestamp}.").Concat(got.Body).ToArray()));
        Assert.Contains(expected, got.Headers["webhook-signature"].Split(' '));
        Assert.True(WebhookSignature.Verify(secret, got.Id, timestamp, got.Body, got.Headers["webhook-signature"]));
        Assert.False(WebhookSignature.Verify(secret, got.Id, timestamp + 1, got.Body, got.Headers["webhook-signature"]));

        var message = Assert.Single(await MessagesAsync(id));
        Assert.Equal(OutboxStatus.Sent, message.Status);
        Assert.Equal(got.Id, message.EventId);
    }

    /// <summary>
    /// Empties the outbox, then commits <paramref name="count"/> events (each of its own aggregate) to a new subscription
    /// of <paramref name="eventType"/>, a type only the calling test subscribes to (a subscription outlives its test), so
    /// the outbox holds exactly these messages.
    /// </summary>
    private async Task<Guid> BacklogAsync(WebhookReceiver receiver, string eventType, int count)
    {
        while (await Server.DispatchOutboxAsync() > 0)
        {
        }
        var (_, id, _) = await SubscribeAsync(receiver, eventType);
        await Server.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<CareLoop.Server.Platform.Data.CareLoopDbContext>();
            for (var n = 0; n < count; n++)
            {
                await sp.GetRequiredService<WebhookPublisher>().PublishAsync(db, eventType, new { n }, $"{eventType}:{n}");
            }
            return await db.SaveChangesAsync();
        });
        return id;
    }

    [Fact]
    public async Task ABacklog_IsClaimedInGrowingBatches_AndEachMessageIsDeliveredOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var id = await BacklogAsync(receiver, "test.backlog", 160);

        // 50 (the base size) came back full and quickly, so the next claim takes twice as many; then the rest; then none.
        Assert.Equal(50, await Server.DispatchOutboxAsync());
        Assert.Equal(100, await Server.DispatchOutboxAsync());
        Assert.Equal(10, await Server.DispatchOutboxAsync());
        Assert.Equal(0, await Server.DispatchOutboxAsync());

        var received = await receiver.WaitForAsync(160);
        Assert.Equal(160, received.Select(r => r.Id).Distinct().Count());
        var messages = await MessagesAsync(id);
        Assert.Equal(160, messages.Count);
        Assert.All(messages, m => Assert.Equal((OutboxStatus.Sent, 1), (m.Status, m.Attempts)));
    }

    [Fact]
    public async Task DispatchersClaimingAtTheSameTime_DeliverEachMessageOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var id = await BacklogAsync(receiver, "test.race", 120);

        // Four claim loops at once (as four instances would): every claim gets its own lease token.
        var claimedBy = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var total = 0;
            for (int got; (got = await Server.DispatchOutboxAsync()) > 0;)
            {
                total += got;
            }
            return total;
        })));

        Assert.Equal(120, claimedBy.Sum());
        var received = await receiver.WaitForAsync(120);
        await Task.Delay(200);
        Assert.Equal(120, receiver.Received.Count);
        Assert.Equal(120, receiver.Received.Select(r => r.Id).Distinct().Count());
        Assert.All(await MessagesAsync(id), m => Assert.Equal((OutboxStatus.Sent, 1), (m.Status, m.Attempts)));
    }

    [Fact]
    public async Task Delivery_IsRetriedWithBackoff_WhenTheReceiverAnswers500_AndSucceedsWithTheSameIdOnceItRecovers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, id, _) = await SubscribeAsync(receiver, "test.changed");
        receiver.Status = 500;
        await PublishAsync("thing:1", new { n = 1 });

        await Server.DispatchOutboxAsync();
        var message = Assert.Single(await MessagesAsync(id));
        Assert.Equal(OutboxStatus.Retrying, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Equal(500, message.LastStatusCode);
        Assert.StartsWith("HTTP 500", message.LastError, StringComparison.Ordinal);
        var now = Server.Clock.GetUtcNow().UtcDateTime;
        Assert.InRange(message.NextAttemptAt, now.AddSeconds(7), now.AddSeconds(13));

        // Not due yet: nothing is sent.
        await Server.DispatchOutboxAsync();
        Assert.Single(receiver.Received);
        receiver.Status = 204;
        Server.Clock.Advance(TimeSpan.FromSeconds(15));
        await Server.DispatchOutboxAsync();

        var received = await receiver.WaitForAsync(2);
        Assert.Equal(2, received.Count);
        Assert.Equal(received[0].Id, received[1].Id);
        message = Assert.Single(await MessagesAsync(id));
        Assert.Equal(OutboxStatus.Sent, message.Status);
        Assert.Equal(2, message.Attempts);
    }

    [Fact]
    public async Task AReceiverAnswering500ForAnHour_IsRetriedWithGrowingGaps_AndGetsTheMessageOnceItRecovers()
    {
        // Twelve tries, the default (another test of this class lowers it for a while).
        var admin = await Server.ClientAsync(Roles.Admin);
        await (await admin.PutJsonAsync("/api/v1/settings/outbox.maxAttempts", new { value = "12" })).ExpectAsync(HttpStatusCode.OK);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, id, _) = await SubscribeAsync(receiver, "test.changed");
        receiver.Status = 500;
        await PublishAsync("thing:hour", new { n = 1 });

        var start = Server.Clock.GetUtcNow();
        var gaps = new List<TimeSpan>();
        while (Server.Clock.GetUtcNow() - start < TimeSpan.FromHours(1))
        {
            await Server.DispatchOutboxAsync();
            var failed = Assert.Single(await MessagesAsync(id));
            Assert.Equal(OutboxStatus.Retrying, failed.Status);
            Assert.Equal(gaps.Count + 1, failed.Attempts);
            var gap = failed.NextAttemptAt - Server.Clock.GetUtcNow().UtcDateTime;
            gaps.Add(gap);
            Server.Clock.Advance(gap + TimeSpan.FromSeconds(1));
        }
        // Exponential backoff with ±20 % jitter: each wait is 1.33 to 3 times the one before, so an hour of failures
        // costs about ten tries, not hundreds, and leaves the message far from its last try (12 by default).
        for (var i = 1; i < gaps.Count; i++)
        {
            Assert.InRange(gaps[i].TotalSeconds / gaps[i - 1].TotalSeconds, 1.3, 3.1);
        }
        Assert.InRange(gaps.Count, 7, 11);

        receiver.Status = 200;
        await Server.DispatchOutboxAsync();
        var sent = Assert.Single(await MessagesAsync(id));
        Assert.Equal(OutboxStatus.Sent, sent.Status);
        Assert.Equal(gaps.Count + 1, sent.Attempts);
        var received = await receiver.WaitForAsync(gaps.Count + 1);
        Assert.Equal(gaps.Count + 1, received.Count);
        Assert.Single(received.Select(r => r.Id).Distinct());
        // Delivered: nothing more goes out however much later.
        Server.Clock.Advance(TimeSpan.FromHours(12));
        await Server.DispatchOutboxAsync();
        Assert.Equal(gaps.Count + 1, receiver.Received.Count);
    }

    [Fact]
    public async Task Delivery_IsRetried_WhenTheReceiverIsDown_OrTooSlow()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, id, _) = await SubscribeAsync(receiver, "test.changed");
        await receiver.StopAsync();
        await PublishAsync("thing:down", new { n = 1 });

        await Server.DispatchOutboxAsync();
        var message = Assert.Single(await MessagesAsync(id));
        Assert.Equal(OutboxStatus.Retrying, message.Status);
        Assert.Contains("Could not reach", message.LastError, StringComparison.Ordinal);

        await receiver.StartAgainAsync();
        receiver.Delay = TimeSpan.FromSeconds(3);
        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        await Server.DispatchOutboxAsync();
        message = Assert.Single(await MessagesAsync(id));
        Assert.Equal(OutboxStatus.Retrying, message.Status);
        Assert.Equal(2, message.Attempts);
        Assert.Contains("Timed out", message.LastError, StringComparison.Ordinal);

        receiver.Delay = TimeSpan.Zero;
        Server.Clock.Advance(TimeSpan.FromMinutes(2));
        await Server.DispatchOutboxAsync();
        Assert.Equal(OutboxStatus.Sent, Assert.Single(await MessagesAsync(id)).Status);
    }

    [Fact]
    public async Task MessagesOfOneAggregate_AreDeliveredInOrder_EvenWhenTheFirstNeedsRetries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, id, _) = await SubscribeAsync(receiver, "test.changed");
        receiver.Status = 503;
        for (var n = 1; n <= 3; n++)
        {
            await PublishAsync("thing:ordered", new { n });
        }
        await PublishAsync("thing:other", new { n = 99 });

        await Server.DispatchOutboxAsync();
        // Only the first of the ordered aggregate was tried (and failed); the other aggregate was tried on its own.
        var first = await receiver.WaitForAsync(2);
        Assert.Equal([1, 99], first.Select(r => r.Json.GetProperty("data").GetProperty("n").GetInt32()).Order());

        receiver.Status = 200;
        for (var i = 0; i < 5; i++)
        {
            Server.Clock.Advance(TimeSpan.FromMinutes(5));
            await Server.DispatchOutboxAsync();
        }
        var ordered = receiver.Received.Select(r => r.Json.GetProperty("data").GetProperty("n").GetInt32()).Where(n => n != 99).ToList();
        Assert.Equal([1, 1, 2, 3], ordered);
        Assert.All(await MessagesAsync(id), m => Assert.Equal(OutboxStatus.Sent, m.Status));
    }

    [Fact]
    public async Task AMessage_IsDeadAfterTheLastTry_AndAnAdminCanRetryAndReplayIt()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        await (await admin.PutJsonAsync("/api/v1/settings/outbox.maxAttempts", new { value = "3" })).ExpectAsync(HttpStatusCode.OK);
        try
        {
            await DeadRetryAndReplayAsync(admin);
        }
        finally
        {
            await (await admin.DeleteAsync("/api/v1/settings/outbox.maxAttempts")).ExpectAsync(HttpStatusCode.OK);
        }
    }

    private async Task DeadRetryAndReplayAsync(HttpClient admin)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, id, _) = await SubscribeAsync(receiver, "test.changed");
        receiver.Status = 500;
        await PublishAsync("thing:dead", new { n = 1 });
        for (var i = 0; i < 3; i++)
        {
            await Server.DispatchOutboxAsync();
            Server.Clock.Advance(TimeSpan.FromMinutes(10));
        }
        var message = Assert.Single(await MessagesAsync(id));
        Assert.Equal(OutboxStatus.Dead, message.Status);
        Assert.Equal(3, message.Attempts);

        var dead = await (await admin.GetAsync("/api/v1/outbox?status=dead")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(dead!["items"]!.AsArray(), m => m!["id"]!.GetValue<long>() == message.Id);
        await (await admin.GetAsync("/api/v1/outbox?status=lost")).ExpectFieldErrorAsync("status");

        receiver.Status = 200;
        await (await admin.PostAsync($"/api/v1/outbox/{message.Id}/retry", null)).ExpectAsync(HttpStatusCode.Accepted);
        await Server.DispatchOutboxAsync();
        Assert.Equal(OutboxStatus.Sent, Assert.Single(await MessagesAsync(id)).Status);

        // Replaying a sent message delivers it again with the same webhook-id.
        await (await admin.PostAsync($"/api/v1/outbox/{message.Id}/retry", null)).ExpectAsync(HttpStatusCode.Accepted);
        await Server.DispatchOutboxAsync();
        var received = await receiver.WaitForAsync(5);
        Assert.Equal(5, received.Count);
        Assert.Single(received.Select(r => r.Id).Distinct());
        // Both admin actions are in the audit log, with the state the message came from.
        var audit = await Server.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(a => a.EntityType == nameof(OutboxMessage) && a.EntityId == message.Id.ToString()).OrderBy(a => a.Id).ToListAsync());
        Assert.Equal(["retried", "replayed"], audit.Select(a => a.Action));
        Assert.Equal("{\"Status\":[\"Dead\",\"Pending\"]}", audit[0].Changes);
        Assert.Equal("{\"Status\":[\"Sent\",\"Pending\"]}", audit[1].Changes);
        Assert.All(audit, a => Assert.StartsWith("apikey:", a.Actor, StringComparison.Ordinal));
        await (await admin.PostAsync("/api/v1/outbox/999999999/retry", null)).ExpectAsync(HttpStatusCode.NotFound);
        var integration = await Server.ClientAsync(Roles.Integration);
        await (await integration.GetAsync("/api/v1/outbox")).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AMessageClaimedByAnInstanceThatDied_IsDeliveredOnceItsLeaseLapses_ButNotStolenBefore()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, id, _) = await SubscribeAsync(receiver, "test.changed");
        await PublishAsync("thing:crash", new { n = 1 });
        var now = Server.Clock.GetUtcNow().UtcDateTime;
        // As if another instance had claimed it and was killed mid-delivery.
        await Server.WithDbAsync(db => db.OutboxMessages.Where(m => m.Target == id.ToString())
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.LockedBy, "killed-instance").SetProperty(m => m.LockedUntil, now.AddSeconds(60))));

        await Server.DispatchOutboxAsync();
        Assert.Empty(receiver.Received);
        Assert.Equal(OutboxStatus.Pending, Assert.Single(await MessagesAsync(id)).Status);

        Server.Clock.Advance(TimeSpan.FromSeconds(61));
        await Server.DispatchOutboxAsync();
        Assert.Single(await receiver.WaitForAsync(1));
        var message = Assert.Single(await MessagesAsync(id));
        Assert.Equal(OutboxStatus.Sent, message.Status);
        Assert.Null(message.LockedBy);
    }

    [Fact]
    public async Task AReceiverAnswering410_TurnsTheSubscriptionOff()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (client, id, _) = await SubscribeAsync(receiver, "*");
        receiver.Status = 410;
        await PublishAsync("thing:gone", new { n = 1 });
        await Server.DispatchOutboxAsync();
        Assert.Equal(OutboxStatus.Dead, Assert.Single(await MessagesAsync(id)).Status);
        var subscription = await (await client.GetAsync($"/api/v1/webhooks/subscriptions/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.False(subscription!["active"]!.GetValue<bool>());
        // An inactive subscription gets nothing new.
        await PublishAsync("thing:gone", new { n = 2 });
        Assert.Single(await MessagesAsync(id));
    }

    [Fact]
    public async Task Subscriptions_AreValidated_AndMerchantsOnlySeeTheirOwn()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        await (await client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = "ftp://example.com/x", events = new[] { "ping" } }))
            .ExpectFieldErrorAsync("url");
        await (await client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = "https://example.com/x", events = new[] { "ping", "no.such" } }))
            .ExpectFieldErrorAsync("events[1]");
        await (await client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = "https://example.com/x" })).ExpectFieldErrorAsync("events");
        await (await client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = "https://example.com/x", events = new[] { "ping" }, secret = "short" }))
            .ExpectFieldErrorAsync("secret");
        var own = await (await client.PostJsonAsync("/api/v1/webhooks/subscriptions",
            new { url = "https://example.com/x", events = new[] { "ping" }, secret = "my-own-secret-of-enough-length" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("my-own-secret-of-enough-length", own!["secret"]!.GetValue<string>());
        var listed = await (await client.GetAsync($"/api/v1/webhooks/subscriptions/{own["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Null(listed!["secret"]);

        var merchantA = "wh-m-a-" + Guid.NewGuid().ToString("N")[..6];
        var merchantB = "wh-m-b-" + Guid.NewGuid().ToString("N")[..6];
        foreach (var m in new[] { merchantA, merchantB })
        {
            await (await client.PutJsonAsync($"/api/v1/merchants/{m}", new { name = m })).ExpectAsync(HttpStatusCode.Created);
        }
        var a = await Server.ClientAsync(Roles.Integration, merchant: merchantA);
        var b = await Server.ClientAsync(Roles.Integration, merchant: merchantB);
        var mine = await (await a.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = "https://a.example.com/x", events = new[] { "*" } }))
            .ExpectAsync(HttpStatusCode.Created);
        await (await b.GetAsync($"/api/v1/webhooks/subscriptions/{mine!["id"]}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await b.PostAsync($"/api/v1/webhooks/subscriptions/{mine["id"]}/ping", null)).ExpectAsync(HttpStatusCode.NotFound);
        var seenByB = await (await b.GetAsync("/api/v1/webhooks/subscriptions")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(seenByB!["items"]!.AsArray());
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.GetAsync("/api/v1/webhooks/subscriptions")).ExpectAsync(HttpStatusCode.Forbidden);
    }
}
