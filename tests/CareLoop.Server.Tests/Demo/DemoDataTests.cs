using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Demo;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CareLoop.Server.Tests.Demo;

public sealed class DemoDataTestsSqlite(SqliteServer fixture) : DemoDataTests(fixture), IClassFixture<SqliteServer>;

public sealed class DemoDataTestsPostgres(PostgresServer fixture) : DemoDataTests(fixture), IClassFixture<PostgresServer>;

/// <summary>The demo marketplace loads through the bulk path, is deterministic, and every listed login works.</summary>
public abstract class DemoDataTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    private async Task LoadAsync()
    {
        // Idempotent: the first test in the class loads it, the others find it there.
        await DemoData.LoadIfEmptyAsync(Server.Services, DemoScale.ForOrders(300), CancellationToken.None);
    }

    [Fact]
    public async Task EveryDemoLogin_SignsInWithTheSharedPassword_InItsRole()
    {
        await LoadAsync();

        foreach (var role in DemoData.LoginRoles)
        {
            var ok = await Server.InScopeAsync(async sp =>
            {
                var users = sp.GetRequiredService<UserManager<User>>();
                var user = await users.FindByEmailAsync($"{role}@{DemoData.Domain}");
                Assert.NotNull(user);
                Assert.True(await users.IsInRoleAsync(user, role), $"{role} login lacks its role");
                return await users.CheckPasswordAsync(user, DemoData.Password);
            });
            Assert.True(ok, $"{role}@{DemoData.Domain} does not accept the demo password");
        }
    }

    [Fact]
    public async Task MerchantAndCustomerLogins_AreBoundToTheDocumentedRecords_WithOrders()
    {
        await LoadAsync();

        var (merchantOrders, customerOrders, phone) = await Server.InScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<User>>();
            var db = sp.GetRequiredService<CareLoopDbContext>();
            var merchantUser = await users.FindByEmailAsync($"merchant@{DemoData.Domain}");
            var customerUser = await users.FindByEmailAsync($"customer@{DemoData.Domain}");
            var merchant = await db.Merchants.SingleAsync(m => m.Id == merchantUser!.MerchantId);
            var customer = await db.Customers.SingleAsync(c => c.Id == customerUser!.CustomerId);
            Assert.Equal(DemoData.FirstMerchant, merchant.ExternalId);
            Assert.Equal(DemoData.DemoCustomer, customer.ExternalId);
            return (await db.Orders.CountAsync(o => o.MerchantId == merchant.Id), await db.Orders.CountAsync(o => o.CustomerId == customer.Id), customer.Phone);
        });

        Assert.Equal(DemoData.CustomerPhone, phone);
        Assert.True(merchantOrders > 0);
        Assert.True(customerOrders > 0);
    }

    [Fact]
    public async Task Loading_CoversEveryCategoryGroup_AndShipmentsHaveTracking()
    {
        await LoadAsync();

        var (roots, eventsPerShipment) = await Server.WithDbAsync(async db =>
        {
            var r = await db.Categories.Where(c => c.ParentId == null).Select(c => c.ExternalId).ToListAsync();
            var shipments = await db.Shipments.CountAsync();
            var events = await db.TrackingEvents.CountAsync(e => e.ShipmentId != null);
            return (r, shipments == 0 ? 0 : (double)events / shipments);
        });

        Assert.Equal(["cat-apparel", "cat-appliances", "cat-baby", "cat-electronics", "cat-food", "cat-furniture"], roots.Order(StringComparer.Ordinal));
        Assert.True(eventsPerShipment >= 2, $"only {eventsPerShipment:0.0} tracking events per shipment");
        Assert.False(await DemoData.LoadIfEmptyAsync(Server.Services, DemoScale.ForOrders(300), CancellationToken.None));
    }

    [Fact]
    public void TheGenerator_IsDeterministic()
    {
        var now = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var a = new DemoGenerator(DemoScale.ForOrders(500), now);
        var b = new DemoGenerator(DemoScale.ForOrders(500), now);

        Assert.Equal(a.Products.Select(p => (p.ExternalId, p.Name, p.Price)), b.Products.Select(p => (p.ExternalId, p.Name, p.Price)));
        Assert.Equal(a.Customers.Select(c => (c.ExternalId, c.Name, c.Phone)), b.Customers.Select(c => (c.ExternalId, c.Name, c.Phone)));
        Assert.Equal(
            a.OrderBatches(100).SelectMany(x => x.Orders).Select(o => (o.ExternalId, o.TotalPaid, o.PaidAt)),
            b.OrderBatches(100).SelectMany(x => x.Orders).Select(o => (o.ExternalId, o.TotalPaid, o.PaidAt)));
    }

    [Fact]
    public void TheReadme_ListsEveryDemoLogin_AndThePassword()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CareLoop.slnx"))) dir = dir.Parent;
        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));

        Assert.Contains(DemoData.Password, readme, StringComparison.Ordinal);
        Assert.Contains(DemoData.CustomerPhone, readme, StringComparison.Ordinal);
        foreach (var role in DemoData.LoginRoles)
        {
            Assert.Contains($"{role}@{DemoData.Domain}", readme, StringComparison.Ordinal);
        }
    }
}
