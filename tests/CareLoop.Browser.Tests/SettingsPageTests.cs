using CareLoop.Server.Platform.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static CareLoop.Browser.Tests.BrowserSteps;
using static Microsoft.Playwright.Assertions;

namespace CareLoop.Browser.Tests;

/// <summary>The settings page: validated edits with the registry's rules, saving, reset to default; admins only.</summary>
public sealed class SettingsPageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    static SettingsPageTests() => SetDefaultExpectTimeout(15_000);

    private static ILocator Setting(IPage page, string key) => page.Locator($".cl-setting[data-key='{key}']");

    private async Task<int> StoredMaxAttemptsAsync()
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SettingsStore>().GetIntAsync(SettingKeys.OutboxMaxAttempts, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Admin_IsRefusedAnOutOfRangeValue_SavesAValidOne_AndResetsIt()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/admin/settings");
        var row = Setting(page, SettingKeys.OutboxMaxAttempts);
        var input = page.Locator("#setting-outbox-maxAttempts");
        await Expect(row.Locator(".setting-description")).ToContainTextAsync("最大投递次数");
        await Expect(row.Locator(".setting-value")).ToHaveTextAsync("12");
        await Expect(row.Locator(".setting-default")).ToHaveTextAsync("12");
        await Expect(row.Locator(".setting-is-default")).ToHaveCountAsync(1);
        await Expect(row.Locator(".setting-reset")).ToBeDisabledAsync();

        await input.FillAsync("0");
        await row.Locator(".setting-save").ClickAsync();
        await Expect(row.Locator(".setting-error")).ToHaveTextAsync("请输入 1 到 50 之间的整数。");
        await Expect(row.Locator(".setting-value")).ToHaveTextAsync("12");
        Assert.Equal(12, await StoredMaxAttemptsAsync());

        await input.FillAsync("20");
        await Expect(row.Locator(".setting-error")).ToHaveCountAsync(0);
        await row.Locator(".setting-save").ClickAsync();
        await Expect(row.Locator(".setting-value")).ToHaveTextAsync("20");
        await Expect(row.Locator(".setting-is-default")).ToHaveCountAsync(0);
        Assert.Equal(20, await StoredMaxAttemptsAsync());

        await page.ReloadAsync();
        await WaitInteractiveAsync(page);
        await Expect(row.Locator(".setting-value")).ToHaveTextAsync("20");
        await Expect(input).ToHaveValueAsync("20");

        await row.Locator(".setting-reset").ClickAsync();
        await Expect(row.Locator(".setting-value")).ToHaveTextAsync("12");
        await Expect(input).ToHaveValueAsync("12");
        await Expect(row.Locator(".setting-is-default")).ToHaveCountAsync(1);
        await Expect(row.Locator(".setting-reset")).ToBeDisabledAsync();
        Assert.Equal(12, await StoredMaxAttemptsAsync());
    }

    [Fact]
    public async Task Page_ShowsEveryGroup_InEnglishToo_AndFitsAPhone()
    {
        await using var context = await server.NewContextAsync(new ViewportSize { Width = 375, Height = 667 });
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin");
        await page.ClickAsync("#home-settings");
        await WaitInteractiveAsync(page);
        foreach (var group in new[] { "files", "notifications", "outbox", "platform" })
        {
            await Expect(page.Locator($"#settings-{group}")).ToBeVisibleAsync();
        }
        await Expect(Setting(page, SettingKeys.NotificationQuietHours).Locator(".setting-value")).ToHaveTextAsync("22:00-08:00");
        var scrollWidth = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth");
        Assert.True(scrollWidth <= 375 + 2, $"page is {scrollWidth}px wide on a 375px screen");
        await ScreenshotAsync(page, "admin-settings-375.png");

        await page.GotoAsync("/account/culture?culture=en&returnUrl=/admin/settings");
        await WaitInteractiveAsync(page);
        await page.SetViewportSizeAsync(1280, 900);
        await Expect(Setting(page, SettingKeys.OutboxMaxAttempts).Locator(".setting-description")).ToContainTextAsync("Delivery attempts");
        await page.FillAsync("#setting-notifications-quietHours", "25:00-08:00");
        await Setting(page, SettingKeys.NotificationQuietHours).Locator(".setting-save").ClickAsync();
        await Expect(Setting(page, SettingKeys.NotificationQuietHours).Locator(".setting-error"))
            .ToHaveTextAsync("Enter a time range HH:mm-HH:mm with different start and end, such as 22:00-08:00.");
        await ScreenshotAsync(page, "admin-settings-1280-en.png");
    }

    [Fact]
    public async Task Supervisor_IsNotAllowed_OnTheSettingsPage()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "supervisor");
        await Expect(page.Locator("#nav-calendars")).ToBeVisibleAsync();
        await Expect(page.Locator("#nav-settings")).ToHaveCountAsync(0);
        await Expect(page.Locator("#home-settings")).ToHaveCountAsync(0);

        await page.GotoAsync("/admin/settings");
        await Expect(page.GetByText("您没有访问此页面的权限。")).ToBeVisibleAsync();
        await Expect(page.Locator("#settings")).ToHaveCountAsync(0);
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "careloop-screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
