using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Demo;
using CareLoop.Server.Platform.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace CareLoop.Browser.Tests;

/// <summary>
/// One real CareLoop server (Kestrel on a free port, SQLite in a temp folder, a small demo marketplace) and one
/// headless Debian chromium, shared by the tests of a class; each test opens its own browser context.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "careloop-browser-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The server's services (an unbound scope sees every row), for arranging test data.</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The server has not started.");
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Order numbers of the demo customer (the customer login).</summary>
    public IReadOnlySet<string> DemoCustomerOrders { get; private set; } = new HashSet<string>();

    /// <summary>An order of the demo customer with tracking events.</summary>
    public string TrackedOrder { get; private set; } = "";

    /// <summary>An order of some other customer.</summary>
    public string OtherCustomerOrder { get; private set; } = "";

    /// <summary>An order of the merchant login's merchant (M001), and one of another merchant.</summary>
    public string OwnMerchantOrder { get; private set; } = "";
    public string OtherMerchantOrder { get; private set; } = "";

    /// <summary>Order numbers of M001 with the demo customer, and whether that customer also bought from other merchants.</summary>
    public IReadOnlySet<string> OwnMerchantDemoCustomerOrders { get; private set; } = new HashSet<string>();
    public bool DemoCustomerBoughtElsewhere { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _app = CareLoopApp.Build(
            new ServerOptions { DataFolder = _dataFolder, Urls = "http://127.0.0.1:0" },
            // Development: static web assets (MudBlazor, blazor.web.js) come from the build's runtime manifest;
            // the application name picks the server's manifest rather than the test assembly's.
            ["--environment=Development", "--applicationName=careloop", "--RateLimits:Enabled=false",
                // Revocations take effect at once (no cached key lookups).
                "--Auth:ApiKeyCacheSeconds=0"],
            b => b.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error));
        await CareLoopApp.PrepareDatabaseAsync(_app.Services, ct);
        await DemoData.LoadIfEmptyAsync(_app.Services, DemoScale.ForOrders(200), ct);
        await PickOrdersAsync(_app.Services, ct);
        await _app.StartAsync(ct);
        BaseUrl = _app.Urls.First();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    private async Task PickOrdersAsync(IServiceProvider services, CancellationToken ct)
    {
        // An unbound scope sees every merchant's and customer's rows.
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var customerId = await db.Customers.Where(c => c.ExternalId == DemoData.DemoCustomer).Select(c => c.Id).SingleAsync(ct);
        var merchantId = await db.Merchants.Where(m => m.ExternalId == DemoData.FirstMerchant).Select(m => m.Id).SingleAsync(ct);
        DemoCustomerOrders = (await db.Orders.Where(o => o.CustomerId == customerId).Select(o => o.ExternalId).ToListAsync(ct)).ToHashSet();
        var tracked = from o in db.Orders
                      where o.CustomerId == customerId
                         && db.Shipments.Any(s => s.OrderId == o.Id && db.TrackingEvents.Any(e => e.ShipmentId == s.Id))
                      orderby o.PaidAt descending
                      select o.ExternalId;
        TrackedOrder = await tracked.FirstAsync(ct);
        OtherCustomerOrder = await db.Orders.Where(o => o.CustomerId != customerId).OrderBy(o => o.ExternalId).Select(o => o.ExternalId).FirstAsync(ct);
        OwnMerchantOrder = await db.Orders.Where(o => o.MerchantId == merchantId).OrderBy(o => o.ExternalId).Select(o => o.ExternalId).FirstAsync(ct);
        OtherMerchantOrder = await db.Orders.Where(o => o.MerchantId != merchantId).OrderBy(o => o.ExternalId).Select(o => o.ExternalId).FirstAsync(ct);
        OwnMerchantDemoCustomerOrders = (await db.Orders.Where(o => o.MerchantId == merchantId && o.CustomerId == customerId)
            .Select(o => o.ExternalId).ToListAsync(ct)).ToHashSet();
        DemoCustomerBoughtElsewhere = await db.Orders.AnyAsync(o => o.MerchantId != merchantId && o.CustomerId == customerId, ct);
    }

    /// <summary>A fresh browser context (own cookies) in Simplified Chinese, with the server as base address.</summary>
    public Task<IBrowserContext> NewContextAsync(ViewportSize? viewport = null) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 800 },
        });

    public async ValueTask DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.CloseAsync();
            _playwright.Dispose();
        }
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
