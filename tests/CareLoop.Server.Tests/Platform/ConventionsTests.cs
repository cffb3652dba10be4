using System.Net;
using System.Net.Http.Headers;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CareLoop.Server.Tests.Platform;

public sealed class ConventionsTestsSqlite(SqliteServer fixture) : ConventionsTests(fixture), IClassFixture<SqliteServer>;

public sealed class ConventionsTestsPostgres(PostgresServer fixture) : ConventionsTests(fixture), IClassFixture<PostgresServer>;

/// <summary>API conventions shared by every module: authentication, idempotency, problem details, operations endpoints.</summary>
public abstract class ConventionsTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    private static object Calendar(string code) => new { code, name = "Idem " + code, timeZone = "Asia/Shanghai", weekly = new { monday = new[] { new[] { "09:00", "18:00" } } } };

    private static HttpRequestMessage Post(string url, object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = System.Net.Http.Json.JsonContent.Create(body, options: Api.Json) };
        if (key is not null) request.Headers.Add(IdempotencyMiddleware.Header, key);
        return request;
    }

    [Fact]
    public async Task IdempotencyKey_ReplayReturnsTheOriginalAnswer_AndCreatesOnce()
    {
        var client = await Server.ClientAsync(Roles.Admin);
        var key = Guid.NewGuid().ToString();
        var code = "idem-" + Guid.NewGuid().ToString("N")[..8];

        var first = await client.SendAsync(Post("/api/v1/calendars", Calendar(code), key));
        var second = await client.SendAsync(Post("/api/v1/calendars", Calendar(code), key));

        var a = await first.ExpectAsync(HttpStatusCode.Created);
        var b = await second.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(a!["id"]!.GetValue<string>(), b!["id"]!.GetValue<string>());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        var count = await Server.WithDbAsync(db => Task.FromResult(db.Calendars.Count(c => c.Code == code)));
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task IdempotencyKey_ReusedWithADifferentBody_Is422()
    {
        var client = await Server.ClientAsync(Roles.Admin);
        var key = Guid.NewGuid().ToString();

        await (await client.SendAsync(Post("/api/v1/calendars", Calendar("idem-" + Guid.NewGuid().ToString("N")[..8]), key))).ExpectAsync(HttpStatusCode.Created);
        var again = await client.SendAsync(Post("/api/v1/calendars", Calendar("idem-" + Guid.NewGuid().ToString("N")[..8]), key));

        await again.ExpectAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task IdempotencyKey_IsForgottenAfter24Hours()
    {
        var client = await Server.ClientAsync(Roles.Admin);
        var key = Guid.NewGuid().ToString();
        await (await client.SendAsync(Post("/api/v1/calendars", Calendar("idem-" + Guid.NewGuid().ToString("N")[..8]), key))).ExpectAsync(HttpStatusCode.Created);

        // The hourly cleanup runs on the server's clock; moving it a day on purges the record.
        Server.Clock.Advance(TimeSpan.FromHours(25));
        await Server.InScopeAsync(sp => sp.GetRequiredService<CareLoop.Server.Platform.Jobs.IdempotencyCleanupJob>().RunAsync(new("idempotency-cleanup", DateTime.UtcNow, CareLoop.Server.Platform.Jobs.JobTrigger.Manual, 0), CancellationToken.None).ContinueWith(_ => 0));
        var left = await Server.WithDbAsync(db => Task.FromResult(db.IdempotencyRecords.Count(r => r.Key == key)));
        var reused = await client.SendAsync(Post("/api/v1/calendars", Calendar("idem-" + Guid.NewGuid().ToString("N")[..8]), key));

        Assert.Equal(0, left);
        await reused.ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task IdempotencyKey_IsScopedToTheCaller()
    {
        var one = await Server.ClientAsync(Roles.Admin);
        var other = await Server.ClientAsync(Roles.Admin);
        var key = Guid.NewGuid().ToString();

        await (await one.SendAsync(Post("/api/v1/calendars", Calendar("idem-" + Guid.NewGuid().ToString("N")[..8]), key))).ExpectAsync(HttpStatusCode.Created);
        var theirs = await other.SendAsync(Post("/api/v1/calendars", Calendar("idem-" + Guid.NewGuid().ToString("N")[..8]), key));

        await theirs.ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task IdempotencyKey_WhileTheFirstIsStillRunning_Is409()
    {
        var token = await Server.CreateApiKeyAsync(Roles.Admin);
        Assert.True(ApiKeyFormat.TryParse(token, out var keyId, out _));
        var key = Guid.NewGuid().ToString();
        var body = Calendar("idem-" + Guid.NewGuid().ToString("N")[..8]);
        using var request = Post("/api/v1/calendars", body, key);
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await request.Content!.ReadAsByteArrayAsync()));
        await Server.WithDbAsync(async db =>
        {
            var now = Server.Clock.GetUtcNow().UtcDateTime;
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                Caller = "apikey:" + keyId, Key = key, Method = "POST", Path = "/api/v1/calendars", RequestHash = hash,
                CreatedAt = now, ExpiresAt = now.AddHours(24),
            });
            return await db.SaveChangesAsync();
        });

        var response = await Server.CreateClient(token).SendAsync(request);

        await response.ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task WithoutCredentials_ApiAnswers401_AndABadKeyToo()
    {
        var anonymous = Server.CreateClient();
        var forged = Server.CreateClient("cl_0000000000000000_" + new string('0', 48));

        await (await anonymous.GetAsync("/api/v1/calendars")).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await forged.GetAsync("/api/v1/calendars")).ExpectAsync(HttpStatusCode.Unauthorized);
        await (await Server.CreateClient("not-a-key").GetAsync("/api/v1/calendars")).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AKeyWithTheRightIdButAWrongSecret_Is401()
    {
        var token = await Server.CreateApiKeyAsync(Roles.Admin);
        var wrong = token[..^4] + (token.EndsWith("0000", StringComparison.Ordinal) ? "1111" : "0000");

        await (await Server.CreateClient(token).GetAsync("/api/v1/calendars")).ExpectAsync(HttpStatusCode.OK);
        await (await Server.CreateClient(wrong).GetAsync("/api/v1/calendars")).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ProblemTitles_FollowAcceptLanguage_KeysDoNot()
    {
        var client = await Server.ClientAsync(Roles.Admin);
        async Task<(string Title, string[] Keys)> Ask(string language)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/calendars/24x7/add-business-time")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { start = "2026-01-01T00:00:00", minutes = 1 }),
            };
            request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
            var response = await client.SendAsync(request);
            var body = await response.ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            return (body!["title"]!.GetValue<string>(), body["errors"]!.AsObject().Select(e => e.Key).ToArray());
        }

        var zh = await Ask("zh-CN");
        var en = await Ask("en");

        Assert.Equal("请求有误", zh.Title);
        Assert.Equal("Bad request", en.Title);
        Assert.Equal(zh.Keys, en.Keys);
        Assert.Equal(["start"], en.Keys);
    }

    [Fact]
    public async Task MalformedJson_Is400()
    {
        var client = await Server.ClientAsync(Roles.Admin);

        var response = await client.PostAsync("/api/v1/calendars", new StringContent("{\"code\": ", System.Text.Encoding.UTF8, "application/json"));

        await response.ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    public async Task OperationsEndpoints_AreAnonymous(string path)
    {
        var response = await Server.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_ListsTheFoundationPaths_AndTheBearerScheme()
    {
        var doc = await (await Server.CreateClient().GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);
        var paths = doc!["paths"]!.AsObject().Select(p => p.Key).ToList();

        foreach (var path in new[] { "/api/v1/calendars", "/api/v1/calendars/{id}/add-business-time", "/api/v1/calendars/{id}/add-working-days",
            "/api/v1/calendars/{id}/business-minutes-between", "/api/v1/orders/{externalId}", "/api/v1/orders/bulk", "/api/v1/tracking-events",
            "/api/v1/customers/{externalId}", "/api/v1/apikeys", "/api/v1/me" })
        {
            Assert.Contains(path, paths);
        }
        Assert.Equal("bearer", doc["components"]!["securitySchemes"]!["apiKey"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task Me_SaysWhoTheCallerIsAndWhatItIsBoundTo()
    {
        var integration = await Server.ClientAsync(Roles.Integration);
        var merchant = "me-" + Guid.NewGuid().ToString("N")[..8];
        await (await integration.PutJsonAsync($"/api/v1/merchants/{merchant}", new { name = "Me shop" })).ExpectAsync(HttpStatusCode.Created);
        var shop = await Server.ClientAsync(Roles.Merchant, merchant: merchant);

        var me = await (await shop.GetAsync("/api/v1/me")).ExpectAsync(HttpStatusCode.OK);

        Assert.StartsWith("apikey:", me!["caller"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["merchant"], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(merchant, me["merchant"]!.GetValue<string>());
        await (await Server.CreateClient().GetAsync("/api/v1/me")).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Settings_HaveDefaults_AndRefuseAnUnknownCalendar()
    {
        var admin = await Server.ClientAsync(Roles.Admin);

        var list = await (await admin.GetAsync("/api/v1/settings")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(list!["items"]!.AsArray(), s => s!["key"]!.GetValue<string>() == "platform.timeZone" && s["value"]!.GetValue<string>() == "Asia/Shanghai");
        await (await admin.PutJsonAsync("/api/v1/settings/platform.defaultCalendar", new { value = "no-such-calendar" })).ExpectFieldErrorAsync("value");
        await (await admin.PutJsonAsync("/api/v1/settings/platform.timeZone", new { value = "Mars/Olympus" })).ExpectFieldErrorAsync("value");
        await (await (await Server.ClientAsync(Roles.Agent)).PutJsonAsync("/api/v1/settings/platform.timeZone", new { value = "Asia/Shanghai" })).ExpectAsync(HttpStatusCode.Forbidden);
    }
}
