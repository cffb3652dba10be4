using System.Net;
using System.Text.Json.Nodes;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;

namespace CareLoop.Server.Tests.ServiceDesk;

public sealed class RoutingTestsSqlite(SqliteServer fixture) : RoutingTests(fixture), IClassFixture<SqliteServer>;
public sealed class RoutingTestsPostgres(PostgresServer fixture) : RoutingTests(fixture), IClassFixture<PostgresServer>;

/// <summary>Routing rules, skills, capacity, presence and certification. Each test routes its own category to its own group.</summary>
public abstract class RoutingTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;
    private Desk Desk => _desk ??= new Desk(Server);
    private Desk? _desk;

    /// <summary>A group for one channel (each test uses its own channel so rules never overlap) and the rule sending tickets there.</summary>
    private async Task<string> GroupForAsync(string channel, string[]? skills = null)
    {
        var admin = await Desk.AdminAsync();
        var code = Desk.NewId("g");
        await (await admin.PutJsonAsync($"/api/v1/support-groups/{code}", new { name = "Group " + code, skills = skills ?? [] })).ExpectAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/v1/routing-rules", new { name = channel, position = 1, conditions = new { channels = new[] { channel } }, group = code }))
            .ExpectAsync(HttpStatusCode.Created);
        return code;
    }

    private async Task<(Guid Id, HttpClient Client)> AgentAsync(string name, string group, int capacity, string presence = "online", bool certified = true, string[]? skills = null)
    {
        var (id, client) = await Server.PersonAsync(Roles.Agent, name);
        var admin = await Desk.AdminAsync();
        await (await admin.PutJsonAsync($"/api/v1/agents/{id}", new { groups = new[] { group }, capacity, presence, certified, skills = skills ?? [] }))
            .ExpectAsync(HttpStatusCode.OK);
        return (id, client);
    }

    private static Guid? Assignee(JsonNode ticket) => ticket["assignee"] is { } a ? a["id"]!.GetValue<Guid>() : null;

    [Fact]
    public async Task NewTickets_GoToTheOnlineAgentWithMostSpareCapacity_TiesRoundRobin()
    {
        var group = await GroupForAsync("social");
        var (a, _) = await AgentAsync("A", group, capacity: 3);
        var (b, _) = await AgentAsync("B", group, capacity: 3);
        var (_, _) = await AgentAsync("Away", group, capacity: 10, presence: "away");
        var (_, _) = await AgentAsync("Trainee", group, capacity: 10, certified: false);
        var customer = await Desk.CustomerAsync();
        var owners = new List<Guid?>();
        for (var i = 0; i < 6; i++)
        {
            var t = await Desk.TicketAsync(customer, channel: "social");
            Assert.Equal(group, t["group"]!["code"]!.GetValue<string>());
            owners.Add(Assignee(t));
            Server.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(3, owners.Count(o => o == a));
        Assert.Equal(3, owners.Count(o => o == b));
        // Alternating: equal spare capacity goes to whoever was assigned longest ago.
        for (var i = 1; i < owners.Count; i++) Assert.NotEqual(owners[i - 1], owners[i]);
        // Both full: the next ticket waits in the group queue.
        var waiting = await Desk.TicketAsync(customer, channel: "social");
        Assert.Null(Assignee(waiting));
    }

    [Fact]
    public async Task WaitingTickets_AreAssigned_WhenAnAgentComesOnline_UrgentFirst()
    {
        var group = await GroupForAsync("phone");
        var customer = await Desk.CustomerAsync();
        var normal = await Desk.TicketAsync(customer, channel: "phone", priority: "normal");
        Server.Clock.Advance(TimeSpan.FromSeconds(1));
        var urgent = await Desk.TicketAsync(customer, channel: "phone", priority: "urgent");
        Assert.Null(Assignee(normal));
        Assert.Null(Assignee(urgent));
        var (id, client) = await AgentAsync("Late", group, capacity: 1, presence: "offline");
        var online = await (await client.PutJsonAsync("/api/v1/agents/me/presence", new { presence = "online" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, online!["openTickets"]!.GetValue<int>());
        var agent = await Server.ClientAsync(Roles.Agent);
        var u = await (await agent.GetAsync($"/api/v1/tickets/{urgent["id"]}")).ExpectAsync(HttpStatusCode.OK);
        var n = await (await agent.GetAsync($"/api/v1/tickets/{normal["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, Assignee(u!));
        Assert.Null(Assignee(n!));

        // Solving frees capacity: the waiting ticket follows.
        await (await client.PatchJsonAsync($"/api/v1/tickets/{urgent["id"]}", new { status = "solved" })).ExpectAsync(HttpStatusCode.OK);
        n = await (await agent.GetAsync($"/api/v1/tickets/{normal["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, Assignee(n!));
        var mine = await (await client.GetAsync("/api/v1/tickets?view=mine")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(normal["id"]!.GetValue<Guid>(), Assert.Single(mine!["items"]!.AsArray())!["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task GroupSkills_AreRequired_OfTheAgent()
    {
        var group = await GroupForAsync("mini_program", skills: ["appliance"]);
        var (_, _) = await AgentAsync("No skill", group, capacity: 5);
        var customer = await Desk.CustomerAsync();
        Assert.Null(Assignee(await Desk.TicketAsync(customer, channel: "mini_program")));
        var (skilled, _) = await AgentAsync("Skilled", group, capacity: 5, skills: ["Appliance"]);
        Assert.Equal(skilled, Assignee(await Desk.TicketAsync(customer, channel: "mini_program")));
    }

    [Fact]
    public async Task Setup_IsForManagers_AndBadInputNamesTheField()
    {
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.PutJsonAsync("/api/v1/support-groups/x", new { name = "x" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await agent.PostJsonAsync("/api/v1/sla-policies", new { name = "x" })).ExpectAsync(HttpStatusCode.Forbidden);
        var admin = await Desk.AdminAsync();
        await (await admin.PostJsonAsync("/api/v1/routing-rules", new { name = "r", group = "nope" })).ExpectFieldErrorAsync("group");
        await (await admin.PostJsonAsync("/api/v1/sla-policies", new { name = "p", targets = new[] { new { metric = "first_reply", minutes = 0, calendar = "24x7" } } }))
            .ExpectFieldErrorAsync("targets[0].minutes");
        await (await admin.PostJsonAsync("/api/v1/sla-policies", new { name = "p", targets = new[] { new { metric = "first_reply", minutes = 5, calendar = "nowhere" } } }))
            .ExpectFieldErrorAsync("targets[0].calendar");
        var customer = await Server.ClientAsync(Roles.Customer, customer: await Desk.CustomerAsync());
        await (await customer.GetAsync("/api/v1/sla-policies")).ExpectAsync(HttpStatusCode.Forbidden);
    }
}
