using CareLoop.Server.Platform.Demo;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CareLoop.Browser.Tests;

/// <summary>Steps every browser test takes: signing in as a demo login and waiting for the interactive circuit.</summary>
internal static class BrowserSteps
{
    public static string Login(string role) => $"{role}@{DemoData.Domain}";

    /// <summary>Signs in through the static form and waits for the interactive circuit of the page it lands on.</summary>
    public static async Task SignInAsync(IPage page, string role, string returnUrl = "/")
    {
        await page.GotoAsync($"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.FillAsync("#email", Login(role));
        await page.FillAsync("#password", DemoData.Password);
        await page.ClickAsync("#sign-in");
        await WaitInteractiveAsync(page);
    }

    /// <summary>Blazor prerenders: clicks before the circuit connects are lost, so wait for the marker only it renders.</summary>
    public static Task WaitInteractiveAsync(IPage page) => Expect(page.Locator("#cl-interactive")).ToBeAttachedAsync();

    public static async Task GotoInteractiveAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await WaitInteractiveAsync(page);
    }
}
