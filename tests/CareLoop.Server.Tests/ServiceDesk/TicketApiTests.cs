using System.Net;
using System.Net.Http.Headers;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;
using CareLoop.Server.Tests.Platform;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Tests.ServiceDesk;

public sealed class TicketApiTestsSqlite(SqliteServer fixture) : TicketApiTests(fixture), IClassFixture<SqliteServer>;
public sealed class TicketApiTestsPostgres(PostgresServer fixture) : TicketApiTests(fixture), IClassFixture<PostgresServer>;

/// <summary>Intake, the lifecycle through the API, bad input and who may see and do what.</summary>
public abstract class TicketApiTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;
    private Desk Desk => _desk ??= new Desk(Server);
    private Desk? _desk;

    [Fact]
    public async Task Intake_Answers201_WithNumberStatusAndSla_AndAReplayReturnsTheSameTicket()
    {
        var customer = await Desk.CustomerAsync();
        var client = await Desk.IntegrationAsync();
        var body = new { channel = "chat", customer = new { externalId = customer }, category = "logistics", subject = "快递三天没动了", message = "三天没更新了" };
        var key = Guid.NewGuid().ToString();
        using var first = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tickets") { Content = System.Net.Http.Json.JsonContent.Create(body, options: Api.Json) };
        first.Headers.Add("Idempotency-Key", key);
        var t1 = await (await client.SendAsync(first)).ExpectAsync(HttpStatusCode.Created);
        using var again = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tickets") { Content = System.Net.Http.Json.JsonContent.Create(body, options: Api.Json) };
        again.Headers.Add("Idempotency-Key", key);
        var t2 = await (await client.SendAsync(again)).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(t1!["id"]!.GetValue<Guid>(), t2!["id"]!.GetValue<Guid>());
        Assert.Equal("new", t1["status"]!.GetValue<string>());
        Assert.True(t1["number"]!.GetValue<long>() >= 100001);
        var firstReply = Desk.Metric(t1, "first_reply");
        Assert.Equal(5, firstReply["targetMinutes"]!.GetValue<int>());
        Assert.Equal("active", firstReply["status"]!.GetValue<string>());
        Assert.Equal(CareLoopServer.Epoch.AddMinutes(5), firstReply["due"]!.GetValue<DateTimeOffset>());
        var count = await Server.WithDbAsync(db => db.Tickets.CountAsync(t => t.Id == t1["id"]!.GetValue<Guid>()));
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Intake_RefusesUnknownCustomer_ForeignOrder_AndOversizeMessage_AndStoresNothing()
    {
        var client = await Desk.IntegrationAsync();
        var before = await Server.WithDbAsync(db => db.Tickets.CountAsync());
        await (await client.PostJsonAsync("/api/v1/tickets", new { channel = "web", customer = new { externalId = "nobody-" + Guid.NewGuid() }, subject = "s", message = "m" }))
            .ExpectFieldErrorAsync("customer.externalId");
        var customer = await Desk.CustomerAsync();
        var other = await Desk.CustomerAsync();
        var (_, order) = await Desk.OrderAsync(other);
        await (await client.PostJsonAsync("/api/v1/tickets", new { channel = "web", customer = new { externalId = customer }, orderNumber = order, subject = "s", message = "m" }))
            .ExpectFieldErrorAsync("orderNumber");
        await (await client.PostJsonAsync("/api/v1/tickets", new { channel = "web", customer = new { externalId = customer }, subject = "s", message = new string('长', 20_001) }))
            .ExpectFieldErrorAsync("message");
        await (await client.PostJsonAsync("/api/v1/tickets", new { channel = "fax", customer = new { externalId = customer }, subject = "s", message = "m" }))
            .ExpectFieldErrorAsync("channel");
        Assert.Equal(before, await Server.WithDbAsync(db => db.Tickets.CountAsync()));
    }

    [Fact]
    public async Task VipTickets_AreRaisedOnePriorityStep_AndTheTimelineSaysWhy()
    {
        var vip = await Desk.CustomerAsync(tier: "vip");
        var ticket = await Desk.TicketAsync(vip, priority: "normal");
        Assert.Equal("high", ticket["priority"]!.GetValue<string>());
        Assert.True(ticket["vip"]!.GetValue<bool>());
        Assert.Equal(12 * 60, Desk.Metric(ticket, "first_reply")["targetMinutes"]!.GetValue<int>());
        var agent = await Server.ClientAsync(Roles.Agent);
        var timeline = await (await agent.GetAsync($"/api/v1/tickets/{ticket["id"]}/timeline")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(timeline!.AsArray(), e => e!["kind"]!.GetValue<string>() == "priority_changed" && e["note"]?.GetValue<string>() == "vip");
    }

    [Fact]
    public async Task Lifecycle_ReplyOpens_PendingReopensOnCustomerReply_SolvedReopens_AndCloseIsFinal()
    {
        var customer = await Desk.CustomerAsync();
        var ticket = await Desk.TicketAsync(customer);
        var id = ticket["id"]!.GetValue<Guid>();
        var (_, agent) = await Server.PersonAsync(Roles.Agent, "王芳");
        var me = await Server.ClientAsync(Roles.Customer, customer: customer);

        var replied = await (await agent.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "您好，我们正在联系快递。", status = "pending" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("pending", replied!["status"]!.GetValue<string>());
        Assert.Equal("met", Desk.Metric(replied, "first_reply")["status"]!.GetValue<string>());

        var answered = await (await me.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "好的，谢谢" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("open", answered!["status"]!.GetValue<string>());

        await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { status = "solved" })).ExpectAsync(HttpStatusCode.OK);
        var reopened = await (await me.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "还是没收到" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("open", reopened!["status"]!.GetValue<string>());

        await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { status = "solved" })).ExpectAsync(HttpStatusCode.OK);
        await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { status = "closed" })).ExpectAsync(HttpStatusCode.OK);
        var illegal = await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { status = "open" })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("closed", illegal!["currentStatus"]!.GetValue<string>());
        Assert.Empty(illegal["allowed"]!.AsArray());

        // A reply to a closed ticket opens a follow-up linked to it.
        var followUp = await (await me.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "又坏了" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(id, followUp!["followUpOf"]!.GetValue<Guid>());
        Assert.NotEqual(id, followUp["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task IllegalTransition_Is409_ListingTheAllowedStatuses_AndChangesNothing()
    {
        var ticket = await Desk.TicketAsync(await Desk.CustomerAsync());
        var agent = await Server.ClientAsync(Roles.Agent);
        var id = ticket["id"]!.GetValue<Guid>();
        await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { status = "solved" })).ExpectAsync(HttpStatusCode.OK);
        var problem = await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { status = "pending" })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal(["open", "closed"], problem!["allowed"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray());
        var now = await (await agent.GetAsync($"/api/v1/tickets/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("solved", now!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_WithAStaleETag_Is412_AndChangesNothing()
    {
        var ticket = await Desk.TicketAsync(await Desk.CustomerAsync());
        var agent = await Server.ClientAsync(Roles.Agent);
        var id = ticket["id"]!.GetValue<Guid>();
        var stale = ticket["version"]!.GetValue<long>();
        await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { priority = "high" })).ExpectAsync(HttpStatusCode.OK);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/tickets/{id}") { Content = System.Net.Http.Json.JsonContent.Create(new { priority = "low" }, options: Api.Json) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{stale}\""));
        await (await agent.SendAsync(request)).ExpectAsync(HttpStatusCode.PreconditionFailed);
        var now = await (await agent.GetAsync($"/api/v1/tickets/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("high", now!["priority"]!.GetValue<string>());
    }

    [Fact]
    public async Task Customers_SeeOnlyTheirOwnTickets_AndNoInternalNotes()
    {
        var alice = await Desk.CustomerAsync(name: "Alice");
        var bob = await Desk.CustomerAsync(name: "Bob");
        var ticket = await Desk.TicketAsync(alice);
        var id = ticket["id"]!.GetValue<Guid>();
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "客户情绪激动，注意安抚", visibility = "internal" })).ExpectAsync(HttpStatusCode.OK);

        var aliceClient = await Server.ClientAsync(Roles.Customer, customer: alice);
        var messages = await (await aliceClient.GetAsync($"/api/v1/tickets/{id}/messages")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(messages!.AsArray());
        await (await aliceClient.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "x", visibility = "internal" })).ExpectFieldErrorAsync("visibility");
        await (await aliceClient.GetAsync($"/api/v1/tickets/{id}/timeline")).ExpectAsync(HttpStatusCode.Forbidden);

        var bobClient = await Server.ClientAsync(Roles.Customer, customer: bob);
        await (await bobClient.GetAsync($"/api/v1/tickets/{id}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await bobClient.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "我也要" })).ExpectAsync(HttpStatusCode.NotFound);
        var bobList = await (await bobClient.GetAsync("/api/v1/tickets")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(bobList!["items"]!.AsArray(), t => t!["id"]!.GetValue<Guid>() == id);
        // A customer opens tickets for themself only.
        await (await bobClient.PostJsonAsync("/api/v1/tickets", new { channel = "web", customer = new { externalId = alice }, subject = "s", message = "m" }))
            .ExpectFieldErrorAsync("customer.externalId");
        var own = await (await bobClient.PostJsonAsync("/api/v1/tickets", new { channel = "app", subject = "发票", message = "请开发票" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(bob, own!["customer"]!["externalId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Merchants_ReadTicketsAboutTheirOrders_Only_AndCannotChangeThem()
    {
        var customer = await Desk.CustomerAsync();
        var (merchant, order) = await Desk.OrderAsync(customer);
        var mine = await Desk.TicketAsync(customer, order: order);
        var other = await Desk.TicketAsync(customer);
        var client = await Server.ClientAsync(Roles.Merchant, merchant: merchant);
        await (await client.GetAsync($"/api/v1/tickets/{mine["id"]}")).ExpectAsync(HttpStatusCode.OK);
        await (await client.GetAsync($"/api/v1/tickets/{other["id"]}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await client.PatchJsonAsync($"/api/v1/tickets/{mine["id"]}", new { status = "solved" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await client.PostJsonAsync("/api/v1/tickets", new { channel = "web", customer = new { externalId = customer }, subject = "s", message = "m" }))
            .ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Rating_IsForTheCustomer_OnceSolved_AndAgentsSeeIt()
    {
        var customer = await Desk.CustomerAsync();
        var id = (await Desk.TicketAsync(customer))["id"]!.GetValue<Guid>();
        var me = await Server.ClientAsync(Roles.Customer, customer: customer);
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await me.PostJsonAsync($"/api/v1/tickets/{id}/rating", new { rating = 5 })).ExpectAsync(HttpStatusCode.Conflict);
        await (await agent.PatchJsonAsync($"/api/v1/tickets/{id}", new { status = "solved" })).ExpectAsync(HttpStatusCode.OK);
        await (await me.PostJsonAsync($"/api/v1/tickets/{id}/rating", new { rating = 6 })).ExpectFieldErrorAsync("rating");
        await (await agent.PostJsonAsync($"/api/v1/tickets/{id}/rating", new { rating = 5 })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await me.PostJsonAsync($"/api/v1/tickets/{id}/rating", new { rating = 4, comment = "处理很快" })).ExpectAsync(HttpStatusCode.OK);
        var seen = await (await agent.GetAsync($"/api/v1/tickets/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(4, seen!["csat"]!["rating"]!.GetValue<int>());
        Assert.Equal("处理很快", seen["csat"]!["comment"]!.GetValue<string>());
    }

    [Fact]
    public async Task Attachments_UploadedByTheCustomer_AreAttached_AndOthersFilesAreRefused()
    {
        var customer = await Desk.CustomerAsync();
        var me = await Server.ClientAsync(Roles.Customer, customer: customer);
        var upload = await (await me.PostAsync("/api/v1/files", FileSamples.Form(FileSamples.Image(40, 30), "broken.png", "image/png"))).ExpectAsync(HttpStatusCode.Created);
        var fileId = upload!["id"]!.GetValue<Guid>();
        var stranger = await Server.ClientAsync(Roles.Customer, customer: await Desk.CustomerAsync());
        await (await stranger.PostJsonAsync("/api/v1/tickets", new { channel = "web", subject = "坏了", message = "见图", attachments = new[] { fileId } }))
            .ExpectFieldErrorAsync("attachments[0]");

        var ticket = await (await me.PostJsonAsync("/api/v1/tickets", new { channel = "web", subject = "坏了", message = "见图", attachments = new[] { fileId } })).ExpectAsync(HttpStatusCode.Created);
        var agent = await Server.ClientAsync(Roles.Agent);
        var messages = await (await agent.GetAsync($"/api/v1/tickets/{ticket!["id"]}/messages")).ExpectAsync(HttpStatusCode.OK);
        var attachment = messages!.AsArray()[0]!["attachments"]!.AsArray().Single()!;
        Assert.Equal(fileId, attachment["id"]!.GetValue<Guid>());
        (await agent.GetAsync($"/api/v1/files/{fileId}")).EnsureSuccessStatusCode();
        // Attached once: it cannot be attached again elsewhere.
        await (await me.PostJsonAsync("/api/v1/tickets", new { channel = "web", subject = "again", message = "m", attachments = new[] { fileId } }))
            .ExpectFieldErrorAsync("attachments[0]");
    }

    [Fact]
    public async Task Merge_ClosesTheSource_AndKeepsItsConversationOnTheTarget()
    {
        var customer = await Desk.CustomerAsync();
        var a = (await Desk.TicketAsync(customer))["id"]!.GetValue<Guid>();
        var b = (await Desk.TicketAsync(customer))["id"]!.GetValue<Guid>();
        var agent = await Server.ClientAsync(Roles.Agent);
        var target = await (await agent.PostJsonAsync($"/api/v1/tickets/{b}/merge", new { into = a.ToString() })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(a, target!["id"]!.GetValue<Guid>());
        var source = await (await agent.GetAsync($"/api/v1/tickets/{b}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("closed", source!["status"]!.GetValue<string>());
        Assert.Equal(a, source["mergedInto"]!.GetValue<Guid>());
        var messages = await (await agent.GetAsync($"/api/v1/tickets/{a}/messages")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, messages!.AsArray().Count);
        var other = (await Desk.TicketAsync(await Desk.CustomerAsync()))["id"]!.GetValue<Guid>();
        await (await agent.PostJsonAsync($"/api/v1/tickets/{a}/merge", new { into = other.ToString() })).ExpectFieldErrorAsync("into");
    }

    [Fact]
    public async Task Duplicates_AreTheCustomersOpenTickets_AboutTheSameOrderOrASimilarSubject()
    {
        var customer = await Desk.CustomerAsync();
        var (_, order) = await Desk.OrderAsync(customer);
        var client = await Desk.IntegrationAsync();
        async Task<Guid> Open(string subject, string? orderNumber = null) =>
            (await (await client.PostJsonAsync("/api/v1/tickets", new { channel = "web", customer = new { externalId = customer }, orderNumber, subject, message = "详情见标题" }))
                .ExpectAsync(HttpStatusCode.Created))!["id"]!.GetValue<Guid>();
        var first = await Open("快递三天没动了");
        var similar = await Open("快递三天都没动");
        var sameOrder = await Open("发票", order);
        var unrelated = await Open("会员积分没到账");
        var withOrder = await Open("电水壶不加热", order);
        var agent = await Server.ClientAsync(Roles.Agent);

        var found = (await (await agent.GetAsync($"/api/v1/tickets/{first}/duplicates")).ExpectAsync(HttpStatusCode.OK))!.AsArray();
        Assert.Equal([similar], found.Select(c => c!["id"]!.GetValue<Guid>()).ToArray());
        var byOrder = (await (await agent.GetAsync($"/api/v1/tickets/{withOrder}/duplicates")).ExpectAsync(HttpStatusCode.OK))!.AsArray();
        Assert.Equal(sameOrder, byOrder[0]!["id"]!.GetValue<Guid>());
        Assert.True(byOrder[0]!["sameOrder"]!.GetValue<bool>());
        Assert.DoesNotContain(byOrder, c => c!["id"]!.GetValue<Guid>() == unrelated);
        var me = await Server.ClientAsync(Roles.Customer, customer: customer);
        await (await me.GetAsync($"/api/v1/tickets/{first}/duplicates")).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Queue_IsOrderedBySlaDue_AndPagesWithACursor()
    {
        var customer = await Desk.CustomerAsync();
        var group = Desk.NewId("g");
        var admin = await Desk.AdminAsync();
        await (await admin.PutJsonAsync($"/api/v1/support-groups/{group}", new { name = "队列测试" })).ExpectAsync(HttpStatusCode.Created);
        var groupId = (await (await admin.GetAsync("/api/v1/support-groups")).ExpectAsync(HttpStatusCode.OK))!.AsArray()
            .Single(g => g!["code"]!.GetValue<string>() == group)!["id"]!.GetValue<Guid>();
        var agent = await Server.ClientAsync(Roles.Agent);
        var ids = new List<Guid>();
        foreach (var priority in new[] { "low", "urgent", "normal", "high" })
        {
            var t = await Desk.TicketAsync(customer, priority: priority);
            ids.Add(t["id"]!.GetValue<Guid>());
            await (await agent.PatchJsonAsync($"/api/v1/tickets/{t["id"]}", new { groupId })).ExpectAsync(HttpStatusCode.OK);
        }
        var page1 = await (await agent.GetAsync($"/api/v1/tickets?group={groupId}&limit=3")).ExpectAsync(HttpStatusCode.OK);
        var page2 = await (await agent.GetAsync($"/api/v1/tickets?group={groupId}&limit=3&cursor={page1!["nextCursor"]}")).ExpectAsync(HttpStatusCode.OK);
        var order = page1["items"]!.AsArray().Concat(page2!["items"]!.AsArray()).Select(i => i!["priority"]!.GetValue<string>()).ToArray();
        Assert.Equal(["urgent", "high", "normal", "low"], order);
        Assert.Null(page2["nextCursor"]);
        await (await agent.GetAsync("/api/v1/tickets?status=bogus")).ExpectFieldErrorAsync("status");
    }
}
