using System.Diagnostics;
using CareLoop.Domain.Commerce;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Demo;

/// <summary>How big a demo marketplace to generate.</summary>
public sealed record DemoScale(int Merchants, int Suppliers, int Products, int Customers, int Orders)
{
    public static DemoScale Default { get; } = new(8, 12, 300, 4000, 20000);

    /// <summary>Scales customers with orders (about five orders a customer), keeping the catalogue.</summary>
    public static DemoScale ForOrders(int orders) =>
        Default with { Orders = orders, Customers = Math.Clamp(orders / 5, 10, Math.Max(Default.Customers, orders / 5)) };
}

/// <summary>
/// Loads the deterministic demo marketplace (same seed, same records; dates relative to today) through the bulk
/// path, and creates one demo login per role.
/// </summary>
public static class DemoData
{
    public const string Password = "CareLoop-demo-2026";
    public const string Domain = "demo.careloop";
    public const string CustomerPhone = "13800138000";
    public const string FirstMerchant = "M001";
    public const string DemoCustomer = "C000001";

    public static readonly IReadOnlyList<string> LoginRoles =
        [Roles.Admin, Roles.Supervisor, Roles.Agent, Roles.Merchant, Roles.Warehouse, Roles.Technician, Roles.Quality, Roles.Customer];

    public static string LoginsText =>
        $"Demo logins (password {Password}): " + string.Join(", ", LoginRoles.Select(r => $"{r}@{Domain}"));

    private const int Chunk = 10_000;

    /// <summary>Loads the demo marketplace when the database holds no merchants yet. Returns whether it loaded.</summary>
    public static async Task<bool> LoadIfEmptyAsync(IServiceProvider services, DemoScale scale, CancellationToken ct, TextWriter? progress = null)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        if (await db.Merchants.IgnoreQueryFilters().AnyAsync(ct))
        {
            return false;
        }
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var watch = Stopwatch.StartNew();
        var generator = new DemoGenerator(scale, clock.GetUtcNow().UtcDateTime);
        var bulk = new BulkInserter(db);

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await bulk.InsertAsync(generator.Merchants, ct);
            await bulk.InsertAsync(generator.Suppliers, ct);
            await bulk.InsertAsync(generator.Categories, ct);
            await bulk.InsertAsync(generator.Products, ct);
            await bulk.InsertAsync(generator.Lots, ct);
            foreach (var chunk in generator.Customers.Chunk(Chunk))
            {
                await bulk.InsertAsync(chunk, ct);
            }
            await tx.CommitAsync(ct);
        }
        progress?.WriteLine($"catalogue and {scale.Customers} customers in {watch.Elapsed.TotalSeconds:0.0} s");

        var done = 0;
        foreach (var batch in generator.OrderBatches(Chunk))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await bulk.InsertAsync(batch.Orders, ct);
            await bulk.InsertAsync(batch.Lines, ct);
            await bulk.InsertAsync(batch.Shipments, ct);
            await bulk.InsertAsync(batch.Events, ct);
            await tx.CommitAsync(ct);
            done += batch.Orders.Count;
            if (progress is not null && (done % 100_000 == 0 || done == scale.Orders))
            {
                progress.WriteLine($"{done} orders in {watch.Elapsed.TotalSeconds:0.0} s");
            }
        }
        await CreateLoginsAsync(scope.ServiceProvider, db, clock, ct);
        await DemoServiceDesk.LoadIfEmptyAsync(scope.ServiceProvider, ct);
        PlatformLog.DemoLoaded(scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("CareLoop.Platform"),
            scale.Orders, watch.Elapsed.TotalSeconds);
        return true;
    }

    private static async Task CreateLoginsAsync(IServiceProvider services, CareLoopDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var users = services.GetRequiredService<UserManager<User>>();
        var merchantId = await db.Merchants.IgnoreQueryFilters().Where(m => m.ExternalId == FirstMerchant).Select(m => m.Id).SingleAsync(ct);
        var customerId = await db.Customers.IgnoreQueryFilters().Where(c => c.ExternalId == DemoCustomer).Select(c => c.Id).SingleAsync(ct);
        foreach (var role in LoginRoles)
        {
            var email = $"{role}@{Domain}";
            if (await users.FindByEmailAsync(email) is not null)
            {
                continue;
            }
            var user = new User
            {
                Id = Guid.CreateVersion7(), UserName = email, Email = email, EmailConfirmed = true,
                DisplayName = DemoGenerator.RoleDisplayName(role),
                MerchantId = role == Roles.Merchant ? merchantId : null,
                CustomerId = role == Roles.Customer ? customerId : null,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            var result = await users.CreateAsync(user, Password);
            if (result.Succeeded) result = await users.AddToRoleAsync(user, role);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Could not create demo login {email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
            }
        }
    }
}
