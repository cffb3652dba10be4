using System.Text.RegularExpressions;
using CareLoop.Server.Platform.Demo;
using Microsoft.Playwright;
using static CareLoop.Browser.Tests.BrowserSteps;
using static Microsoft.Playwright.Assertions;

namespace CareLoop.Browser.Tests;

/// <summary>Sign-in, order lookup and order detail in a real browser against a real server.</summary>
public sealed partial class OrderPagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    static OrderPagesTests() => SetDefaultExpectTimeout(15_000);

    [Fact]
    public async Task SignIn_ShowsWelcome_WhenPasswordIsRight()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();

        await SignInAsync(page, "agent");

        await Expect(page).ToHaveURLAsync(new Regex("/$"));
        await Expect(page.Locator("#welcome")).ToContainTextAsync("欢迎");
    }

    [Fact]
    public async Task SignIn_ShowsError_WhenPasswordIsWrong()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", Login("agent"));
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("#sign-in");

        await Expect(page.Locator("#login-error")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/login"));
        await Expect(page.Locator("#welcome")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Agent_FindsOrdersByPhone_AndOpensOneWithLinesAndTimeline()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent", "/orders");

        await page.FillAsync("#order-search", DemoData.CustomerPhone);
        await page.ClickAsync("#order-search-submit");

        var links = page.Locator("#order-results a.order-link");
        await Expect(links.First).ToBeVisibleAsync();
        foreach (var number in await links.AllInnerTextsAsync())
        {
            Assert.Contains(number.Trim(), server.DemoCustomerOrders);
        }
        // MudBlazor's own strings come from our resources (CareLoopMudLocalizer).
        await Expect(page.Locator("#order-results button[aria-label='下一页']")).ToHaveCountAsync(1);

        await links.Filter(new() { HasTextString = server.TrackedOrder }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/orders/{Regex.Escape(server.TrackedOrder)}$"));
        await Expect(page.Locator("#order-number")).ToHaveTextAsync(server.TrackedOrder);
        await Expect(page.Locator("#order-lines tbody tr").First).ToBeVisibleAsync();
        await Expect(page.Locator(".tracking-timeline .tracking-event").First).ToBeVisibleAsync();
        await Expect(page.Locator("#order-total")).ToContainTextAsync(new Regex(@"¥\d[\d,]*\.\d{2}"));
        await Expect(page.Locator("#order-paid-at")).ToContainTextAsync(new Regex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"));
    }

    [Fact]
    public async Task Customer_SeesOnlyOwnOrders_AndAnotherCustomersOrderIsNotFound()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "customer", "/orders");

        // The customer's recent orders are listed without searching.
        var links = page.Locator("#order-results a.order-link");
        await Expect(links.First).ToBeVisibleAsync();
        var shown = (await links.AllInnerTextsAsync()).Select(n => n.Trim()).ToList();
        Assert.Equal(Math.Min(server.DemoCustomerOrders.Count, 20), shown.Count);
        Assert.All(shown, n => Assert.Contains(n, server.DemoCustomerOrders));

        // Searching for someone else's order number finds nothing either.
        await page.FillAsync("#order-search", server.OtherCustomerOrder);
        await page.ClickAsync("#order-search-submit");
        await Expect(page.Locator("#order-no-result")).ToBeVisibleAsync();

        await GotoInteractiveAsync(page, $"/orders/{server.OtherCustomerOrder}");
        await Expect(page.Locator("#order-not-found")).ToBeVisibleAsync();
        await Expect(page.Locator("#order-detail")).ToHaveCountAsync(0);
        await Expect(page.GetByText(server.OtherCustomerOrder, new() { Exact = true })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Merchant_SeesOwnOrder_AndAnotherMerchantsOrderIsNotFound()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "merchant", $"/orders/{server.OwnMerchantOrder}");

        await Expect(page.Locator("#order-number")).ToHaveTextAsync(server.OwnMerchantOrder);

        await GotoInteractiveAsync(page, $"/orders/{server.OtherMerchantOrder}");
        await Expect(page.Locator("#order-not-found")).ToBeVisibleAsync();
        await Expect(page.Locator("#order-detail")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Merchant_SeesOwnRecentOrders_WithoutSearching()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "merchant", "/orders");

        var links = page.Locator("#order-results a.order-link");
        await Expect(links.First).ToBeVisibleAsync();
        var merchants = (await page.Locator("#order-results td[data-label='商家']").AllInnerTextsAsync()).Select(t => t.Trim()).Distinct().ToList();

        Assert.Equal(["优品数码旗舰店"], merchants);
    }

    [Fact]
    public async Task Merchant_SearchingByPhone_SeesOnlyOwnOrders()
    {
        Assert.True(server.DemoCustomerBoughtElsewhere, "demo data: the demo customer should also buy from other merchants");
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "merchant", "/orders");
        await Expect(page.Locator("#order-recent")).ToBeVisibleAsync();

        await page.FillAsync("#order-search", DemoData.CustomerPhone);
        await page.ClickAsync("#order-search-submit");
        // The merchant's recent orders are on the page first: wait until the search's answer replaces them.
        await Expect(page.Locator("#order-searched")).ToContainTextAsync(DemoData.CustomerPhone);

        var expected = server.OwnMerchantDemoCustomerOrders;
        if (expected.Count == 0)
        {
            await Expect(page.Locator("#order-no-result")).ToBeVisibleAsync();
            return;
        }
        var links = page.Locator("#order-results a.order-link");
        await Expect(links.First).ToBeVisibleAsync();
        var shown = (await links.AllInnerTextsAsync()).Select(n => n.Trim()).ToHashSet();
        Assert.Subset(expected.ToHashSet(), shown);
    }

    [Fact]
    public async Task LanguageSwitch_ShowsEnglishNavigation()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent");
        await Expect(page.Locator("#nav-orders")).ToContainTextAsync("订单查询");

        await page.ClickAsync("#culture-switch");
        await WaitInteractiveAsync(page);

        await Expect(page.Locator("#nav-orders")).ToContainTextAsync("Order lookup");
        await Expect(page.Locator("#culture-switch")).ToHaveTextAsync("中文");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
    }

    [Fact]
    public async Task OrderDetail_FitsPhoneScreen_WithoutHorizontalScrolling()
    {
        await using var context = await server.NewContextAsync(new ViewportSize { Width = 375, Height = 667 });
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent", $"/orders/{server.TrackedOrder}");
        await Expect(page.Locator(".tracking-timeline .tracking-event").First).ToBeVisibleAsync();

        var scrollWidth = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth");
        Assert.True(scrollWidth <= 375 + 2, $"page is {scrollWidth}px wide on a 375px screen");

        await ScreenshotAsync(page, "order-detail-375.png");
        await page.SetViewportSizeAsync(1280, 900);
        await ScreenshotAsync(page, "order-detail-1280.png");
    }

    /// <summary>Screenshots for a person to look at go to a temp folder (never into the repository).</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "careloop-screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
