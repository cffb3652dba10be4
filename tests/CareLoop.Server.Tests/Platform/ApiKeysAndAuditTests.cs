using System.Net;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;

namespace CareLoop.Server.Tests.Platform;

public sealed class ApiKeysAndAuditTestsSqlite(SqliteServer fixture) : ApiKeysAndAuditTests(fixture), IClassFixture<SqliteServer>;

public sealed class ApiKeysAndAuditTestsPostgres(PostgresServer fixture) : ApiKeysAndAuditTests(fixture), IClassFixture<PostgresServer>;

/// <summary>Admins manage API keys (shown once, revocable) and read the audit log.</summary>
public abstract class ApiKeysAndAuditTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    [Fact]
    public async Task AdminCreatesAKey_ItWorks_AndAfterRevocationIs401()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        var created = await (await admin.PostJsonAsync("/api/v1/apikeys", new { name = "carrier feed", role = "integration" })).ExpectAsync(HttpStatusCode.Created);
        var token = created!["key"]!.GetValue<string>();
        var keyId = created["keyId"]!.GetValue<string>();
        Assert.StartsWith($"cl_{keyId}_", token, StringComparison.Ordinal);

        var feed = Server.CreateClient(token);
        await (await feed.PostJsonAsync("/api/v1/tracking-events", new { events = Array.Empty<object>() })).ExpectAsync(HttpStatusCode.OK);

        await (await admin.DeleteAsync($"/api/v1/apikeys/{keyId}")).ExpectAsync(HttpStatusCode.NoContent);
        await (await feed.PostJsonAsync("/api/v1/tracking-events", new { events = Array.Empty<object>() })).ExpectAsync(HttpStatusCode.Unauthorized);

        var list = await (await admin.GetAsync("/api/v1/apikeys?limit=200")).ExpectAsync(HttpStatusCode.OK);
        var listed = Assert.Single(list!["items"]!.AsArray(), k => k!["keyId"]!.GetValue<string>() == keyId);
        Assert.NotNull(listed!["revokedAt"]);
        Assert.DoesNotContain(list.ToJsonString(), token[4..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatingAKey_ValidatesRoleAndBinding()
    {
        var admin = await Server.ClientAsync(Roles.Admin);

        await (await admin.PostJsonAsync("/api/v1/apikeys", new { name = "x", role = "pirate" })).ExpectFieldErrorAsync("role");
        await (await admin.PostJsonAsync("/api/v1/apikeys", new { name = "x", role = "merchant" })).ExpectFieldErrorAsync("merchant");
        await (await admin.PostJsonAsync("/api/v1/apikeys", new { name = "x", role = "customer", customer = "nobody" })).ExpectFieldErrorAsync("customer");
        await (await admin.PostJsonAsync("/api/v1/apikeys", new { role = "agent" })).ExpectFieldErrorAsync("name");
    }

    [Fact]
    public async Task OnlyAdmins_ManageKeys()
    {
        var supervisor = await Server.ClientAsync(Roles.Supervisor);

        await (await supervisor.GetAsync("/api/v1/apikeys")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await supervisor.PostJsonAsync("/api/v1/apikeys", new { name = "x", role = "admin" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await supervisor.DeleteAsync("/api/v1/apikeys/whatever")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await (await Server.ClientAsync(Roles.Admin)).DeleteAsync("/api/v1/apikeys/nosuchkey")).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AuditLog_ShowsWhoChangedWhatAndWhen_NewestFirst()
    {
        var integration = await Server.ClientAsync(Roles.Integration);
        var id = "audit-" + Guid.NewGuid().ToString("N")[..8];
        await (await integration.PutJsonAsync($"/api/v1/merchants/{id}", new { name = "Before" })).ExpectAsync(HttpStatusCode.Created);
        await (await integration.PutJsonAsync($"/api/v1/merchants/{id}", new { name = "After" })).ExpectAsync(HttpStatusCode.OK);
        var admin = await Server.ClientAsync(Roles.Admin);

        var log = await (await admin.GetAsync("/api/v1/audit?entityType=Merchant&limit=200")).ExpectAsync(HttpStatusCode.OK);
        var mine = log!["items"]!.AsArray().Where(e => e!["entityId"]!.GetValue<string>().Contains(id, StringComparison.Ordinal)).ToList();

        Assert.Equal(["updated", "created"], mine.Select(e => e!["action"]!.GetValue<string>()));
        Assert.Contains("After", mine[0]!["changes"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(mine, e => Assert.StartsWith("apikey:", e!["actor"]!.GetValue<string>(), StringComparison.Ordinal));
        await (await integration.GetAsync("/api/v1/audit")).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AuditValues_AreInvariant_WhateverTheCallersLanguage()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var created = await (await admin.PostJsonAsync("/api/v1/apikeys", new { name = "to revoke", role = "integration" })).ExpectAsync(HttpStatusCode.Created);
        var keyId = created!["keyId"]!.GetValue<string>();

        await (await admin.DeleteAsync($"/api/v1/apikeys/{keyId}")).ExpectAsync(HttpStatusCode.NoContent);

        var log = await (await admin.GetAsync("/api/v1/audit?entityType=ApiKey&limit=200")).ExpectAsync(HttpStatusCode.OK);
        var revoked = log!["items"]!.AsArray().First(e => e!["action"]!.GetValue<string>() == "updated" && e["changes"]!.GetValue<string>().Contains("RevokedAt", StringComparison.Ordinal));
        Assert.Matches(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", revoked!["changes"]!.GetValue<string>());
    }
}
