using System.Net;
using CareLoop.Domain.Commerce;
using CareLoop.Server.Modules.Commerce;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;
using CareLoop.Server.Tests.Platform;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Tests.ServiceDesk;

public sealed class CustomerCacheTestsSqlite(SqliteServer fixture) : CustomerCacheTests(fixture), IClassFixture<SqliteServer>;
public sealed class CustomerCacheTestsPostgres(PostgresServer fixture) : CustomerCacheTests(fixture), IClassFixture<PostgresServer>;

/// <summary>Intake reads customers through a short-lived per-process cache: never staler than its lifetime, and never past a caller's row filters.</summary>
public abstract class CustomerCacheTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;
    private Desk Desk => _desk ??= new Desk(Server);
    private Desk? _desk;

    [Fact]
    public async Task ACustomerChangedThroughTheApi_IsWhatTheNextTicketSees()
    {
        var customer = await Desk.CustomerAsync(name: "韩梅梅");
        var before = await Desk.TicketAsync(customer, priority: "normal");
        Assert.Equal("normal", before["priority"]!.GetValue<string>());

        await (await (await Desk.IntegrationAsync()).PutJsonAsync($"/api/v1/customers/{customer}", new { name = "韩梅梅（金卡）", tier = "vip", phone = "13800001234" }))
            .ExpectAsync(HttpStatusCode.OK);
        var after = await Desk.TicketAsync(customer, priority: "normal");

        Assert.Equal("high", after["priority"]!.GetValue<string>());
        Assert.True(after["vip"]!.GetValue<bool>());
        Assert.Equal("韩梅梅（金卡）", after["customer"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task AChangeMadeBehindEfCore_IsSeenOnceTheCacheLifetimeHasPassed()
    {
        var customer = await Desk.CustomerAsync();
        await Desk.TicketAsync(customer, priority: "normal");
        // As another instance's change would look to this one: nothing here is told about it.
        await Server.WithDbAsync(db => db.Customers.Where(c => c.ExternalId == customer)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Tier, CustomerTier.Vip).SetProperty(c => c.Name, "王芳")));

        Server.Clock.Advance(CustomerCache.Lifetime);
        var after = await Desk.TicketAsync(customer, priority: "normal");

        Assert.Equal("high", after["priority"]!.GetValue<string>());
        Assert.Equal("王芳", after["customer"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task AMerchantScopedIntegration_IsNeverServedACachedCustomerItMayNotSee()
    {
        var stranger = await Desk.CustomerAsync();
        var buyer = await Desk.CustomerAsync();
        var (merchant, _) = await Desk.OrderAsync(buyer);
        await Desk.TicketAsync(stranger); // cached by an unscoped caller
        await Desk.TicketAsync(buyer);
        var scoped = await Server.ClientAsync(Roles.Integration, merchant: merchant);

        await (await scoped.PostJsonAsync("/api/v1/tickets", new { channel = "web", customer = new { externalId = stranger }, subject = "s", message = "m" }))
            .ExpectFieldErrorAsync("customer.externalId");
        var own = await (await scoped.PostJsonAsync("/api/v1/tickets", new { channel = "web", customer = new { externalId = buyer }, subject = "s", message = "m" }))
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(buyer, own!["customer"]!["externalId"]!.GetValue<string>());
    }
}
