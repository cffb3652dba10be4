using System.Text.RegularExpressions;
using CareLoop.Domain.ServiceDesk;
using Microsoft.Playwright;
using static CareLoop.Browser.Tests.BrowserSteps;
using static Microsoft.Playwright.Assertions;

namespace CareLoop.Browser.Tests;

/// <summary>The agent console: the SLA-ordered queue (live), the ticket page (replies, notes, macros, status) and who may open it.</summary>
public sealed class DeskPagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Denied = "您没有访问此页面的权限。";
    private readonly DeskSteps _desk = new(server);

    static DeskPagesTests() => SetDefaultExpectTimeout(15_000);

    private static ILocator QueueRow(IPage page, string subject) =>
        page.Locator("#desk-queue tbody tr").Filter(new() { HasTextString = subject });

    [Fact]
    public async Task Agent_RepliesAndSolves_FromTheQueue_WithSlaShown()
    {
        var subject = DeskSteps.Unique("耳机没有声音");
        var ticket = await _desk.CustomerTicketAsync(subject, "左耳没有声音。", server.TrackedOrder);
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent", "/desk");

        var row = QueueRow(page, subject);
        await Expect(row).ToBeVisibleAsync();
        // A fresh ticket's first reply is due within the policy's target: "剩余 …" in the SLA column.
        await Expect(row.Locator(".sla-due")).ToContainTextAsync(new Regex("剩余 \\d+"));
        await Expect(row.Locator(".ticket-status")).ToHaveTextAsync("新建");
        await ScreenshotAsync(page, "desk-queue.png");

        await row.Locator("a.ticket-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/desk/tickets/{ticket.Number}$"));
        await Expect(page.Locator("#ticket-subject")).ToHaveTextAsync(subject);
        await Expect(page.Locator("#ticket-sla .sla-metric").First).ToBeVisibleAsync();
        await Expect(page.Locator("#customer-panel #customer-name")).ToHaveTextAsync(ticket.Customer.Name);
        await Expect(page.Locator("#customer-orders a.customer-order").First).ToBeVisibleAsync();
        await Expect(page.Locator("#ticket-order")).ToHaveTextAsync(server.TrackedOrder);

        await page.FillAsync("#reply-body", "您好，请问耳机是否已经充满电？");
        await page.ClickAsync("#reply-send");
        var reply = page.Locator("#conversation .message.public").Filter(new() { HasTextString = "是否已经充满电" });
        await Expect(reply).ToBeVisibleAsync();
        await Expect(reply.Locator(".internal-badge")).ToHaveCountAsync(0);
        await Expect(page.Locator("#ticket-status")).ToHaveTextAsync("处理中");

        await page.FillAsync("#reply-body", "已为您安排换新，感谢耐心等待。");
        await page.ClickAsync("#reply-send-solved");
        await Expect(page.Locator("#ticket-status")).ToHaveTextAsync("已解决");
        await Expect(page.Locator("#conversation .message")).ToHaveCountAsync(3);
        await ScreenshotAsync(page, "desk-ticket.png");

        // Solved tickets leave the default (unsolved) queue.
        await page.ClickAsync("#ticket-back");
        await Expect(page.Locator("#desk-queue, #desk-empty").First).ToBeVisibleAsync();
        await Expect(QueueRow(page, subject)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task InternalNote_IsMarkedInternal_AndNotSeenByTheCustomer()
    {
        var subject = DeskSteps.Unique("发票抬头");
        var ticket = await _desk.CustomerTicketAsync(subject, "发票抬头写错了。", category: TicketCategory.Invoice);
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent", $"/desk/tickets/{ticket.Number}");

        await page.ClickAsync("#reply-mode-internal");
        await page.FillAsync("#reply-body", "需要财务确认后再回复客户。");
        await page.ClickAsync("#reply-send");

        var note = page.Locator("#conversation .message").Filter(new() { HasTextString = "需要财务确认" });
        await Expect(note).ToHaveClassAsync(new Regex("\\binternal\\b"));
        await Expect(note.Locator(".internal-badge")).ToHaveTextAsync("内部备注");
        // An internal note is no reply: the ticket stays new.
        await Expect(page.Locator("#ticket-status")).ToHaveTextAsync("新建");

        await using var customerContext = await server.NewContextAsync();
        var customerPage = await customerContext.NewPageAsync();
        await SignInAsync(customerPage, "customer", $"/portal/tickets/{ticket.Number}");
        await Expect(customerPage.Locator("#portal-timeline .portal-message")).ToHaveCountAsync(1);
        await Expect(customerPage.GetByText("需要财务确认")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Macro_FillsTheReplyBox_WithPlaceholdersFilled()
    {
        var name = DeskSteps.Unique("物流催促");
        await _desk.MacroAsync(name, "{{customer.name}} 您好，工单 #{{ticket.number}} 已加急处理。—— {{agent.name}}", "Hi {{customer.name}}, ticket #{{ticket.number}} is being expedited.");
        var ticket = await _desk.CustomerTicketAsync(DeskSteps.Unique("快递太慢"), "快递一周了还没到。", category: TicketCategory.Logistics);
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent", $"/desk/tickets/{ticket.Number}");

        await page.Locator("#macro-menu button, button#macro-menu").First.ClickAsync();
        await page.Locator(".mud-popover-open .macro-item").Filter(new() { HasTextString = name }).ClickAsync();

        await Expect(page.Locator("#reply-body")).ToHaveValueAsync($"{ticket.Customer.Name} 您好，工单 #{ticket.Number} 已加急处理。—— 客服小美 Agent");
    }

    [Fact]
    public async Task Queue_ShowsANewTicket_WithoutReloading()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "agent", "/desk");
        await Expect(page.Locator("#desk-live")).ToBeVisibleAsync();
        await Expect(page.Locator("#desk-queue, #desk-empty").First).ToBeVisibleAsync();

        var subject = DeskSteps.Unique("新来的工单");
        await _desk.CustomerTicketAsync(subject, "请尽快处理。");

        await Expect(QueueRow(page, subject)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Supervisor_CreatesEditsAndDeletesAMacro()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "supervisor", "/desk/macros");

        await page.ClickAsync("#macro-save");
        await Expect(page.Locator("#macro-form")).ToContainTextAsync("请输入名称");
        await Expect(page.Locator("#macro-form")).ToContainTextAsync("请输入中文内容");

        var name = DeskSteps.Unique("致歉");
        await page.FillAsync("#macro-name", name);
        await page.FillAsync("#macro-body-zh", "{{customer.name}} 您好，非常抱歉给您带来不便。");
        await page.Locator(".macro-status").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextString = "待客户回复" }).ClickAsync();
        await Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
        await Expect(page.Locator(".macro-status input")).ToHaveValueAsync("待客户回复");
        await page.ClickAsync("#macro-save");
        var row = page.Locator("#macro-list tbody tr").Filter(new() { HasTextString = name });
        await Expect(row).ToContainTextAsync("待客户回复");

        await row.Locator(".macro-edit").ClickAsync();
        await page.FillAsync("#macro-body-en", "Hello {{customer.name}}, we are sorry for the trouble.");
        await page.ClickAsync("#macro-save");
        await Expect(page.Locator("#macro-cancel")).ToHaveCountAsync(0);

        await row.Locator(".macro-delete").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Customer_CannotOpenTheDesk()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "customer");
        await Expect(page.Locator("#nav-portal")).ToBeVisibleAsync();
        await Expect(page.Locator("#nav-desk")).ToHaveCountAsync(0);

        await page.GotoAsync("/desk");
        await Expect(page.GetByText(Denied)).ToBeVisibleAsync();
        await Expect(page.Locator("#desk-queue")).ToHaveCountAsync(0);

        await page.GotoAsync("/desk/macros");
        await Expect(page.GetByText(Denied)).ToBeVisibleAsync();
    }

    /// <summary>Screenshots for a person to look at go to a temp folder (never into the repository).</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "careloop-screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
