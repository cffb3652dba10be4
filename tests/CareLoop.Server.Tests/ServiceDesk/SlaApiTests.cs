using System.Net;
using System.Text.Json.Nodes;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;

namespace CareLoop.Server.Tests.ServiceDesk;

public sealed class SlaApiTestsSqlite(SqliteServer fixture) : SlaApiTests(fixture), IClassFixture<SqliteServer>;
public sealed class SlaApiTestsPostgres(PostgresServer fixture) : SlaApiTests(fixture), IClassFixture<PostgresServer>;

/// <summary>SLA clocks through the API: business calendars with holidays, pausing and resuming, policy changes.</summary>
public abstract class SlaApiTests(ServerFixture fixture)
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    private CareLoopServer Server => fixture.Server;
    private Desk Desk => _desk ??= new Desk(Server);
    private Desk? _desk;

    [Fact]
    public async Task SeededNormalPolicy_CountsFirstReply_OnTheCustomerServiceCalendar()
    {
        var ticket = await Desk.TicketAsync(await Desk.CustomerAsync(), channel: "web", priority: "normal");
        var created = ticket["createdAt"]!.GetValue<DateTimeOffset>();
        var fr = Desk.Metric(ticket, "first_reply");
        Assert.Equal(24 * 60, fr["targetMinutes"]!.GetValue<int>());
        Assert.Equal("customer-service", fr["calendar"]!.GetValue<string>());
        Assert.Equal(ExpectedCustomerServiceDue(created, 24 * 60), fr["due"]!.GetValue<DateTimeOffset>());
        Assert.Equal(72 * 60, Desk.Metric(ticket, "total_resolution")["targetMinutes"]!.GetValue<int>());
    }

    /// <summary>Counts minutes forward on the every-day 08:00–22:00 Shanghai calendar (the seeded one), minute by minute.</summary>
    private static DateTimeOffset ExpectedCustomerServiceDue(DateTimeOffset start, int minutes)
    {
        var t = start.ToOffset(Shanghai);
        t = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, Shanghai).AddSeconds(t.Second > 0 ? 60 : 0);
        var left = minutes;
        while (true)
        {
            if (t.Hour is >= 8 and < 22)
            {
                if (left == 0) return t;
                left--;
                t = t.AddMinutes(1);
                if (left == 0) return t;
            }
            else
            {
                t = t.Hour >= 22 ? t.Date.AddDays(1).AddHours(8) : t.Date.AddHours(8);
                t = new DateTimeOffset(t.DateTime, Shanghai);
            }
        }
    }

    [Fact]
    public async Task PauseAndResume_AreExact_OnACalendarWithHolidays()
    {
        var admin = await Desk.AdminAsync();
        // Start on a Friday at 08:00 Shanghai that is a holiday, followed by a weekend and two more holidays (Mon, Tue).
        var now = Server.Clock.GetUtcNow().ToOffset(Shanghai);
        var friday = now.Date.AddDays(7 + (((int)DayOfWeek.Friday - (int)now.DayOfWeek + 7) % 7));
        var start = new DateTimeOffset(friday, Shanghai).AddHours(8);
        Server.Clock.SetUtcNow(start);
        var code = Desk.NewId("cal");
        var day = new[] { new[] { "09:00", "18:00" } };
        await (await admin.PostJsonAsync("/api/v1/calendars", new
        {
            code, name = "Holiday test", timeZone = "Asia/Shanghai",
            weekly = new { monday = day, tuesday = day, wednesday = day, thursday = day, friday = day },
            holidays = new[] { D(friday), D(friday.AddDays(3)), D(friday.AddDays(4)) },
        })).ExpectAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/v1/sla-policies", new
        {
            name = "Holiday policy", position = 1, conditions = new { categories = new[] { "price_protection" } },
            targets = new[]
            {
                new { metric = "agent_work_time", minutes = 600, calendar = code },
                new { metric = "requester_wait_time", minutes = 600, calendar = code },
            },
        })).ExpectAsync(HttpStatusCode.Created);
        var ticket = await Desk.TicketAsync(await Desk.CustomerAsync(), category: "price_protection");
        var id = ticket["id"]!.GetValue<Guid>();
        var wednesday = new DateTimeOffset(friday.AddDays(5), Shanghai);
        var thursday = wednesday.AddDays(1);

        // Nothing counts until Wednesday 09:00; 600 minutes = Wed 09–18 (540) + Thu 09:00–10:00.
        var work = Desk.Metric(ticket, "agent_work_time");
        Assert.Equal("active", work["status"]!.GetValue<string>());
        Assert.Equal(thursday.AddHours(10), work["due"]!.GetValue<DateTimeOffset>());

        // Wednesday 12:00: pending (waiting for the customer) pauses both metrics after 180 minutes.
        Server.Clock.SetUtcNow(wednesday.AddHours(12));
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "请提供照片", status = "pending" })).ExpectAsync(HttpStatusCode.OK);
        var sla = await SlaAsync(id);
        Assert.Equal("paused", Desk.Metric(sla, "agent_work_time")["status"]!.GetValue<string>());
        Assert.Null(Desk.Metric(sla, "agent_work_time")["due"]);
        Assert.Equal(180, Desk.Metric(sla, "agent_work_time")["businessMinutesUsed"]!.GetValue<long>());
        Assert.Equal("paused", Desk.Metric(sla, "requester_wait_time")["status"]!.GetValue<string>());

        // Thursday 10:00 the customer answers: both resume with 180 used; 420 left from 10:00 → 17:00.
        Server.Clock.SetUtcNow(thursday.AddHours(10));
        var me = await Server.ClientAsync(Roles.Customer, customer: ticket["customer"]!["externalId"]!.GetValue<string>());
        await (await me.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "照片在此" })).ExpectAsync(HttpStatusCode.OK);
        sla = await SlaAsync(id);
        Assert.Equal("active", Desk.Metric(sla, "agent_work_time")["status"]!.GetValue<string>());
        Assert.Equal(thursday.AddHours(17), Desk.Metric(sla, "agent_work_time")["due"]!.GetValue<DateTimeOffset>());

        // Thursday 11:00 on hold (waiting for the carrier): agent work pauses at 240, the requester keeps waiting.
        Server.Clock.SetUtcNow(thursday.AddHours(11));
        await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { status = "on_hold" })).ExpectAsync(HttpStatusCode.OK);
        Server.Clock.SetUtcNow(thursday.AddHours(12));
        sla = await SlaAsync(id);
        Assert.Equal("paused", Desk.Metric(sla, "agent_work_time")["status"]!.GetValue<string>());
        Assert.Equal(240, Desk.Metric(sla, "agent_work_time")["businessMinutesUsed"]!.GetValue<long>());
        var wait = Desk.Metric(sla, "requester_wait_time");
        Assert.Equal("active", wait["status"]!.GetValue<string>());
        Assert.Equal(300, wait["businessMinutesUsed"]!.GetValue<long>());
        Assert.Equal(thursday.AddHours(17), wait["due"]!.GetValue<DateTimeOffset>());
        Assert.True(wait["atRisk"]!.GetValue<bool>() == false);

        // Solved then reopened: the clocks stop and resume with the minutes they had used.
        Server.Clock.SetUtcNow(thursday.AddHours(13));
        await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { status = "solved" })).ExpectAsync(HttpStatusCode.OK);
        sla = await SlaAsync(id);
        Assert.Equal("met", Desk.Metric(sla, "requester_wait_time")["status"]!.GetValue<string>());
        Assert.Equal(360, Desk.Metric(sla, "requester_wait_time")["businessMinutesUsed"]!.GetValue<long>());
        Server.Clock.SetUtcNow(thursday.AddHours(15));
        await (await me.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "还是不行" })).ExpectAsync(HttpStatusCode.OK);
        sla = await SlaAsync(id);
        var resumed = Desk.Metric(sla, "requester_wait_time");
        Assert.Equal("active", resumed["status"]!.GetValue<string>());
        Assert.Equal(360, resumed["businessMinutesUsed"]!.GetValue<long>());
        // 240 left: Thursday 15:00–18:00 (180), then Friday (a working day) 09:00–10:00.
        Assert.Equal(thursday.AddDays(1).AddHours(10), resumed["due"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task PriorityChange_MatchesThePolicyAgain_AndCountsFromTheOriginalStart()
    {
        var ticket = await Desk.TicketAsync(await Desk.CustomerAsync(), channel: "email", priority: "normal");
        var id = ticket["id"]!.GetValue<Guid>();
        var created = ticket["createdAt"]!.GetValue<DateTimeOffset>();
        Server.Clock.Advance(TimeSpan.FromMinutes(90));
        var agent = await Server.ClientAsync(Roles.Agent);
        var raised = await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { priority = "urgent" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("紧急 (Urgent)", raised!["sla"]!["policy"]!["name"]!.GetValue<string>());
        var fr = Desk.Metric(raised, "first_reply");
        Assert.Equal(8 * 60, fr["targetMinutes"]!.GetValue<int>());
        Assert.Equal(created.AddHours(8), fr["due"]!.GetValue<DateTimeOffset>());
        Assert.Equal(created.AddHours(24), Desk.Metric(raised, "total_resolution")["due"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task FirstReply_IsMet_ByAnAgentReply_AndNextReplyStarts_OnTheCustomersAnswer()
    {
        var customer = await Desk.CustomerAsync();
        var ticket = await Desk.TicketAsync(customer, channel: "chat");
        var id = ticket["id"]!.GetValue<Guid>();
        Server.Clock.Advance(TimeSpan.FromMinutes(3));
        var (_, agent) = await Server.PersonAsync(Roles.Agent, "客服小张");
        await (await agent.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "您好" })).ExpectAsync(HttpStatusCode.OK);
        var sla = await SlaAsync(id);
        Assert.Equal("met", Desk.Metric(sla, "first_reply")["status"]!.GetValue<string>());
        Assert.Equal(3, Desk.Metric(sla, "first_reply")["businessMinutesUsed"]!.GetValue<long>());
        Assert.Equal("inactive", Desk.Metric(sla, "next_reply")["status"]!.GetValue<string>());

        var me = await Server.ClientAsync(Roles.Customer, customer: customer);
        await (await me.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "还在吗" })).ExpectAsync(HttpStatusCode.OK);
        Server.Clock.Advance(TimeSpan.FromMinutes(6));
        sla = await SlaAsync(id);
        var next = Desk.Metric(sla, "next_reply");
        Assert.Equal("breached", next["status"]!.GetValue<string>());
        Assert.Equal("met", Desk.Metric(sla, "first_reply")["status"]!.GetValue<string>());
    }

    private async Task<JsonNode> SlaAsync(Guid id)
    {
        var agent = await Server.ClientAsync(Roles.Agent);
        return (await (await agent.GetAsync($"/api/v1/tickets/{id}/sla")).ExpectAsync(HttpStatusCode.OK))!;
    }

    private static string D(DateTime date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
