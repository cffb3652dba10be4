using System.Collections.Concurrent;
using System.Net;
using CareLoop.Domain.Commerce;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Tests.Platform;

public sealed class DomainEventServerSqlite : SqliteServer
{
    protected override void Configure(WebApplicationBuilder builder) => builder.Services.AddDomainEventHandler<OrderReceived, RecordingOrderHandler>();
}

public sealed class DomainEventServerPostgres : PostgresServer
{
    protected override void Configure(WebApplicationBuilder builder) => builder.Services.AddDomainEventHandler<OrderReceived, RecordingOrderHandler>();
}

public sealed class DomainEventTestsSqlite(DomainEventServerSqlite fixture) : DomainEventTests(fixture), IClassFixture<DomainEventServerSqlite>;
public sealed class DomainEventTestsPostgres(DomainEventServerPostgres fixture) : DomainEventTests(fixture), IClassFixture<DomainEventServerPostgres>;

/// <summary>Records the orders it was told about (tests look for their own order numbers).</summary>
public sealed class RecordingOrderHandler : IDomainEventHandler<OrderReceived>
{
    public static readonly ConcurrentQueue<OrderReceived> Seen = new();

    /// <summary>Order numbers whose handling fails while they are listed (to show a failed reaction is retried).</summary>
    public static readonly ConcurrentDictionary<string, int> Failing = new();

    public Task HandleAsync(OrderReceived domainEvent, CancellationToken ct)
    {
        if (Failing.ContainsKey(domainEvent.Number))
        {
            throw new InvalidOperationException("The reacting module was briefly unavailable.");
        }
        Seen.Enqueue(domainEvent);
        return Task.CompletedTask;
    }
}

/// <summary>Domain events are stored with the change and reach their handlers after it commits, once, with retries.</summary>
public abstract class DomainEventTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    private static object Money(string amount) => new { amount, currency = "CNY" };

    private static async Task<(string Merchant, string Customer, string Product)> SeedAsync(HttpClient client)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (merchant, customer, product) = ("de-m-" + suffix, "de-c-" + suffix, "de-p-" + suffix);
        await (await client.PutJsonAsync($"/api/v1/merchants/{merchant}", new { name = "Shop" })).ExpectAsync(HttpStatusCode.Created);
        await (await client.PutJsonAsync($"/api/v1/customers/{customer}", new { name = "Han Meimei" })).ExpectAsync(HttpStatusCode.Created);
        await (await client.PutJsonAsync($"/api/v1/products/{product}", new { merchant, name = "Kettle", price = Money("129.00") })).ExpectAsync(HttpStatusCode.Created);
        return (merchant, customer, product);
    }

    private static object Order(string merchant, string customer, string product, string line) => new
    {
        merchant, customer, paidAt = "2026-04-30T10:00:00+08:00", paymentMethod = "alipay",
        lines = new[] { new { externalId = line, product, quantity = 1, unitPrice = Money("129.00") } },
    };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
    }

    /// <summary>Waits until the order's event message has had its attempt (the background dispatcher may be on it already).</summary>
    private async Task<OutboxMessage> SettledAsync(string number)
    {
        for (var i = 0; ; i++)
        {
            await Server.DispatchOutboxAsync();
            var message = await Server.WithDbAsync(db => db.OutboxMessages.AsNoTracking()
                .SingleAsync(m => m.Kind == DomainEventHandlerKind.Kind && m.Payload.Contains(number)));
            if ((message.Status != OutboxStatus.Pending && message.LockedBy is null) || i > 200) return message;
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task ANewOrder_ReachesTheHandlerOnce_AfterCommit_AndAnUpdateRaisesNothing()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var (merchant, customer, product) = await SeedAsync(client);
        var number = "DE" + Guid.NewGuid().ToString("N")[..10];

        await (await client.PutJsonAsync($"/api/v1/orders/{number}", Order(merchant, customer, product, number + "-1"))).ExpectAsync(HttpStatusCode.Created);
        await WaitUntilAsync(() => RecordingOrderHandler.Seen.Any(e => e.Number == number));
        var seen = Assert.Single(RecordingOrderHandler.Seen, e => e.Number == number);
        var orderId = await Server.WithDbAsync(db => db.Orders.Where(o => o.ExternalId == number).Select(o => o.Id).SingleAsync());
        Assert.Equal(orderId, seen.OrderId);

        var update = Order(merchant, customer, product, number + "-1");
        await (await client.PutJsonAsync($"/api/v1/orders/{number}", update)).ExpectAsync(HttpStatusCode.OK);
        await SettledAsync(number);
        Assert.Single(RecordingOrderHandler.Seen, e => e.Number == number);
        var message = Assert.Single(await Server.WithDbAsync(db => db.OutboxMessages.Where(m => m.Kind == DomainEventHandlerKind.Kind && m.Payload.Contains(number)).ToListAsync()));
        Assert.Equal(OutboxStatus.Sent, message.Status);
    }

    [Fact]
    public async Task AChangeThatIsRefused_RaisesNoEvent()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var (merchant, customer, product) = await SeedAsync(client);
        var good = "DE" + Guid.NewGuid().ToString("N")[..10];
        var bad = "DE" + Guid.NewGuid().ToString("N")[..10];
        // A bulk request is all or nothing: the second order names an unknown product, so neither is saved.
        var response = await client.PostJsonAsync("/api/v1/orders/bulk", new
        {
            items = new object[]
            {
                new { externalId = good, merchant, customer, paidAt = "2026-04-30T10:00:00+08:00", paymentMethod = "alipay", lines = new[] { new { externalId = good + "-1", product, quantity = 1, unitPrice = Money("1.00") } } },
                new { externalId = bad, merchant, customer, paidAt = "2026-04-30T10:00:00+08:00", paymentMethod = "alipay", lines = new[] { new { externalId = bad + "-1", product = "nope", quantity = 1, unitPrice = Money("1.00") } } },
            },
        });
        await response.ExpectAsync(HttpStatusCode.BadRequest);
        await Server.DispatchOutboxAsync();
        Assert.DoesNotContain(RecordingOrderHandler.Seen, e => e.Number == good || e.Number == bad);
        Assert.False(await Server.WithDbAsync(db => db.OutboxMessages.AnyAsync(m => m.Payload.Contains(good))));
    }

    [Fact]
    public async Task AFailingHandler_IsRetriedLater_WithoutBlockingTheChange()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var (merchant, customer, product) = await SeedAsync(client);
        var number = "DE" + Guid.NewGuid().ToString("N")[..10];
        RecordingOrderHandler.Failing[number] = 1;

        await (await client.PutJsonAsync($"/api/v1/orders/{number}", Order(merchant, customer, product, number + "-1"))).ExpectAsync(HttpStatusCode.Created);
        var message = await SettledAsync(number);
        Assert.Equal(OutboxStatus.Retrying, message.Status);
        Assert.Contains("briefly unavailable", message.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(RecordingOrderHandler.Seen, e => e.Number == number);

        RecordingOrderHandler.Failing.TryRemove(number, out _);
        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(OutboxStatus.Sent, (await SettledAsync(number)).Status);
        Assert.Single(RecordingOrderHandler.Seen, e => e.Number == number);
    }
}
