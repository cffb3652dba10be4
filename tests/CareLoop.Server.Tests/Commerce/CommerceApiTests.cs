using System.Net;
using System.Net.Http.Headers;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Tests.Commerce;

public sealed class CommerceApiTestsSqlite(SqliteServer fixture) : CommerceApiTests(fixture), IClassFixture<SqliteServer>;

public sealed class CommerceApiTestsPostgres(PostgresServer fixture) : CommerceApiTests(fixture), IClassFixture<PostgresServer>;

/// <summary>The integration API: upserts, bulk, tracking events, reads and their isolation. Each test uses its own ids.</summary>
public abstract class CommerceApiTests(ServerFixture fixture)
{
    protected CareLoopServer Server => fixture.Server;

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static object MoneyOf(string amount) => new { amount, currency = "CNY" };

    /// <summary>A merchant, a customer (with the phone) and a product, created through the API.</summary>
    private static async Task<(string Merchant, string Customer, string Product, string Phone)> SeedAsync(HttpClient integration)
    {
        var merchant = NewId("m");
        var customer = NewId("c");
        var product = NewId("p");
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        await (await integration.PutJsonAsync($"/api/v1/merchants/{merchant}", new { name = "Shop " + merchant })).ExpectAsync(HttpStatusCode.Created);
        await (await integration.PutJsonAsync($"/api/v1/customers/{customer}", new { name = "Li Lei", phone, email = "li@example.com" })).ExpectAsync(HttpStatusCode.Created);
        await (await integration.PutJsonAsync($"/api/v1/products/{product}", new { merchant, name = "Kettle", price = MoneyOf("129.00") })).ExpectAsync(HttpStatusCode.Created);
        return (merchant, customer, product, phone);
    }

    private static object OrderBody(string merchant, string customer, string product, string lineId, string? updatedAt = null) => new
    {
        merchant, customer, paidAt = "2026-04-30T10:00:00+08:00", paymentMethod = "wechat_pay",
        shippingFee = MoneyOf("10.00"), deliveryAddress = new { province = "浙江省", city = "杭州市" },
        lines = new[] { new { externalId = lineId, product, quantity = 2, unitPrice = MoneyOf("99.50") } },
        updatedAt,
    };

    [Fact]
    public async Task Put_CreatesThenUpdates_AndIgnoresAnOlderPayload()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var id = NewId("m");
        var created = await client.PutJsonAsync($"/api/v1/merchants/{id}", new { name = "A", updatedAt = "2026-04-01T00:00:00+08:00" });
        var body = await created.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(id, body!["externalId"]!.GetValue<string>());
        Assert.Equal(1, body["version"]!.GetValue<long>());
        Assert.Equal($"/api/v1/merchants/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal("\"1\"", created.Headers.ETag!.Tag);

        var updated = await (await client.PutJsonAsync($"/api/v1/merchants/{id}", new { name = "B", updatedAt = "2026-04-02T00:00:00+08:00" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("B", updated!["name"]!.GetValue<string>());
        Assert.Equal(2, updated["version"]!.GetValue<long>());

        var same = await (await client.PutJsonAsync($"/api/v1/merchants/{id}", new { name = "B", updatedAt = "2026-04-02T00:00:00+08:00" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, same!["version"]!.GetValue<long>());

        var older = await (await client.PutJsonAsync($"/api/v1/merchants/{id}", new { name = "C", updatedAt = "2026-03-01T00:00:00+08:00" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("B", older!["name"]!.GetValue<string>());
        Assert.Equal(2, older["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Put_WithStaleIfMatch_Returns412_AndWithCurrentOneUpdates()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var id = NewId("s");
        await (await client.PutJsonAsync($"/api/v1/suppliers/{id}", new { name = "Factory" })).ExpectAsync(HttpStatusCode.Created);

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/suppliers/{id}") { Content = System.Net.Http.Json.JsonContent.Create(new { name = "X" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"7\""));
        await (await client.SendAsync(stale)).ExpectAsync(HttpStatusCode.PreconditionFailed);

        using var current = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/suppliers/{id}") { Content = System.Net.Http.Json.JsonContent.Create(new { name = "Y", status = "approved" }) };
        current.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        var body = await (await client.SendAsync(current)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("approved", body!["status"]!.GetValue<string>());
        var read = await (await client.GetAsync($"/api/v1/suppliers/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Y", read!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bulk_IsAllOrNothing_AndNamesTheItemFields()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var (merchant, _, _, _) = await SeedAsync(client);
        var ok = NewId("p");
        var bad = await client.PostJsonAsync("/api/v1/products/bulk", new
        {
            items = new object[]
            {
                new { externalId = ok, merchant, name = "Fine", price = MoneyOf("1.00") },
                new { externalId = NewId("p"), merchant = "nobody", name = "", price = MoneyOf("-1.00") },
                new { externalId = ok, merchant, name = "Twice", price = MoneyOf("1.00") },
            },
        });
        var body = await bad.ExpectAsync(HttpStatusCode.BadRequest);
        var errors = body!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("items[1].name"), body.ToJsonString());
        Assert.True(errors.ContainsKey("items[1].price"), body.ToJsonString());
        Assert.True(errors.ContainsKey("items[2].externalId"), body.ToJsonString());
        Assert.False(await Server.WithDbAsync(db => db.Products.AnyAsync(p => p.ExternalId == ok)));

        var unknownRef = await client.PostJsonAsync("/api/v1/products/bulk", new
        {
            items = new object[] { new { externalId = ok, merchant, name = "Fine", price = MoneyOf("1.00") }, new { externalId = NewId("p"), merchant = "nobody", name = "N", price = MoneyOf("1.00") } },
        });
        Assert.Contains("nobody", await unknownRef.ExpectFieldErrorAsync("items[1].merchant"));
        Assert.False(await Server.WithDbAsync(db => db.Products.AnyAsync(p => p.ExternalId == ok)));

        var items = Enumerable.Range(0, 3).Select(i => new { externalId = $"{ok}-{i}", merchant, name = $"P{i}", price = MoneyOf("5.00") }).ToArray();
        var first = await (await client.PostJsonAsync("/api/v1/products/bulk", new { items })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, first!["created"]!.GetValue<int>());
        var again = await (await client.PostJsonAsync("/api/v1/products/bulk", new { items })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, again!["created"]!.GetValue<int>());
        Assert.Equal(3, again["unchanged"]!.GetValue<int>());
    }

    [Fact]
    public async Task Order_WithUnknownProduct_IsRejectedNamingTheLine_AndNothingIsStored()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var (merchant, customer, _, _) = await SeedAsync(client);
        var number = NewId("SO");
        var response = await client.PutJsonAsync($"/api/v1/orders/{number}", OrderBody(merchant, customer, "no-such-product", number + "-1"));
        Assert.Contains("no-such-product", await response.ExpectFieldErrorAsync("lines[0].product"));
        Assert.False(await Server.WithDbAsync(db => db.Orders.IgnoreQueryFilters().AnyAsync(o => o.ExternalId == number)));
        Assert.False(await Server.WithDbAsync(db => db.OrderLines.AnyAsync(l => l.ExternalId == number + "-1")));
    }

    [Fact]
    public async Task Order_IsUpsertedWithLines_AndTotals_AndRejectsALineOfAnotherOrder()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var (merchant, customer, product, _) = await SeedAsync(client);
        var number = NewId("SO");
        var body = await (await client.PutJsonAsync($"/api/v1/orders/{number}", OrderBody(merchant, customer, product, number + "-1"))).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("209.00", body!["totalPaid"]!["amount"]!.GetValue<string>());
        Assert.Equal(product, body["lines"]![0]!["product"]!.GetValue<string>());
        Assert.Equal(merchant, body["merchant"]!.GetValue<string>());

        var other = NewId("SO");
        var clash = await client.PutJsonAsync($"/api/v1/orders/{other}", OrderBody(merchant, customer, product, number + "-1"));
        Assert.Contains(number, await clash.ExpectFieldErrorAsync("lines[0].externalId"));

        var badEnum = await client.PutJsonAsync($"/api/v1/orders/{other}", new { merchant, customer, paymentMethod = "bitcoin", lines = Array.Empty<object>() });
        await badEnum.ExpectFieldErrorAsync("paymentMethod");
        var noLines = await client.PutJsonAsync($"/api/v1/orders/{other}", new { merchant, customer, lines = Array.Empty<object>() });
        await noLines.ExpectFieldErrorAsync("lines");
        var zero = await client.PutJsonAsync($"/api/v1/orders/{other}", new
        {
            merchant, customer, shippingFee = new { amount = "1.00", currency = "USD" },
            lines = new[] { new { externalId = other + "-1", product, quantity = 0, unitPrice = MoneyOf("1.00") } },
        });
        var zeroBody = await zero.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(zeroBody!["errors"]!["lines[0].quantity"]);
        Assert.NotNull(zeroBody["errors"]!["lines[0].unitPrice"]);
        await (await client.PutJsonAsync($"/api/v1/orders/{new string('x', 101)}", new { })).ExpectFieldErrorAsync("externalId");
    }

    [Fact]
    public async Task Category_CannotBecomeItsOwnAncestor()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var root = NewId("cat");
        var child = NewId("cat");
        await (await client.PutJsonAsync($"/api/v1/categories/{root}", new { name = "Root" })).ExpectAsync(HttpStatusCode.Created);
        await (await client.PutJsonAsync($"/api/v1/categories/{child}", new { name = "Child", parent = root })).ExpectAsync(HttpStatusCode.Created);
        await (await client.PutJsonAsync($"/api/v1/categories/{root}", new { name = "Root", parent = child })).ExpectFieldErrorAsync("parent");
    }

    [Fact]
    public async Task TrackingEvents_AreDeduplicated_KeptPending_AndAttachedWhenTheShipmentArrives()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var (merchant, customer, product, _) = await SeedAsync(client);
        var number = NewId("SO");
        await (await client.PutJsonAsync($"/api/v1/orders/{number}", OrderBody(merchant, customer, product, number + "-1"))).ExpectAsync(HttpStatusCode.Created);
        var tracking = NewId("SF");
        object Event(string id, string status, string at) => new { carrier = "sf", trackingNumber = tracking, carrierEventId = id, occurredAt = at, status, place = "杭州" };

        var first = await client.PostJsonAsync("/api/v1/tracking-events", new
        {
            events = new[] { Event("e1", "picked_up", "2026-05-01T09:00:00+08:00"), Event("e2", "in_transit", "2026-05-01T18:00:00+08:00"), Event("e1", "picked_up", "2026-05-01T09:00:00+08:00") },
        });
        var pending = await first.ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal(2, pending!["accepted"]!.GetValue<int>());
        Assert.Equal(1, pending["duplicates"]!.GetValue<int>());
        Assert.Equal(2, pending["pending"]!.GetValue<int>());

        var shipment = NewId("sh");
        var created = await (await client.PutJsonAsync($"/api/v1/shipments/{shipment}", new
        {
            order = number, carrier = "sf", trackingNumber = tracking, shippedAt = "2026-05-01T08:00:00+08:00",
            lines = new[] { new { orderLine = number + "-1", quantity = 2 } },
        })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("in_transit", created!["status"]!.GetValue<string>());

        var more = await client.PostJsonAsync("/api/v1/tracking-events", new
        {
            events = new[] { Event("e2", "in_transit", "2026-05-01T18:00:00+08:00"), Event("e3", "delivered", "2026-05-02T11:00:00+08:00") },
        });
        var matched = await more.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, matched!["accepted"]!.GetValue<int>());
        Assert.Equal(1, matched["duplicates"]!.GetValue<int>());

        var read = await (await client.GetAsync($"/api/v1/shipments/{shipment}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("delivered", read!["status"]!.GetValue<string>());
        var order = await (await client.GetAsync($"/api/v1/orders/{number}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, order!["shipments"]![0]!["events"]!.AsArray().Count);

        await (await client.PostJsonAsync("/api/v1/tracking-events", new { events = new[] { new { carrier = "sf", trackingNumber = tracking, carrierEventId = "e9", occurredAt = "2026-05-02T11:00:00", status = "teleported" } } }))
            .ExpectFieldErrorAsync("events[0].status");
    }

    [Fact]
    public async Task Merchant_SeesOnlyItsOwnOrders_OthersAre404()
    {
        var integration = await Server.ClientAsync(Roles.Integration);
        var a = await SeedAsync(integration);
        var b = await SeedAsync(integration);
        var orderA = NewId("SO");
        var orderB = NewId("SO");
        await (await integration.PutJsonAsync($"/api/v1/orders/{orderA}", OrderBody(a.Merchant, a.Customer, a.Product, orderA + "-1"))).ExpectAsync(HttpStatusCode.Created);
        await (await integration.PutJsonAsync($"/api/v1/orders/{orderB}", OrderBody(b.Merchant, b.Customer, b.Product, orderB + "-1"))).ExpectAsync(HttpStatusCode.Created);

        var merchantA = await Server.ClientAsync(Roles.Merchant, merchant: a.Merchant);
        var own = await (await merchantA.GetAsync($"/api/v1/orders/{orderA}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(orderA, own!["number"]!.GetValue<string>());
        await (await merchantA.GetAsync($"/api/v1/orders/{orderB}")).ExpectAsync(HttpStatusCode.NotFound);
        var search = await (await merchantA.GetAsync($"/api/v1/orders?number={orderB}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(search!["items"]!.AsArray());
        var byPhone = await (await merchantA.GetAsync($"/api/v1/orders?phone={b.Phone}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(byPhone!["items"]!.AsArray());
        await (await merchantA.GetAsync($"/api/v1/merchants/{b.Merchant}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await merchantA.GetAsync($"/api/v1/products/{b.Product}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await merchantA.GetAsync($"/api/v1/customers/{b.Customer}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await merchantA.GetAsync($"/api/v1/customers/{a.Customer}")).ExpectAsync(HttpStatusCode.OK);

        var staff = await Server.ClientAsync(Roles.Agent);
        var all = await (await staff.GetAsync($"/api/v1/orders?phone={b.Phone}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(all!["items"]!.AsArray());
    }

    [Fact]
    public async Task Customer_SeesOnlyTheirOwnOrders_OthersAre404()
    {
        var integration = await Server.ClientAsync(Roles.Integration);
        var a = await SeedAsync(integration);
        var b = await SeedAsync(integration);
        var orderA = NewId("SO");
        var orderB = NewId("SO");
        await (await integration.PutJsonAsync($"/api/v1/orders/{orderA}", OrderBody(a.Merchant, a.Customer, a.Product, orderA + "-1"))).ExpectAsync(HttpStatusCode.Created);
        await (await integration.PutJsonAsync($"/api/v1/orders/{orderB}", OrderBody(a.Merchant, b.Customer, a.Product, orderB + "-1"))).ExpectAsync(HttpStatusCode.Created);

        var customerA = await Server.ClientAsync(Roles.Customer, customer: a.Customer);
        await (await customerA.GetAsync($"/api/v1/orders/{orderA}")).ExpectAsync(HttpStatusCode.OK);
        await (await customerA.GetAsync($"/api/v1/orders/{orderB}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await customerA.GetAsync($"/api/v1/customers/{b.Customer}")).ExpectAsync(HttpStatusCode.NotFound);
        var own = await (await customerA.GetAsync($"/api/v1/customers/{a.Customer}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("regular", own!["tier"]!.GetValue<string>());
        var search = await (await customerA.GetAsync($"/api/v1/orders?phone={b.Phone}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(search!["items"]!.AsArray());
    }

    [Fact]
    public async Task Unauthenticated_Is401_AndWrongRole_Is403()
    {
        var anonymous = Server.CreateClient();
        await (await anonymous.PutJsonAsync("/api/v1/merchants/x", new { name = "X" })).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.GetAsync("/api/v1/orders/x")).ExpectAsync(HttpStatusCode.Unauthorized);
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.PutJsonAsync("/api/v1/merchants/x", new { name = "X" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await agent.PostJsonAsync("/api/v1/tracking-events", new { events = Array.Empty<object>() })).ExpectAsync(HttpStatusCode.Forbidden);
        var merchantKey = Server.CreateClient("cl_0000000000000000_nosuchsecret");
        await (await merchantKey.GetAsync("/api/v1/orders/x")).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task MerchantBoundIntegrationKey_WritesOnlyItsOwnMerchantsRecords()
    {
        var integration = await Server.ClientAsync(Roles.Integration);
        var a = await SeedAsync(integration);
        var b = await SeedAsync(integration);
        var shopA = await Server.ClientAsync(Roles.Integration, merchant: a.Merchant);

        var own = NewId("SO");
        await (await shopA.PutJsonAsync($"/api/v1/orders/{own}", OrderBody(a.Merchant, a.Customer, a.Product, own + "-1"))).ExpectAsync(HttpStatusCode.Created);
        var foreign = NewId("SO");
        await (await shopA.PutJsonAsync($"/api/v1/orders/{foreign}", OrderBody(b.Merchant, a.Customer, b.Product, foreign + "-1"))).ExpectFieldErrorAsync("merchant");
        await (await shopA.PutJsonAsync($"/api/v1/products/{b.Product}", new { merchant = a.Merchant, name = "Hijacked", price = MoneyOf("1.00") })).ExpectAsync(HttpStatusCode.Conflict);
        await (await shopA.PutJsonAsync($"/api/v1/suppliers/{NewId("s")}", new { name = "Factory" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await shopA.PutJsonAsync($"/api/v1/merchants/{b.Merchant}", new { name = "Taken over" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await shopA.PostJsonAsync("/api/v1/tracking-events", new { events = Array.Empty<object>() })).ExpectAsync(HttpStatusCode.Forbidden);

        var product = await (await integration.GetAsync($"/api/v1/products/{b.Product}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Kettle", product!["name"]!.GetValue<string>());
        Assert.Equal(0, await Server.WithDbAsync(db => Task.FromResult(db.Orders.Count(o => o.ExternalId == foreign))));
    }

    [Fact]
    public async Task OrderSearch_PagesByCursor_NewestPaidFirst_AndANewOrderDoesNotShiftLaterPages()
    {
        var integration = await Server.ClientAsync(Roles.Integration);
        var a = await SeedAsync(integration);
        var numbers = new List<string>();
        foreach (var paidAt in new[] { "2026-04-01T10:00:00+08:00", "2026-04-03T10:00:00+08:00", null, "2026-04-02T10:00:00+08:00" })
        {
            var n = NewId("SO");
            numbers.Add(n);
            await (await integration.PutJsonAsync($"/api/v1/orders/{n}", new
            {
                merchant = a.Merchant, customer = a.Customer, paidAt, paymentMethod = "alipay",
                lines = new[] { new { externalId = n + "-1", product = a.Product, quantity = 1, unitPrice = MoneyOf("10.00") } },
            })).ExpectAsync(HttpStatusCode.Created);
        }
        var agent = await Server.ClientAsync(Roles.Agent);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await agent.GetAsync($"/api/v1/orders?phone={a.Phone}&limit=1" + (cursor is null ? "" : $"&cursor={cursor}"))).ExpectAsync(HttpStatusCode.OK);
            seen.AddRange(page!["items"]!.AsArray().Select(i => i!["number"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            if (seen.Count == 1)
            {
                // A newer order arriving while the caller pages must not make it see an order twice.
                var late = NewId("SO");
                await (await integration.PutJsonAsync($"/api/v1/orders/{late}", OrderBody(a.Merchant, a.Customer, a.Product, late + "-1"))).ExpectAsync(HttpStatusCode.Created);
            }
        }
        while (cursor is not null);

        Assert.Equal([numbers[1], numbers[3], numbers[0], numbers[2]], seen);
        await (await agent.GetAsync($"/api/v1/orders?phone={a.Phone}&cursor=bm90LWEtY3Vyc29y")).ExpectFieldErrorAsync("cursor");
    }
}
