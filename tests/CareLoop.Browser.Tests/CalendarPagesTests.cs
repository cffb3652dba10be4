using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CareLoop.Domain.Calendars;
using CareLoop.Server.Modules.Calendars;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Demo;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static CareLoop.Browser.Tests.BrowserSteps;
using static Microsoft.Playwright.Assertions;

namespace CareLoop.Browser.Tests;

/// <summary>The business calendar pages: list, detail by year, calculator, editing holidays, access.</summary>
public sealed class CalendarPagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    static CalendarPagesTests() => SetDefaultExpectTimeout(15_000);

    /// <summary>Steps the year selector to <paramref name="year"/>.</summary>
    private static async Task ShowYearAsync(IPage page, int year)
    {
        var shown = page.Locator("#year");
        await Expect(shown).ToHaveTextAsync(new Regex(@"^\d{4}$"));
        for (var i = 0; i < 20; i++)
        {
            var current = int.Parse((await shown.InnerTextAsync()).Trim(), CultureInfo.InvariantCulture);
            if (current == year)
            {
                return;
            }
            await page.ClickAsync(current < year ? "#year-next" : "#year-prev");
            await Expect(shown).ToHaveTextAsync((current < year ? current + 1 : current - 1).ToString(CultureInfo.InvariantCulture));
        }
        Assert.Fail($"year selector did not reach {year}");
    }

    private static ILocator Chip(IPage page, string list, string date) =>
        page.Locator($"#{list} .date-chip").Filter(new() { HasTextRegex = new Regex($"^\\s*{Regex.Escape(date)}\\s*$") });

    [Fact]
    public async Task Admin_ListsCalendars_AndSeesCnMainlandHolidaysAndMakeUpDaysOf2026()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/calendars");

        var links = page.Locator("#calendar-list a.calendar-link");
        await Expect(links.Filter(new() { HasTextString = "cn-mainland" })).ToHaveCountAsync(1);
        await Expect(links.Filter(new() { HasTextString = "24x7" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#calendar-list .calendar-builtin").First).ToBeVisibleAsync();

        await links.Filter(new() { HasTextString = "cn-mainland" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/calendars/cn-mainland$"));
        await Expect(page.Locator("#calendar-code")).ToContainTextAsync("cn-mainland");
        await Expect(page.Locator("#weekly .weekly-day[data-day='monday']")).ToContainTextAsync("09:00–18:00");
        await Expect(page.Locator("#weekly .weekly-day[data-day='sunday']")).ToContainTextAsync("休息");

        await ShowYearAsync(page, 2026);
        await Expect(Chip(page, "holidays", "2026-10-01")).ToHaveCountAsync(1);
        await Expect(Chip(page, "extra-workdays", "2026-09-20")).ToHaveCountAsync(1);
        await Expect(Chip(page, "holidays", "2025-10-01")).ToHaveCountAsync(0);
        // Chips are sorted by date.
        var dates = (await page.Locator("#holidays .date-chip").AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
        Assert.Equal(dates.Order(StringComparer.Ordinal), dates);
    }

    [Fact]
    public async Task Calculator_SkipsTheNationalDayHolidays()
    {
        // The engine's own answers: 60 minutes from 17:00 end exactly at 18:00 the same day (the end of the
        // interval), 120 minutes run past the holidays of October 1–7 into October 8.
        var engine = new BusinessCalendar(BuiltInCalendars.CnMainlandDefinition);
        var start = new DateTimeOffset(2026, 9, 30, 17, 0, 0, TimeSpan.FromHours(8));
        Assert.Equal(new DateTimeOffset(2026, 9, 30, 18, 0, 0, TimeSpan.FromHours(8)), engine.AddBusinessTime(start, 60));
        Assert.Equal(new DateTimeOffset(2026, 10, 8, 10, 0, 0, TimeSpan.FromHours(8)), engine.AddBusinessTime(start, 120));
        Assert.Equal(new DateOnly(2026, 10, 8), engine.AddWorkingDays(new DateOnly(2026, 9, 30), 1));

        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/calendars/cn-mainland");
        await Expect(page.Locator("#calculator")).ToBeVisibleAsync();

        await page.FillAsync("#calc-start-date", "2026-09-30");
        await page.FillAsync("#calc-start-time", "17:00");
        await page.FillAsync("#calc-minutes", "60");
        await page.ClickAsync("#calc-due-submit");
        await Expect(page.Locator("#calc-due")).ToContainTextAsync("2026-09-30 18:00");

        await page.FillAsync("#calc-minutes", "120");
        await page.ClickAsync("#calc-due-submit");
        await Expect(page.Locator("#calc-due")).ToContainTextAsync("2026-10-08 10:00");

        await page.FillAsync("#calc-days-date", "2026-09-30");
        await page.FillAsync("#calc-days", "1");
        await page.ClickAsync("#calc-days-submit");
        await Expect(page.Locator("#calc-days-result")).ToContainTextAsync("2026-10-08");
    }

    [Fact]
    public async Task Admin_AddsAHoliday_ItPersists_AndAnExtraWorkdayOnAWeekdayIsRejected()
    {
        var code = await CreateOfficeCalendarAsync();
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", $"/calendars/{code}");
        await Expect(page.Locator("#calendar-code")).ToContainTextAsync(code);

        await page.FillAsync("#edit-date", "2026-12-24");
        await page.ClickAsync("#add-holiday");
        await Expect(page.Locator("#year")).ToHaveTextAsync("2026");
        await Expect(Chip(page, "holidays", "2026-12-24")).ToHaveCountAsync(1);
        await page.ClickAsync("#calendar-save");
        await Expect(page.Locator("#calendar-saved")).ToBeVisibleAsync();

        await page.ReloadAsync();
        await WaitInteractiveAsync(page);
        await ShowYearAsync(page, 2026);
        await Expect(Chip(page, "holidays", "2026-12-24")).ToHaveCountAsync(1);
        Assert.Contains("2026-12-24", (await ReadAsync(code)).Holidays);

        // 2026-12-25 is a Friday, already worked by the weekly schedule: the API's validation rejects it.
        await page.FillAsync("#edit-date", "2026-12-25");
        await page.ClickAsync("#add-extra");
        await Expect(Chip(page, "extra-workdays", "2026-12-25")).ToHaveCountAsync(1);
        await page.ClickAsync("#calendar-save");
        await Expect(page.Locator("#extra-errors")).ToContainTextAsync("2026-12-25 按每周安排本来就是工作日");
        Assert.Empty((await ReadAsync(code)).ExtraWorkdays);

        // Removing the chip again leaves nothing to save.
        await Chip(page, "extra-workdays", "2026-12-25").Locator(".mud-chip-close-button").ClickAsync();
        await Expect(Chip(page, "extra-workdays", "2026-12-25")).ToHaveCountAsync(0);
        await Expect(page.Locator("#calendar-save")).ToBeDisabledAsync();
    }

    [Fact]
    public async Task Save_ReportsAConflict_WhenSomeoneElseChangedTheCalendar()
    {
        var code = await CreateOfficeCalendarAsync();
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "supervisor", $"/calendars/{code}");
        await Expect(page.Locator("#calendar-code")).ToContainTextAsync(code);

        // Someone else changes the calendar after the page loaded.
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            var record = await db.Calendars.SingleAsync(c => c.Code == code, TestContext.Current.CancellationToken);
            record.Name += " (renamed)";
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await page.FillAsync("#edit-date", "2026-12-31");
        await page.ClickAsync("#add-holiday");
        await page.ClickAsync("#calendar-save");
        await Expect(page.Locator("#calendar-conflict")).ToBeVisibleAsync();
        Assert.Empty((await ReadAsync(code)).Holidays);

        await page.ClickAsync("#calendar-reload");
        await Expect(page.Locator("#calendar-name")).ToContainTextAsync("(renamed)");
        await Expect(page.Locator("#calendar-conflict")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Agent_IsNotAllowed_OnTheCalendarPages()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent");
        await Expect(page.Locator("#nav-orders")).ToBeVisibleAsync();
        await Expect(page.Locator("#nav-calendars")).ToHaveCountAsync(0);

        // The server refuses the page itself (the access-denied page, rendered statically).
        await page.GotoAsync("/calendars");
        await Expect(page.GetByText("您没有访问此页面的权限。")).ToBeVisibleAsync();
        await Expect(page.Locator("#calendar-list")).ToHaveCountAsync(0);

        await page.GotoAsync("/calendars/cn-mainland");
        await Expect(page.GetByText("您没有访问此页面的权限。")).ToBeVisibleAsync();
        await Expect(page.Locator("#calendar-detail")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task CalendarDetail_FitsPhoneScreen_WithoutHorizontalScrolling()
    {
        await using var context = await server.NewContextAsync(new ViewportSize { Width = 375, Height = 667 });
        var page = await context.NewPageAsync();
        await SignInAsync(page, "supervisor", "/calendars/cn-mainland");
        await ShowYearAsync(page, 2026);
        await Expect(Chip(page, "holidays", "2026-10-01")).ToHaveCountAsync(1);

        var scrollWidth = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth");
        Assert.True(scrollWidth <= 375 + 2, $"page is {scrollWidth}px wide on a 375px screen");

        await ScreenshotAsync(page, "calendar-detail-375.png");
        await page.SetViewportSizeAsync(1280, 900);
        await ScreenshotAsync(page, "calendar-detail-1280.png");
        await page.GotoAsync("/calendars");
        await WaitInteractiveAsync(page);
        await Expect(page.Locator("#calendar-list")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "calendar-list-1280.png");
    }

    /// <summary>A new calendar (Monday–Friday 09:00–18:00 in Shanghai, no holidays) stored the way the API's POST stores it.</summary>
    private async Task<string> CreateOfficeCalendarAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var code = "ui-test-" + Guid.NewGuid().ToString("N")[..8];
        List<List<string>> office = [["09:00", "18:00"]];
        var body = new CalendarBody(code, "UI test " + code, "Asia/Shanghai",
            new() { ["monday"] = office, ["tuesday"] = office, ["wednesday"] = office, ["thursday"] = office, ["friday"] = office },
            [], []);
        var errors = new ValidationErrors();
        var definition = CalendarMapping.Parse(body, errors) ?? throw new InvalidOperationException(string.Join("; ", errors.All()));
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var record = new CalendarRecord();
        CalendarEditing.Apply(record, body, definition);
        db.Calendars.Add(record);
        await db.SaveChangesAsync(ct);
        return code;
    }

    private async Task<CalendarRules> ReadAsync(string code)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var record = await db.Calendars.AsNoTracking().SingleAsync(c => c.Code == code, TestContext.Current.CancellationToken);
        return JsonSerializer.Deserialize<CalendarRules>(record.Rules, ApiJson.Options)!;
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "careloop-screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
