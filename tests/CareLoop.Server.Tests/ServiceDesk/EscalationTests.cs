using System.Net;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Modules.ServiceDesk;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Jobs;
using CareLoop.Server.Platform.Notifications;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CareLoop.Server.Tests.ServiceDesk;

public sealed class EscalationTestsSqlite(SqliteServer fixture) : EscalationTests(fixture), IClassFixture<SqliteServer>;
public sealed class EscalationTestsPostgres(PostgresServer fixture) : EscalationTests(fixture), IClassFixture<PostgresServer>;

/// <summary>The at-risk/breach scan and its escalation actions: each alert and its actions exactly once, also with two instances.</summary>
public abstract class EscalationTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;
    private Desk Desk => _desk ??= new Desk(Server);
    private Desk? _desk;

    private static Task RunScanAsync(CareLoopServer server) =>
        ActivatorUtilities.CreateInstance<SlaEscalationJob>(server.Services)
            .RunAsync(new JobRunContext(SlaEscalationJob.Name, server.Clock.GetUtcNow().UtcDateTime, JobTrigger.Manual, 0), CancellationToken.None);

    /// <summary>A policy for one channel: first reply in 10 minutes on 24x7; a breach raises priority, notifies the supervisor and moves the ticket.</summary>
    private async Task<(Guid Supervisor, string Escalation)> SetUpAsync(string channel)
    {
        var admin = await Desk.AdminAsync();
        var (supervisor, _) = await Server.PersonAsync(Roles.Supervisor, "主管");
        var front = Desk.NewId("g");
        var escalation = Desk.NewId("g");
        await (await admin.PutJsonAsync($"/api/v1/support-groups/{front}", new { name = "一线", supervisorId = supervisor })).ExpectAsync(HttpStatusCode.Created);
        await (await admin.PutJsonAsync($"/api/v1/support-groups/{escalation}", new { name = "升级组" })).ExpectAsync(HttpStatusCode.Created);
        var groups = (await (await admin.GetAsync("/api/v1/support-groups")).ExpectAsync(HttpStatusCode.OK))!.AsArray();
        var escalationId = groups.Single(g => g!["code"]!.GetValue<string>() == escalation)!["id"]!.GetValue<Guid>();
        await (await admin.PostJsonAsync("/api/v1/routing-rules", new { name = channel, position = 1, conditions = new { channels = new[] { channel } }, group = front }))
            .ExpectAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/v1/sla-policies", new
        {
            name = "Escalating " + channel, position = 1, conditions = new { channels = new[] { channel } },
            targets = new[] { new { metric = "first_reply", minutes = 10, calendar = "24x7" } },
            escalation = new { raisePriority = true, notifySupervisor = true, reassignGroupId = escalationId },
        })).ExpectAsync(HttpStatusCode.Created);
        return (supervisor, escalation);
    }

    [Fact]
    public async Task Breach_RunsItsActionsOnce_AndAtRiskIsRecordedOnce()
    {
        var (supervisor, escalation) = await SetUpAsync("email");
        var ticket = await Desk.TicketAsync(await Desk.CustomerAsync(), channel: "email", priority: "normal");
        var id = ticket["id"]!.GetValue<Guid>();
        var created = ticket["createdAt"]!.GetValue<DateTimeOffset>();

        Server.Clock.Advance(TimeSpan.FromMinutes(8));
        await RunScanAsync(Server);
        var alerts = await AlertsAsync(id);
        Assert.Equal([(SlaMetric.FirstReply, 1, SlaAlertKind.AtRisk)], alerts);
        var agent = await Server.ClientAsync(Roles.Agent);
        var atRisk = await (await agent.GetAsync($"/api/v1/tickets/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.True(Desk.Metric(atRisk!, "first_reply")["atRisk"]!.GetValue<bool>());
        Assert.Equal("normal", atRisk!["priority"]!.GetValue<string>());

        Server.Clock.Advance(TimeSpan.FromMinutes(3));
        await RunScanAsync(Server);
        await RunScanAsync(Server);
        alerts = await AlertsAsync(id);
        Assert.Equal(2, alerts.Count);
        Assert.Contains((SlaMetric.FirstReply, 1, SlaAlertKind.Breached), alerts);
        var after = await (await agent.GetAsync($"/api/v1/tickets/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("high", after!["priority"]!.GetValue<string>());
        Assert.Equal(escalation, after["group"]!["code"]!.GetValue<string>());
        Assert.Equal("breached", Desk.Metric(after, "first_reply")["status"]!.GetValue<string>());
        Assert.Equal(created.AddMinutes(10), await Server.WithDbAsync(db => db.SlaAlerts.Where(a => a.TicketId == id && a.Kind == SlaAlertKind.Breached).Select(a => a.DueAt).SingleAsync()));
        Assert.Equal(1, await NotificationsAsync(id, supervisor));
        // Nothing is left to check on this ticket until something happens to it.
        Assert.Null(await Server.WithDbAsync(db => db.Tickets.Where(t => t.Id == id).Select(t => t.SlaNextCheckAt).SingleAsync()));
    }

    [Fact]
    public async Task TwoInstancesScanningAtOnce_EscalateEachBreachExactlyOnce()
    {
        var (supervisor, _) = await SetUpAsync("api");
        var customer = await Desk.CustomerAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await Desk.TicketAsync(customer, channel: "api", priority: "low"))["id"]!.GetValue<Guid>());
        }
        await using var other = await fixture.StartAnotherAsync();
        var target = Server.Clock.GetUtcNow().AddMinutes(11);
        Server.Clock.SetUtcNow(target);
        other.Clock.SetUtcNow(target);

        await Task.WhenAll(RunScanAsync(Server), RunScanAsync(other), RunScanAsync(Server), RunScanAsync(other));

        foreach (var id in ids)
        {
            var alerts = await AlertsAsync(id);
            Assert.Equal(1, alerts.Count(a => a.Kind == SlaAlertKind.Breached));
            Assert.Equal(1, alerts.Count(a => a.Kind == SlaAlertKind.AtRisk));
            var priority = await Server.WithDbAsync(db => db.Tickets.Where(t => t.Id == id).Select(t => t.Priority).SingleAsync());
            Assert.Equal(TicketPriority.Normal, priority); // raised one step from low, once
            var escalated = await Server.WithDbAsync(db => db.TicketEvents.CountAsync(e => e.TicketId == id && e.Kind == TicketEventKind.Escalated));
            Assert.Equal(1, escalated);
            Assert.Equal(1, await NotificationsAsync(id, supervisor));
        }
    }

    [Fact]
    public async Task AReplyBeforeTheDeadline_MeansNoAlert()
    {
        await SetUpAsync("app");
        var ticket = await Desk.TicketAsync(await Desk.CustomerAsync(), channel: "app");
        var id = ticket["id"]!.GetValue<Guid>();
        Server.Clock.Advance(TimeSpan.FromMinutes(5));
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "马上处理" })).ExpectAsync(HttpStatusCode.OK);
        Server.Clock.Advance(TimeSpan.FromMinutes(30));
        await RunScanAsync(Server);
        Assert.Empty(await AlertsAsync(id));
    }

    private Task<List<(SlaMetric Metric, int Occurrence, SlaAlertKind Kind)>> AlertsAsync(Guid id) =>
        Server.WithDbAsync(async db => (await db.SlaAlerts.Where(a => a.TicketId == id).ToListAsync())
            .OrderBy(a => a.Kind).Select(a => (a.Metric, a.Occurrence, a.Kind)).ToList());

    private Task<int> NotificationsAsync(Guid ticketId, Guid supervisor) =>
        Server.WithDbAsync(async db =>
        {
            var link = "/desk/tickets/" + await db.Tickets.Where(t => t.Id == ticketId).Select(t => t.Number).SingleAsync();
            return await db.InAppNotifications.CountAsync(n => n.UserId == supervisor && n.Link == link);
        });
}
