using System.Net;
using System.Text;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;

namespace CareLoop.Server.Tests.Platform;

public sealed class HostileInputTestsSqlite(SqliteServer fixture) : HostileInputTests(fixture), IClassFixture<SqliteServer>;

public sealed class HostileInputTestsPostgres(PostgresServer fixture) : HostileInputTests(fixture), IClassFixture<PostgresServer>;

/// <summary>Whatever a client sends, the answer is a 4xx problem, never a server error.</summary>
public abstract class HostileInputTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    private static readonly string[] Kinds = ["merchants", "suppliers", "categories", "products", "lots", "customers", "orders", "shipments"];

    private static readonly string[] Fields =
    [
        "name", "merchant", "customer", "supplier", "category", "parent", "product", "order", "lines", "price", "shippingFee",
        "status", "tier", "riskLevel", "paidAt", "placedAt", "updatedAt", "quantity", "deliveryAddress", "addresses",
        "certificates", "attributes", "carrier", "trackingNumber", "promisedDeliveryDate", "birthday", "depositBalance",
        "externalId", "batchNumber", "productionDate", "events", "items",
    ];

    private static readonly string[] Values =
    [
        "null", "true", "-1", "0", "1e309", "99999999999999999999999", "\"\"", "\"x\"", "[]", "{}", "[null]", "[{}]", "[1,2]",
        "{\"amount\":\"-5.00\",\"currency\":\"CNY\"}", "{\"amount\":\"1.001\"}", "{\"amount\":\"abc\"}", "{\"currency\":\"cny\"}",
        "\"2026-13-45T99:99:99+08:00\"", "\"2026-05-01T10:00:00\"", "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"",
        "\"" + new string('长', 5000) + "\"", "[{\"externalId\":null,\"quantity\":\"two\"}]", "\"\\u0000\"",
    ];

    [Fact]
    public async Task MalformedFields_OnEveryKind_AreNeverAServerError()
    {
        var client = await Server.ClientAsync(Roles.Admin);
        var random = new Random(20261125);
        var failures = new List<string>();
        foreach (var kind in Kinds)
        {
            for (var i = 0; i < 25; i++)
            {
                var fields = Enumerable.Range(0, 1 + random.Next(4))
                    .Select(_ => $"\"{Fields[random.Next(Fields.Length)]}\": {Values[random.Next(Values.Length)]}")
                    .DistinctBy(f => f[..f.IndexOf(':', StringComparison.Ordinal)]);
                var body = "{" + string.Join(",", fields) + "}";
                var id = "hostile-" + random.Next(1000);
                using var put = await client.PutAsync($"/api/v1/{kind}/{id}", new StringContent(body, Encoding.UTF8, "application/json"));
                using var bulk = await client.PostAsync($"/api/v1/{kind}/bulk", new StringContent("{\"items\":[" + body + "]}", Encoding.UTF8, "application/json"));
                foreach (var (response, what) in new[] { (put, "PUT"), (bulk, "bulk") })
                {
                    if ((int)response.StatusCode >= 500)
                    {
                        failures.Add($"{what} {kind} {body[..Math.Min(body.Length, 200)]} → {(int)response.StatusCode}");
                    }
                }
            }
        }
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("/api/v1/calendars", "POST")]
    [InlineData("/api/v1/calendars/24x7/add-business-time", "POST")]
    [InlineData("/api/v1/calendars/24x7/add-working-days", "POST")]
    [InlineData("/api/v1/calendars/24x7/business-minutes-between", "POST")]
    [InlineData("/api/v1/calendars/24x7", "PUT")]
    [InlineData("/api/v1/tracking-events", "POST")]
    [InlineData("/api/v1/apikeys", "POST")]
    [InlineData("/api/v1/settings/platform.timeZone", "PUT")]
    public async Task MalformedBodies_AreNeverAServerError(string path, string method)
    {
        var client = await Server.ClientAsync(Roles.Admin);
        string[] bodies =
        [
            "", "null", "[]", "\"text\"", "{", "{\"weekly\":{\"monday\":[[\"09:00\"]]}}", "{\"weekly\":{\"monday\":[null]}}",
            "{\"weekly\":[]}", "{\"holidays\":[null]}", "{\"extraWorkdays\":[null]}", "{\"extraWorkdays\":[{\"intervals\":[[\"x\",\"y\"]]}]}",
            "{\"start\":null,\"minutes\":null}", "{\"start\":\"2026-05-01T10:00:00+08:00\",\"minutes\":1e10}",
            "{\"date\":\"2026-02-30\",\"days\":-5}", "{\"from\":\"2026-05-01T10:00:00+99:00\",\"to\":\"x\"}",
            "{\"events\":[null]}", "{\"events\":[{\"occurredAt\":\"yesterday\",\"status\":\"teleported\"}]}",
            "{\"name\":null,\"role\":null}", "{\"value\":[]}", "{\"code\":\"" + new string('x', 300) + "\",\"name\":\"x\",\"timeZone\":\"UTC\",\"weekly\":{}}",
            "{\"code\":\"a\",\"name\":\"x\",\"timeZone\":\"../../etc/passwd\",\"weekly\":{}}",
        ];
        var failures = new List<string>();
        foreach (var body in bodies)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode >= 500) failures.Add($"{body} → {(int)response.StatusCode}");
        }
        Assert.Empty(failures);
    }

    [Fact]
    public async Task ControlCharactersInText_AreRefusedOrStored_NeverAServerError()
    {
        var client = await Server.ClientAsync(Roles.Admin);

        using var response = await client.PutAsync("/api/v1/merchants/nul-" + Guid.NewGuid().ToString("N")[..8],
            new StringContent("{\"name\":\"a\\u0000b\"}", Encoding.UTF8, "application/json"));

        Assert.InRange((int)response.StatusCode, 200, 499);
    }

    [Fact]
    public async Task WrongContentType_Is415_AndHugeBodiesAreRefused()
    {
        var client = await Server.ClientAsync(Roles.Admin);

        var text = await client.PostAsync("/api/v1/calendars", new StringContent("code=x", Encoding.UTF8, "text/plain"));
        var huge = await client.PostAsync("/api/v1/orders/bulk", new StringContent("{\"items\":[\"" + new string('x', 17 * 1024 * 1024) + "\"]}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.InRange((int)huge.StatusCode, 400, 499);
    }
}
