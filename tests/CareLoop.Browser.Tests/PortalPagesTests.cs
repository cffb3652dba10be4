using System.Text.RegularExpressions;
using CareLoop.Domain.ServiceDesk;
using Microsoft.Playwright;
using static CareLoop.Browser.Tests.BrowserSteps;
using static Microsoft.Playwright.Assertions;

namespace CareLoop.Browser.Tests;

/// <summary>The customer portal on a phone: submitting a request with a photo, following the answer, rating the service.</summary>
public sealed class PortalPagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Denied = "您没有访问此页面的权限。";
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };
    private readonly DeskSteps _desk = new(server);

    static PortalPagesTests() => SetDefaultExpectTimeout(15_000);

    private static async Task AssertNoHorizontalScrollAsync(IPage page)
    {
        var width = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth");
        Assert.True(width <= Phone.Width + 2, $"{page.Url} is {width}px wide on a {Phone.Width}px screen");
    }

    [Fact]
    public async Task Customer_SubmitsARequestWithAPhoto_FollowsTheAnswer_AndRatesIt()
    {
        await using var context = await server.NewContextAsync(Phone);
        var page = await context.NewPageAsync();
        await SignInAsync(page, "customer", $"/portal/tickets/new?order={Uri.EscapeDataString(server.TrackedOrder)}");
        await Expect(page.Locator(".portal-order input")).ToHaveValueAsync(server.TrackedOrder);
        await AssertNoHorizontalScrollAsync(page);

        var description = DeskSteps.Unique("屏幕有一条亮线");
        await page.FillAsync("#portal-message", description);
        await page.SetInputFilesAsync("#portal-photos", new FilePayload { Name = "screen.png", MimeType = "image/png", Buffer = DeskSteps.Png() });
        var draft = page.Locator("#portal-draft-photos img.attachment-thumb");
        await Expect(draft).ToBeVisibleAsync();
        await ScreenshotAsync(page, "portal-new-390.png");
        await AssertNoHorizontalScrollAsync(page);
        await page.ClickAsync("#portal-submit");

        await Expect(page).ToHaveURLAsync(new Regex(@"/portal/tickets/\d+$"));
        var number = long.Parse(page.Url.Split('/').Last(), System.Globalization.CultureInfo.InvariantCulture);
        await Expect(page.Locator("#portal-ticket-status")).ToHaveTextAsync("新建");
        await Expect(page.Locator("#portal-ticket-order")).ToHaveTextAsync(server.TrackedOrder);
        var first = page.Locator("#portal-timeline .portal-message").First;
        await Expect(first).ToContainTextAsync(description);
        var thumb = first.Locator("img.attachment-thumb");
        await Expect(thumb).ToHaveAttributeAsync("src", new Regex(@"^/api/v1/files/[0-9a-f-]+/thumbnail$"));
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await thumb.ElementHandleAsync());
        await AssertNoHorizontalScrollAsync(page);
        await ScreenshotAsync(page, "portal-ticket-390.png");

        // The agent answers: the page shows it without reloading.
        await _desk.AgentReplyAsync(number, "您好，已为您登记换新，请保持电话畅通。");
        await Expect(page.Locator("#portal-timeline .portal-message.from-staff")).ToContainTextAsync("已为您登记换新");
        await Expect(page.Locator("#portal-ticket-status")).ToHaveTextAsync("处理中");

        await _desk.AgentReplyAsync(number, "新机已发出，问题已解决。", TicketStatus.Solved);
        await Expect(page.Locator("#portal-ticket-status")).ToHaveTextAsync("已解决");
        await Expect(page.Locator("#rate-stars")).ToBeVisibleAsync();
        await AssertNoHorizontalScrollAsync(page);

        await page.ClickAsync("#rate-5");
        await page.FillAsync("#rate-comment", "处理很快，谢谢！");
        await page.ClickAsync("#rate-submit");
        await Expect(page.Locator("#csat-given")).ToHaveAttributeAsync("data-rating", "5");
        await Expect(page.Locator("#csat-comment")).ToHaveTextAsync("处理很快，谢谢！");
        await Expect(page.Locator("#rate-stars")).ToHaveCountAsync(0);
        await AssertNoHorizontalScrollAsync(page);
        await ScreenshotAsync(page, "portal-rated-390.png");

        // The list shows the request with its status.
        await GotoInteractiveAsync(page, "/portal/tickets");
        var row = page.Locator("#portal-tickets .portal-ticket").Filter(new() { HasTextString = $"#{number}" });
        await Expect(row.Locator(".portal-ticket-status")).ToHaveTextAsync("已解决");
        await AssertNoHorizontalScrollAsync(page);
    }

    [Fact]
    public async Task Customer_RepliesWithAPhoto_OnAnOpenRequest()
    {
        var ticket = await _desk.CustomerTicketAsync(DeskSteps.Unique("少发了配件"), "包装里没有充电线。", category: TicketCategory.MissingWrongItem);
        await using var context = await server.NewContextAsync(Phone);
        var page = await context.NewPageAsync();
        await SignInAsync(page, "customer", $"/portal/tickets/{ticket.Number}");

        await page.FillAsync("#portal-reply-body", "补充一张包装照片。");
        await page.SetInputFilesAsync("#portal-reply-photos", new FilePayload { Name = "box.png", MimeType = "image/png", Buffer = DeskSteps.Png(80, 80) });
        await Expect(page.Locator("#portal-reply img.attachment-thumb")).ToBeVisibleAsync();
        await page.ClickAsync("#portal-reply-send");

        var reply = page.Locator("#portal-timeline .portal-message").Filter(new() { HasTextString = "补充一张包装照片" });
        await Expect(reply.Locator("img.attachment-thumb")).ToBeVisibleAsync();
        await AssertNoHorizontalScrollAsync(page);
    }

    [Fact]
    public async Task Agent_SeesThePortalAsNotTheirs()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent");
        await Expect(page.Locator("#nav-desk")).ToBeVisibleAsync();
        await Expect(page.Locator("#nav-portal")).ToHaveCountAsync(0);

        await page.GotoAsync("/portal/tickets");
        await Expect(page.GetByText(Denied)).ToBeVisibleAsync();
        await page.GotoAsync("/portal/tickets/new");
        await Expect(page.GetByText(Denied)).ToBeVisibleAsync();
        await Expect(page.Locator("#portal-form")).ToHaveCountAsync(0);
    }

    /// <summary>Screenshots for a person to look at go to a temp folder (never into the repository).</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "careloop-screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
