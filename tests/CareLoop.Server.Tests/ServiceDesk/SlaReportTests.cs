using System.Net;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;

namespace CareLoop.Server.Tests.ServiceDesk;

public sealed class SlaReportTestsSqlite(SqliteServer fixture) : SlaReportTests(fixture), IClassFixture<SqliteServer>;
public sealed class SlaReportTestsPostgres(PostgresServer fixture) : SlaReportTests(fixture), IClassFixture<PostgresServer>;

/// <summary>The SLA report: share met per metric and per channel, and chats answered within five minutes.</summary>
public abstract class SlaReportTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    [Fact]
    public async Task Report_CountsDecidedRuns_AndTheShareOfChatsAnsweredWithinFiveMinutes()
    {
        var desk = new Desk(Server);
        var customer = await desk.CustomerAsync();
        var from = Server.Clock.GetUtcNow();
        var fast = (await desk.TicketAsync(customer, channel: "chat"))["id"]!.GetValue<Guid>();
        var slow = (await desk.TicketAsync(customer, channel: "chat"))["id"]!.GetValue<Guid>();
        var running = (await desk.TicketAsync(customer, channel: "chat"))["id"]!.GetValue<Guid>();
        var agent = await Server.ClientAsync(Roles.Agent);
        Server.Clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(59));
        await (await agent.PostJsonAsync($"/api/v1/tickets/{fast}/messages", new { body = "您好" })).ExpectAsync(HttpStatusCode.OK);
        Server.Clock.Advance(TimeSpan.FromMinutes(3));
        await (await agent.PostJsonAsync($"/api/v1/tickets/{slow}/messages", new { body = "抱歉久等" })).ExpectAsync(HttpStatusCode.OK);

        var supervisor = await Server.ClientAsync(Roles.Supervisor);
        var url = $"/api/v1/reports/sla?from={Uri.EscapeDataString(from.ToString("o"))}&to={Uri.EscapeDataString(Server.Clock.GetUtcNow().AddMinutes(1).ToString("o"))}";
        var report = await (await supervisor.GetAsync(url)).ExpectAsync(HttpStatusCode.OK);
        var firstReply = report!["rows"]!.AsArray().Single(r => r!["metric"]!.GetValue<string>() == "first_reply")!;
        Assert.Equal(2, firstReply["total"]!.GetValue<int>());
        Assert.Equal(1, firstReply["met"]!.GetValue<int>());
        Assert.Equal(0.5, firstReply["metShare"]!.GetValue<double>());
        Assert.Equal(2, report["chat"]!["chats"]!.GetValue<int>());
        Assert.Equal(1, report["chat"]!["answeredWithinFiveMinutes"]!.GetValue<int>());
        Assert.Equal(0.9, report["chat"]!["target"]!.GetValue<double>());

        var byChannel = await (await supervisor.GetAsync(url + "&by=channel")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(byChannel!["rows"]!.AsArray(), r => r!["key"]!.GetValue<string>() == "chat" && r["metric"]!.GetValue<string>() == "first_reply");
        await (await supervisor.GetAsync("/api/v1/reports/sla?by=planet")).ExpectFieldErrorAsync("by");
        await (await agent.GetAsync("/api/v1/reports/sla")).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.NotEqual(Guid.Empty, running);
    }
}
