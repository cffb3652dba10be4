using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Webhooks;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Tests.Platform;

public sealed class CallbackTestsSqlite(SqliteServer fixture) : CallbackTests(fixture), IClassFixture<SqliteServer>;
public sealed class CallbackTestsPostgres(PostgresServer fixture) : CallbackTests(fixture), IClassFixture<PostgresServer>;

/// <summary>Incoming callbacks from carrier and payment systems: verified, refused when stale, idempotent by event id.</summary>
public abstract class CallbackTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    private async Task<(string Code, string Secret)> SourceAsync(string kind = "carrier")
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        var code = "carrier-" + Guid.NewGuid().ToString("N")[..8];
        var body = await (await admin.PostJsonAsync("/api/v1/callbacks/sources", new { code, kind })).ExpectAsync(HttpStatusCode.Created);
        return (code, body!["secret"]!.GetValue<string>());
    }

    private static string TrackingBody(string tracking, string eventId) => JsonSerializer.Serialize(new
    {
        type = "tracking.events",
        timestamp = "2026-05-01T08:00:00+08:00",
        data = new { events = new[] { new { carrier = "sf", trackingNumber = tracking, carrierEventId = eventId, occurredAt = "2026-05-01T09:00:00+08:00", status = "picked_up" } } },
    });

    private Task<HttpResponseMessage> SendAsync(string code, string id, long timestamp, string body, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/callbacks/{code}") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature);
        return Server.CreateClient().SendAsync(request);
    }

    private Task<HttpResponseMessage> SendSignedAsync(string code, string secret, string id, string body, long? timestamp = null)
    {
        var ts = timestamp ?? Server.Clock.GetUtcNow().ToUnixTimeSeconds();
        return SendAsync(code, id, ts, body, WebhookSignature.Sign(secret, id, ts, Encoding.UTF8.GetBytes(body)));
    }

    private Task<int> EventsAsync(string tracking) => Server.WithDbAsync(db => db.TrackingEvents.CountAsync(e => e.TrackingNumber == tracking));

    [Fact]
    public async Task ASignedCarrierCallback_IsProcessedOnce_AndAReplayChangesNothing()
    {
        var (code, secret) = await SourceAsync();
        var tracking = "SF" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
        var body = TrackingBody(tracking, "scan-1");

        var first = await (await SendSignedAsync(code, secret, "evt-1", body)).ExpectAsync(HttpStatusCode.OK);
        Assert.False(first!["duplicate"]!.GetValue<bool>());
        Assert.True(first["processed"]!.GetValue<bool>());
        Assert.Equal(1, await EventsAsync(tracking));

        // The same delivery again (a carrier retry, or a replay): accepted, nothing done twice.
        var replay = await (await SendSignedAsync(code, secret, "evt-1", body)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(replay!["duplicate"]!.GetValue<bool>());
        Assert.Equal(1, await Server.WithDbAsync(db => db.InboundEvents.CountAsync(e => e.Source == code)));
        Assert.Equal(1, await EventsAsync(tracking));
    }

    [Fact]
    public async Task ACallback_IsRefused_WhenTheSignatureIsWrong_TheTimestampIsStale_OrHeadersAreMissing()
    {
        var (code, secret) = await SourceAsync();
        var tracking = "SF" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
        var body = TrackingBody(tracking, "scan-1");
        var now = Server.Clock.GetUtcNow().ToUnixTimeSeconds();

        var forged = await SendAsync(code, "evt-x", now, body, WebhookSignature.Sign("whsec_" + Convert.ToBase64String(new byte[32]), "evt-x", now, Encoding.UTF8.GetBytes(body)));
        await forged.ExpectAsync(HttpStatusCode.Unauthorized);
        // Signed correctly, then the body was altered on the way.
        var signature = WebhookSignature.Sign(secret, "evt-y", now, Encoding.UTF8.GetBytes(body));
        await (await SendAsync(code, "evt-y", now, body.Replace("picked_up", "delivered", StringComparison.Ordinal), signature)).ExpectAsync(HttpStatusCode.Unauthorized);

        await (await SendSignedAsync(code, secret, "evt-old", body, now - 3600)).ExpectFieldErrorAsync("webhook-timestamp");
        await (await SendSignedAsync(code, secret, "evt-future", body, now + 3600)).ExpectFieldErrorAsync("webhook-timestamp");

        var bare = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/callbacks/{code}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        await (await Server.CreateClient().SendAsync(bare)).ExpectFieldErrorAsync("webhook-signature");
        await (await SendSignedAsync("no-such-source", secret, "evt-z", body)).ExpectAsync(HttpStatusCode.NotFound);

        Assert.Equal(0, await EventsAsync(tracking));
        Assert.Equal(0, await Server.WithDbAsync(db => db.InboundEvents.CountAsync(e => e.Source == code)));
    }

    [Fact]
    public async Task ACallbackWithBadData_IsRefusedNamingTheField_AndCanBeSentAgainFixed()
    {
        var (code, secret) = await SourceAsync();
        var tracking = "SF" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
        var bad = TrackingBody(tracking, "scan-1").Replace("picked_up", "teleported", StringComparison.Ordinal);
        await (await SendSignedAsync(code, secret, "evt-1", bad)).ExpectFieldErrorAsync("data.events[0].status");
        await (await SendSignedAsync(code, secret, "evt-2", "{\"data\":{}}")).ExpectFieldErrorAsync("type");

        // Nothing of the refused call was kept, so the sender's corrected retry with the same id is processed.
        await (await SendSignedAsync(code, secret, "evt-1", TrackingBody(tracking, "scan-1"))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, await EventsAsync(tracking));
    }

    [Fact]
    public async Task CallbackSources_AreForAdmins_AndTheirSecretIsShownOnce()
    {
        var (code, _) = await SourceAsync("payment");
        var admin = await Server.ClientAsync(Roles.Admin);
        var list = await (await admin.GetAsync("/api/v1/callbacks/sources")).ExpectAsync(HttpStatusCode.OK);
        var listed = Assert.Single(list!["items"]!.AsArray(), s => s!["code"]!.GetValue<string>() == code);
        Assert.Null(listed!["secret"]);
        await (await admin.PostJsonAsync("/api/v1/callbacks/sources", new { code, kind = "payment" })).ExpectFieldErrorAsync("code");
        await (await admin.PostJsonAsync("/api/v1/callbacks/sources", new { code = "x y", kind = "carrier" })).ExpectFieldErrorAsync("code");
        var integration = await Server.ClientAsync(Roles.Integration);
        await (await integration.GetAsync("/api/v1/callbacks/sources")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await admin.DeleteAsync($"/api/v1/callbacks/sources/{code}")).ExpectAsync(HttpStatusCode.NoContent);
    }
}
