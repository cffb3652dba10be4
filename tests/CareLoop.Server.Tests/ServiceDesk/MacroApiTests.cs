using System.Net;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;

namespace CareLoop.Server.Tests.ServiceDesk;

public sealed class MacroApiTestsSqlite(SqliteServer fixture) : MacroApiTests(fixture), IClassFixture<SqliteServer>;
public sealed class MacroApiTestsPostgres(PostgresServer fixture) : MacroApiTests(fixture), IClassFixture<PostgresServer>;

/// <summary><c>/api/v1/macros</c>: supervisors keep the reply templates, every desk role reads them, bad input is a 400 naming the field.</summary>
public abstract class MacroApiTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    private static string Name() => "宏-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task ASupervisorCreatesReplacesAndDeletesAMacro_AndAgentsReadIt()
    {
        var supervisor = await Server.ClientAsync(Roles.Supervisor);
        var name = Name();
        var created = (await (await supervisor.PostJsonAsync("/api/v1/macros", new
        {
            name, bodyZh = " {{customer.name}}您好，已为您处理。 ", bodyEn = "Hello {{customer.name}}, done.", setStatus = "solved",
        })).ExpectAsync(HttpStatusCode.Created))!;
        var id = created["id"]!.GetValue<Guid>();
        Assert.Equal("{{customer.name}}您好，已为您处理。", created["bodyZh"]!.GetValue<string>());
        Assert.Equal("solved", created["setStatus"]!.GetValue<string>());

        var agent = await Server.ClientAsync(Roles.Agent);
        var listed = (await (await agent.GetAsync("/api/v1/macros")).ExpectAsync(HttpStatusCode.OK))!.AsArray();
        Assert.Contains(listed, m => m!["id"]!.GetValue<Guid>() == id && m["name"]!.GetValue<string>() == name);

        var replaced = (await (await supervisor.PutJsonAsync($"/api/v1/macros/{id}", new { name, bodyZh = "稍等，正在核实。" })).ExpectAsync(HttpStatusCode.OK))!;
        Assert.Null(replaced["bodyEn"]);
        Assert.Null(replaced["setStatus"]);
        var read = (await (await agent.GetAsync($"/api/v1/macros/{id}")).ExpectAsync(HttpStatusCode.OK))!;
        Assert.Equal("稍等，正在核实。", read["bodyZh"]!.GetValue<string>());

        await (await supervisor.DeleteAsync($"/api/v1/macros/{id}")).ExpectAsync(HttpStatusCode.NoContent);
        await (await agent.GetAsync($"/api/v1/macros/{id}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await supervisor.DeleteAsync($"/api/v1/macros/{id}")).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task BadMacros_Are400NamingTheField_AndStoreNothing()
    {
        var supervisor = await Server.ClientAsync(Roles.Supervisor);
        await (await supervisor.PostJsonAsync("/api/v1/macros", new { bodyZh = "内容" })).ExpectFieldErrorAsync("name");
        await (await supervisor.PostJsonAsync("/api/v1/macros", new { name = Name() })).ExpectFieldErrorAsync("bodyZh");
        await (await supervisor.PostJsonAsync("/api/v1/macros", new { name = Name(), bodyZh = "内容", setStatus = "closed" })).ExpectFieldErrorAsync("setStatus");
        await (await supervisor.PostJsonAsync("/api/v1/macros", new { name = Name(), bodyZh = new string('长', 20_001) })).ExpectFieldErrorAsync("bodyZh");

        var taken = Name();
        await (await supervisor.PostJsonAsync("/api/v1/macros", new { name = taken, bodyZh = "一" })).ExpectAsync(HttpStatusCode.Created);
        await (await supervisor.PostJsonAsync("/api/v1/macros", new { name = taken, bodyZh = "二" })).ExpectFieldErrorAsync("name");
        await (await supervisor.PutJsonAsync($"/api/v1/macros/{Guid.NewGuid()}", new { name = Name(), bodyZh = "三" })).ExpectAsync(HttpStatusCode.NotFound);

        var all = (await (await supervisor.GetAsync("/api/v1/macros")).ExpectAsync(HttpStatusCode.OK))!.AsArray();
        Assert.Single(all, m => m!["name"]!.GetValue<string>() == taken);
        Assert.DoesNotContain(all, m => m!["bodyZh"]!.GetValue<string>() is "二" or "三");
    }

    [Theory]
    [InlineData(Roles.Customer)]
    [InlineData(Roles.Merchant)]
    [InlineData(Roles.Integration)]
    public async Task OnlyTheServiceDeskReadsMacros(string role)
    {
        var client = role == Roles.Customer ? await Server.ClientAsync(role, customer: await new Desk(Server).CustomerAsync()) : await Server.ClientAsync(role);
        await (await client.GetAsync("/api/v1/macros")).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AgentsMayNotChangeMacros()
    {
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.PostJsonAsync("/api/v1/macros", new { name = Name(), bodyZh = "内容" })).ExpectAsync(HttpStatusCode.Forbidden);
    }
}
