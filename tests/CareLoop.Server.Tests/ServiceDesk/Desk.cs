using System.Net;
using System.Text.Json.Nodes;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;

namespace CareLoop.Server.Tests.ServiceDesk;

/// <summary>Test data for the service desk, created through the API with unique ids so tests never share records.</summary>
public sealed class Desk(CareLoopServer server)
{
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    private HttpClient? _integration;
    private HttpClient? _admin;

    public async Task<HttpClient> IntegrationAsync() => _integration ??= await server.ClientAsync(Roles.Integration);

    public async Task<HttpClient> AdminAsync() => _admin ??= await server.ClientAsync(Roles.Admin);

    public async Task<string> CustomerAsync(string tier = "regular", string name = "李雷")
    {
        var id = NewId("c");
        await (await (await IntegrationAsync()).PutJsonAsync($"/api/v1/customers/{id}", new { name, tier, phone = "13800001234", email = $"{id}@example.com" }))
            .ExpectAsync(HttpStatusCode.Created);
        return id;
    }

    /// <summary>A merchant, a product and an order of the customer; returns (merchant, order number).</summary>
    public async Task<(string Merchant, string Order)> OrderAsync(string customer)
    {
        var client = await IntegrationAsync();
        var merchant = NewId("m");
        var product = NewId("p");
        var order = NewId("o");
        await (await client.PutJsonAsync($"/api/v1/merchants/{merchant}", new { name = "Shop" })).ExpectAsync(HttpStatusCode.Created);
        await (await client.PutJsonAsync($"/api/v1/products/{product}", new { merchant, name = "电水壶", price = new { amount = "129.00", currency = "CNY" } })).ExpectAsync(HttpStatusCode.Created);
        await (await client.PutJsonAsync($"/api/v1/orders/{order}", new
        {
            merchant, customer, paidAt = "2026-04-30T10:00:00+08:00", paymentMethod = "alipay",
            lines = new[] { new { externalId = order + "-1", product, quantity = 1, unitPrice = new { amount = "129.00", currency = "CNY" } } },
        })).ExpectAsync(HttpStatusCode.Created);
        return (merchant, order);
    }

    public async Task<JsonNode> TicketAsync(string customer, string channel = "web", string? category = null, string? priority = null, string? order = null, HttpClient? client = null)
    {
        client ??= await IntegrationAsync();
        var body = await (await client.PostJsonAsync("/api/v1/tickets", new
        {
            channel, customer = new { externalId = customer }, category, priority, orderNumber = order,
            subject = "快递三天没动了", message = "订单一直显示运输中，三天没更新了",
        })).ExpectAsync(HttpStatusCode.Created);
        return body!;
    }

    public static JsonNode Metric(JsonNode ticketOrSla, string metric)
    {
        var sla = ticketOrSla["sla"] ?? ticketOrSla;
        return sla["metrics"]!.AsArray().Single(m => m!["metric"]!.GetValue<string>() == metric)!;
    }
}
