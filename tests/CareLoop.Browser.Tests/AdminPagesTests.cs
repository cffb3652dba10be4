using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static CareLoop.Browser.Tests.BrowserSteps;
using static Microsoft.Playwright.Assertions;

namespace CareLoop.Browser.Tests;

/// <summary>The admin pages: API keys (create, show once, revoke) and the audit log; access for other roles.</summary>
public sealed class AdminPagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    static AdminPagesTests() => SetDefaultExpectTimeout(15_000);

    private async Task<HttpStatusCode> CallMeAsync(string token)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    /// <summary>Creates an integration key named <paramref name="name"/> on the open keys page and returns the token it shows.</summary>
    private static async Task<string> CreateIntegrationKeyAsync(IPage page, string name)
    {
        await page.FillAsync("#key-name", name);
        // Integration is the preselected role.
        await Expect(page.Locator(".key-role input").First).ToHaveValueAsync("系统集成");
        await page.ClickAsync("#key-create-submit");
        await Expect(page.Locator("#new-key")).ToContainTextAsync("无法再次查看");
        var token = (await page.Locator("#new-key-token").InnerTextAsync()).Trim();
        Assert.StartsWith("cl_", token, StringComparison.Ordinal);
        return token;
    }

    private static ILocator Row(IPage page, string name) =>
        page.Locator("#key-list tbody tr").Filter(new() { Has = page.Locator(".key-name", new() { HasTextRegex = new Regex($"^\\s*{Regex.Escape(name)}\\s*$") }) });

    [Fact]
    public async Task Admin_CreatesAKey_ThatWorks_AndRevokesIt_ThenItIsRefused()
    {
        var name = "ui-key-" + Guid.NewGuid().ToString("N")[..8];
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/admin/apikeys");
        await Expect(page.Locator("#key-create")).ToBeVisibleAsync();

        var token = await CreateIntegrationKeyAsync(page, name);
        var row = Row(page, name);
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator(".key-role-text")).ToHaveTextAsync("系统集成");
        await Expect(row.Locator(".key-status")).ToHaveTextAsync("有效");
        Assert.Equal(HttpStatusCode.OK, await CallMeAsync(token));

        // The token is shown once: after "saved" (or a reload) it is gone from the page.
        await page.ClickAsync("#new-key-done");
        await Expect(page.Locator("#new-key")).ToHaveCountAsync(0);
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

        // Cancelling the confirmation keeps the key.
        await row.Locator(".key-revoke").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await Expect(dialog).ToContainTextAsync(name);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "取消" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(row.Locator(".key-status")).ToHaveTextAsync("有效");
        Assert.Equal(HttpStatusCode.OK, await CallMeAsync(token));

        await row.Locator(".key-revoke").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "吊销" }).ClickAsync();
        await Expect(row.Locator(".key-status")).ToHaveTextAsync("已吊销");
        await Expect(row.Locator(".key-revoke")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, await CallMeAsync(token));
    }

    [Fact]
    public async Task CreateForm_AppliesTheSharedRules_MerchantRoleNeedsAKnownMerchant()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/admin/apikeys");

        await page.ClickAsync("#key-create-submit");
        await Expect(page.Locator("#key-create")).ToContainTextAsync("请输入名称");

        await page.FillAsync("#key-name", "ui-merchant-key");
        await page.Locator(".key-role").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextString = "商家" }).First.ClickAsync();
        await Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
        await page.FillAsync("#key-merchant", "NO-SUCH-MERCHANT");
        await page.ClickAsync("#key-create-submit");
        await Expect(page.Locator("#key-create")).ToContainTextAsync("请输入已存在的商家编号");
        await Expect(page.Locator("#new-key")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task AuditPage_ShowsTheKeyCreation_ByTheSignedInAdmin()
    {
        var name = "ui-audit-" + Guid.NewGuid().ToString("N")[..8];
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/admin/apikeys");
        var token = await CreateIntegrationKeyAsync(page, name);
        ApiKeyFormatParse(token, out var keyId);

        Guid id;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            id = await db.ApiKeys.Where(k => k.KeyId == keyId).Select(k => k.Id).SingleAsync(TestContext.Current.CancellationToken);
        }

        await page.ClickAsync("#nav-audit");
        await WaitInteractiveAsync(page);
        await Expect(page).ToHaveURLAsync(new Regex("/admin/audit$"));
        var entry = page.Locator("#audit-list tbody tr").Filter(new() { HasTextString = id.ToString() });
        await Expect(entry).ToHaveCountAsync(1);
        await Expect(entry.Locator(".audit-actor")).ToHaveTextAsync($"user:{Login("admin")}");
        await Expect(entry.Locator(".audit-action")).ToHaveTextAsync("创建");
        await Expect(entry.Locator(".audit-type-text")).ToHaveTextAsync("ApiKey");
        await Expect(entry.Locator(".audit-at")).ToHaveTextAsync(new Regex(@"^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s*$"));

        // The actor filter keeps the admin's entries only.
        await page.FillAsync("#audit-actor", "cli");
        await page.ClickAsync("#audit-search");
        await Expect(entry).ToHaveCountAsync(0);
        await page.FillAsync("#audit-actor", $"user:{Login("admin")}");
        await page.ClickAsync("#audit-search");
        await Expect(entry).ToHaveCountAsync(1);
        var actors = await page.Locator("#audit-list .audit-actor").AllInnerTextsAsync();
        Assert.All(actors, a => Assert.Equal($"user:{Login("admin")}", a.Trim()));
    }

    [Fact]
    public async Task AuditPage_LoadsMore_NewestFirst()
    {
        // 60 entries of an actor of its own (the demo load writes few entries): one page of 50, then the last 10.
        var actor = "test:paging-" + Guid.NewGuid().ToString("N")[..8];
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            var start = DateTime.UtcNow.AddHours(-2);
            db.AuditEntries.AddRange(Enumerable.Range(0, 60).Select(i => new AuditEntry
            {
                At = start.AddMinutes(i), Actor = actor, Action = "updated", EntityType = "CalendarRecord", EntityId = $"paging-{i:D2}",
                Changes = $$"""{"Name":["before {{i}}","after {{i}}"]}""",
            }));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/admin/audit");
        await Expect(page.Locator("#audit-list")).ToBeVisibleAsync();
        await page.FillAsync("#audit-actor", actor);
        await page.ClickAsync("#audit-search");
        var rows = page.Locator("#audit-list tbody tr");
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(rows.First.Locator(".audit-entity")).ToHaveTextAsync("paging-59");
        await Expect(rows.First.Locator(".audit-changes")).ToContainTextAsync("Name before 59 → after 59");
        await Expect(rows.First.Locator(".audit-action")).ToHaveTextAsync("修改");

        await page.ClickAsync("#audit-more");
        await Expect(rows).ToHaveCountAsync(60);
        await Expect(rows.Last.Locator(".audit-entity")).ToHaveTextAsync("paging-00");
        await Expect(page.Locator("#audit-more")).ToHaveCountAsync(0);
        var times = (await page.Locator("#audit-list .audit-at").AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
        Assert.Equal(times.OrderDescending(StringComparer.Ordinal), times);
    }

    [Fact]
    public async Task Agent_IsNotAllowed_OnTheAdminPages()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent");
        await Expect(page.Locator("#nav-orders")).ToBeVisibleAsync();
        await Expect(page.Locator("#nav-apikeys")).ToHaveCountAsync(0);
        await Expect(page.Locator("#nav-audit")).ToHaveCountAsync(0);
        await Expect(page.Locator("#home-apikeys")).ToHaveCountAsync(0);

        await page.GotoAsync("/admin/apikeys");
        await Expect(page.GetByText("您没有访问此页面的权限。")).ToBeVisibleAsync();
        await Expect(page.Locator("#key-create")).ToHaveCountAsync(0);

        await page.GotoAsync("/admin/audit");
        await Expect(page.GetByText("您没有访问此页面的权限。")).ToBeVisibleAsync();
        await Expect(page.Locator("#audit-list")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task ApiKeysPage_FitsPhoneScreen_AndIsScreenshotted()
    {
        await using var context = await server.NewContextAsync(new ViewportSize { Width = 375, Height = 667 });
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/admin/apikeys");
        await CreateIntegrationKeyAsync(page, "ui-phone-" + Guid.NewGuid().ToString("N")[..8]);

        var scrollWidth = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth");
        Assert.True(scrollWidth <= 375 + 2, $"page is {scrollWidth}px wide on a 375px screen");
        await ScreenshotAsync(page, "admin-apikeys-375.png");
        await page.SetViewportSizeAsync(1280, 900);
        await ScreenshotAsync(page, "admin-apikeys-1280.png");
        await page.GotoAsync("/admin/audit");
        await WaitInteractiveAsync(page);
        await Expect(page.Locator("#audit-list")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "admin-audit-1280.png");
        await page.SetViewportSizeAsync(375, 667);
        var auditWidth = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth");
        await ScreenshotAsync(page, "admin-audit-375.png");
        Assert.True(auditWidth <= 375 + 2, $"audit page is {auditWidth}px wide on a 375px screen");
    }

    private static void ApiKeyFormatParse(string token, out string keyId) =>
        Assert.True(CareLoop.Server.Platform.Auth.ApiKeyFormat.TryParse(token, out keyId, out _), "not a CareLoop key: " + token);

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "careloop-screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
