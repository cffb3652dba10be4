using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Jobs;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Platform.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static CareLoop.Browser.Tests.BrowserSteps;
using static Microsoft.Playwright.Assertions;

namespace CareLoop.Browser.Tests;

/// <summary>The platform's admin pages: the outbox (retry, replay, details, paging), scheduled jobs (run now) and webhook subscriptions.</summary>
public sealed class PlatformPagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Denied = "您没有访问此页面的权限。";

    static PlatformPagesTests() => SetDefaultExpectTimeout(15_000);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A loopback URL nothing listens on: deliveries to it fail at once with a refused connection.</summary>
    private static string ClosedUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/hooks/{Guid.NewGuid():N}";
    }

    /// <summary>The snackbar message containing <paramref name="text"/> (earlier messages may still be showing).</summary>
    private static ILocator Snackbar(IPage page, string text) => page.Locator(".mud-snackbar").Filter(new() { HasTextString = text });

    private static Regex Exactly(string text) => new($"^\\s*{Regex.Escape(text)}\\s*$");

    private static ILocator OutboxRow(IPage page, long id) =>
        page.Locator("#outbox-list tbody tr").Filter(new() { Has = page.Locator(".outbox-id", new() { HasTextRegex = Exactly(id.ToString()) }) });

    private async Task<T> WithDbAsync<T>(Func<CareLoopDbContext, Task<T>> work)
    {
        // An unbound scope sees every row.
        await using var scope = server.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<CareLoopDbContext>());
    }

    /// <summary>An active subscription to <paramref name="url"/>, made through the same service the API and the page use.</summary>
    private async Task<Guid> SubscribeAsync(string url)
    {
        await using var scope = server.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Name = "test:platform-pages";
        var created = await scope.ServiceProvider.GetRequiredService<WebhookSubscriptions>()
            .CreateAsync(new SubscriptionBody(url, ["ping"], null, "browser test", true), Ct);
        return created.Subscription?.Id ?? throw new InvalidOperationException(string.Join("; ", created.Errors.All().Select(e => e.ToString())));
    }

    /// <summary>Stores a webhook message in the given state, as the dispatcher would have left it.</summary>
    private Task<OutboxMessage> SeedMessageAsync(Guid subscription, OutboxStatus status, int attempts, string marker, string eventType = "ping",
        string? lastError = null, int? lastStatusCode = null) => WithDbAsync(async db =>
    {
        var now = DateTime.UtcNow;
        var message = new OutboxMessage
        {
            Kind = WebhookPublisher.Kind, Target = subscription.ToString(), EventId = OutboxWriter.NewEventId(), EventType = eventType,
            // Serialized with the default encoder, so the Chinese note is stored as \u escapes.
            Payload = JsonSerializer.Serialize(new { type = eventType, timestamp = now, data = new { marker, note = "售后测试" } }),
            Status = status, Attempts = attempts, CreatedAt = now.AddMinutes(-30), NextAttemptAt = now.AddMinutes(-30),
            LastAttemptAt = attempts > 0 ? now.AddMinutes(-5) : null, SentAt = status == OutboxStatus.Sent ? now.AddMinutes(-5) : null,
            LastError = lastError, LastStatusCode = lastStatusCode,
        };
        db.OutboxMessages.Add(message);
        await db.SaveChangesAsync(Ct);
        return message;
    });

    [Fact]
    public async Task Outbox_ShowsADeadMessage_WithItsPayload_AndRetryFromThePageTriesItAgain()
    {
        var marker = "dead-" + Guid.NewGuid().ToString("N")[..8];
        var subscription = await SubscribeAsync(ClosedUrl());
        var message = await SeedMessageAsync(subscription, OutboxStatus.Dead, 12, marker, lastError: "HTTP 500: receiver failed " + marker, lastStatusCode: 500);

        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin");
        await page.ClickAsync("#nav-outbox");
        await WaitInteractiveAsync(page);
        await Expect(page).ToHaveURLAsync(new Regex("/admin/outbox$"));
        await Expect(page.Locator("#outbox-list")).ToBeVisibleAsync();

        await page.ClickAsync("#outbox-status-dead");
        // The chip turns filled in the same render that drops the old rows: rows seen after it are the dead ones.
        await Expect(page.Locator("#outbox-status-dead")).ToHaveClassAsync(new Regex("mud-chip-filled"));
        await Expect(page.Locator("#outbox-status-dead .outbox-count")).ToHaveTextAsync(new Regex(@"^\s*[1-9]\d*\s*$"));
        var row = OutboxRow(page, message.Id);
        await Expect(row).ToHaveCountAsync(1);
        var statuses = await page.Locator("#outbox-list .outbox-status").EvaluateAllAsync<string[]>("chips => chips.map(c => c.dataset.status)");
        Assert.All(statuses, s => Assert.Equal("dead", s));
        await Expect(row.Locator(".outbox-status")).ToHaveTextAsync("失败");
        await Expect(row.Locator(".outbox-attempts")).ToHaveTextAsync("12");
        await Expect(row.Locator(".outbox-target")).ToHaveAttributeAsync("title", subscription.ToString());
        await Expect(row.Locator(".outbox-error")).ToContainTextAsync(marker);
        await Expect(row.Locator(".outbox-replay")).ToHaveCountAsync(0);

        // The detail shows the payload (JSON indented, Chinese readable) and the last answer.
        await row.Locator(".outbox-details").ClickAsync();
        var detail = page.Locator("#outbox-detail");
        await Expect(detail).ToHaveAttributeAsync("data-id", message.Id.ToString());
        await Expect(detail.Locator(".outbox-payload")).ToContainTextAsync($"\"marker\": \"{marker}\"");
        await Expect(detail.Locator(".outbox-payload")).ToContainTextAsync("售后测试");
        await Expect(detail.Locator(".outbox-detail-code")).ToHaveTextAsync("500");
        await Expect(detail.Locator(".outbox-detail-target")).ToHaveTextAsync(subscription.ToString());
        await Expect(detail.Locator(".outbox-detail-error")).ToContainTextAsync(marker);

        // Retry: attempts start again and the receiver is tried at once; the refused connection leaves it retrying.
        await page.Locator(".mud-dialog .outbox-detail-outbox-retry").ClickAsync();
        await Expect(Snackbar(page, $"消息 #{message.Id} 将立即重试。")).ToBeVisibleAsync();
        await Expect(detail.Locator(".outbox-detail-status")).ToHaveAttributeAsync("data-status", "retrying");
        await Expect(detail.Locator(".outbox-detail-attempts")).ToHaveTextAsync("1");
        await Expect(detail.Locator(".outbox-detail-error")).ToContainTextAsync("Could not reach the receiver");
        await ScreenshotAsync(page, "admin-outbox-detail-1280.png");
        await page.ClickAsync("#outbox-detail-close");
        await Expect(row.Locator(".outbox-status")).ToHaveTextAsync("重试中");
        await Expect(row.Locator(".outbox-attempts")).ToHaveTextAsync("1");
        await Expect(row.Locator(".outbox-next")).ToHaveTextAsync(new Regex(@"^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s*$"));

        var stored = await WithDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == message.Id, Ct));
        Assert.Equal(OutboxStatus.Retrying, stored.Status);
        Assert.Equal(1, stored.Attempts);
        Assert.Equal(message.EventId, stored.EventId);

        // The dead list no longer has it after a refresh.
        await page.ClickAsync("#outbox-refresh");
        await Expect(page.Locator("#outbox-list, #outbox-none").First).ToBeVisibleAsync();
        await Expect(OutboxRow(page, message.Id)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Outbox_ReplaysADeliveredMessage_WithTheSameEventId()
    {
        var marker = "sent-" + Guid.NewGuid().ToString("N")[..8];
        var subscription = await SubscribeAsync(ClosedUrl());
        var message = await SeedMessageAsync(subscription, OutboxStatus.Sent, 1, marker, eventType: "test." + marker, lastStatusCode: 200);

        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/admin/outbox");
        await Expect(page.Locator("#outbox-list")).ToBeVisibleAsync();
        await page.FillAsync("#outbox-event", "test." + marker);
        await page.ClickAsync("#outbox-refresh");
        var row = OutboxRow(page, message.Id);
        await Expect(page.Locator("#outbox-list tbody tr")).ToHaveCountAsync(1);
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator(".outbox-status")).ToHaveTextAsync("已投递");
        await Expect(row.Locator(".outbox-retry")).ToHaveCountAsync(0);

        await row.Locator(".outbox-replay").ClickAsync();
        await Expect(Snackbar(page, $"消息 #{message.Id} 将重新发送")).ToBeVisibleAsync();
        await Expect(row.Locator(".outbox-status")).ToHaveTextAsync("重试中");
        await Expect(row.Locator(".outbox-attempts")).ToHaveTextAsync("1");

        var stored = await WithDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == message.Id, Ct));
        Assert.Equal(OutboxStatus.Retrying, stored.Status);
        Assert.Null(stored.SentAt);
        Assert.Equal(message.EventId, stored.EventId);
    }

    [Fact]
    public async Task Outbox_LoadsMore_NewestFirst()
    {
        // 55 delivered messages of an event type of their own: one page of 50, then the last 5.
        var eventType = "test.paging-" + Guid.NewGuid().ToString("N")[..8];
        var subscription = await SubscribeAsync(ClosedUrl());
        var ids = new List<long>();
        for (var i = 0; i < 55; i++)
        {
            ids.Add((await SeedMessageAsync(subscription, OutboxStatus.Sent, 1, $"page-{i:D2}", eventType: eventType)).Id);
        }
        // A newer delivered message of another type, which the filter leaves out.
        var other = await SeedMessageAsync(subscription, OutboxStatus.Sent, 1, "other", eventType: eventType + "-other");

        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/admin/outbox");
        await page.ClickAsync("#outbox-status-sent");
        await Expect(page.Locator("#outbox-status-sent")).ToHaveClassAsync(new Regex("mud-chip-filled"));
        await Expect(OutboxRow(page, other.Id)).ToHaveCountAsync(1);
        await page.FillAsync("#outbox-event", eventType);
        await page.ClickAsync("#outbox-refresh");
        var rows = page.Locator("#outbox-list tbody tr");
        await Expect(OutboxRow(page, other.Id)).ToHaveCountAsync(0);
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(rows.First.Locator(".outbox-id")).ToHaveTextAsync(ids[^1].ToString());

        await page.ClickAsync("#outbox-more");
        await Expect(rows).ToHaveCountAsync(55);
        await Expect(rows.Last.Locator(".outbox-id")).ToHaveTextAsync(ids[0].ToString());
        await Expect(page.Locator("#outbox-more")).ToHaveCountAsync(0);
        var shown = (await page.Locator("#outbox-list .outbox-id").AllInnerTextsAsync()).Select(t => long.Parse(t.Trim())).ToList();
        Assert.Equal(ids.OrderDescending(), shown);
    }

    [Fact]
    public async Task Jobs_ListsTheJobs_AndRunNowRecordsAManualRun()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin");
        await page.ClickAsync("#nav-jobs");
        await WaitInteractiveAsync(page);
        await Expect(page).ToHaveURLAsync(new Regex("/admin/jobs$"));

        ILocator JobRow(string name) => page.Locator("#job-list tbody tr").Filter(new() { Has = page.Locator(".job-name", new() { HasTextRegex = Exactly(name) }) });
        var job = JobRow("idempotency-cleanup");
        var retention = JobRow("retention");
        await Expect(job).ToHaveCountAsync(1);
        await Expect(retention).ToHaveCountAsync(1);
        await Expect(JobRow("file-orphans")).ToHaveCountAsync(1);
        var names = (await page.Locator("#job-list .job-name").AllInnerTextsAsync()).Select(n => n.Trim()).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        await Expect(job.Locator(".job-schedule")).ToHaveTextAsync("每 1 小时");
        await Expect(retention.Locator(".job-schedule")).ToHaveTextAsync("每天 03:30（Asia/Shanghai）");
        await Expect(job.Locator(".job-next")).ToHaveTextAsync(new Regex(@"^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s*$"));

        var before = await WithDbAsync(db => db.JobRuns.Where(r => r.Name == "idempotency-cleanup").Select(r => (long?)r.Id).MaxAsync(Ct)) ?? 0;
        await job.Locator(".job-run").ClickAsync();
        var runs = page.Locator("#job-runs");
        await Expect(runs).ToHaveAttributeAsync("data-job", "idempotency-cleanup");
        var run = await WithDbAsync(db => db.JobRuns.AsNoTracking().Where(r => r.Name == "idempotency-cleanup" && r.Id > before && r.Manual).SingleAsync(Ct));
        Assert.Equal(JobTrigger.Manual, run.Trigger);
        await Expect(Snackbar(page, $"已启动任务 idempotency-cleanup（运行 #{run.Id}）。")).ToBeVisibleAsync();

        var runRow = page.Locator("#job-run-list tbody tr").Filter(new() { Has = page.Locator(".run-id", new() { HasTextRegex = Exactly(run.Id.ToString()) }) });
        await Expect(runRow.Locator(".run-trigger")).ToHaveTextAsync("手动");
        await Expect(runRow.Locator(".run-status")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(runRow.Locator(".run-status")).ToHaveTextAsync("成功");
        await Expect(runRow.Locator(".run-finished")).ToHaveTextAsync(new Regex(@"\d{2}:\d{2}:\d{2}"));

        await ScreenshotAsync(page, "admin-jobs-runs-1280.png");
        await page.ClickAsync("#job-runs-close");
        await Expect(job.Locator(".job-status")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(job.Locator(".job-running")).ToHaveCountAsync(0);
        var state = await WithDbAsync(db => db.JobStates.AsNoTracking().SingleAsync(s => s.Name == "idempotency-cleanup", Ct));
        Assert.Equal(JobRunStatus.Succeeded, state.LastStatus);
        Assert.NotNull(state.LastFinishedAt);
    }

    [Fact]
    public async Task Supervisor_SeesTheJobs_ButCannotRunThem_NorOpenTheOutboxOrWebhooks()
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "supervisor");
        await Expect(page.Locator("#nav-jobs")).ToBeVisibleAsync();
        await Expect(page.Locator("#nav-outbox")).ToHaveCountAsync(0);
        await Expect(page.Locator("#nav-webhooks")).ToHaveCountAsync(0);

        await GotoInteractiveAsync(page, "/admin/jobs");
        await Expect(page.Locator("#job-list .job-name").First).ToBeVisibleAsync();
        await Expect(page.Locator("#job-list .job-runs").First).ToBeVisibleAsync();
        await Expect(page.Locator(".job-run")).ToHaveCountAsync(0);

        await page.GotoAsync("/admin/outbox");
        await Expect(page.GetByText(Denied)).ToBeVisibleAsync();
        await Expect(page.Locator("#outbox-list")).ToHaveCountAsync(0);
        await page.GotoAsync("/admin/webhooks");
        await Expect(page.GetByText(Denied)).ToBeVisibleAsync();
        await Expect(page.Locator("#hook-create")).ToHaveCountAsync(0);
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("merchant")]
    public async Task OtherRoles_AreDenied_ThePlatformPages(string role)
    {
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, role);
        await Expect(page.Locator("#nav-orders")).ToBeVisibleAsync();
        foreach (var nav in new[] { "#nav-outbox", "#nav-jobs", "#nav-webhooks", "#home-outbox", "#home-jobs", "#home-webhooks" })
        {
            await Expect(page.Locator(nav)).ToHaveCountAsync(0);
        }
        foreach (var (url, content) in new[] { ("/admin/outbox", "#outbox-statuses"), ("/admin/jobs", "#job-list"), ("/admin/webhooks", "#hook-create") })
        {
            await page.GotoAsync(url);
            await Expect(page.GetByText(Denied)).ToBeVisibleAsync();
            await Expect(page.Locator(content)).ToHaveCountAsync(0);
        }
    }

    [Fact]
    public async Task Webhooks_CreatesASubscription_ShowsTheSecretOnce_PingsDeactivatesAndDeletesIt()
    {
        var url = ClosedUrl();
        var description = "ui-hook-" + Guid.NewGuid().ToString("N")[..8];
        await using var context = await server.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin");
        await page.ClickAsync("#nav-webhooks");
        await WaitInteractiveAsync(page);
        await Expect(page).ToHaveURLAsync(new Regex("/admin/webhooks$"));
        await Expect(page.Locator("#hook-list, #hooks-none").First).ToBeVisibleAsync();

        // The shared rules refuse a non-http URL and no events, in the page's language.
        await page.FillAsync("#hook-url", "ftp://example.com/hook");
        await page.ClickAsync("#hook-create-submit");
        await Expect(page.Locator("#hook-create")).ToContainTextAsync("请输入以 http:// 或 https:// 开头的完整地址");
        await Expect(page.Locator("#hook-create")).ToContainTextAsync("请至少选择一个事件");
        await Expect(page.Locator("#new-secret")).ToHaveCountAsync(0);

        await page.FillAsync("#hook-url", url);
        await page.Locator(".hook-events").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = Exactly("ping") }).ClickAsync();
        // A multi-select stays open: a click beside it (on its overlay) closes it.
        await page.Mouse.ClickAsync(5, 600);
        await Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
        await page.FillAsync("#hook-description", description);
        await page.ClickAsync("#hook-create-submit");

        await Expect(page.Locator("#new-secret")).ToContainTextAsync("只显示这一次");
        var secret = (await page.Locator("#new-secret-value").InnerTextAsync()).Trim();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var stored = await WithDbAsync(db => db.WebhookSubscriptions.AsNoTracking().SingleAsync(s => s.Description == description, Ct));
        Assert.Equal(url, stored.Url);
        Assert.Equal(secret, stored.Secret);
        Assert.Equal(["ping"], stored.Events);
        Assert.True(stored.Active);

        var row = page.Locator("#hook-list tbody tr").Filter(new() { Has = page.Locator(".hook-description", new() { HasTextRegex = Exactly(description) }) });
        await Expect(row.Locator(".hook-url")).ToHaveTextAsync(url);
        await Expect(row.Locator(".hook-events-text")).ToHaveTextAsync("ping");
        await Expect(row.Locator(".hook-status")).ToHaveTextAsync("启用");

        // Shown once: gone after "saved".
        await page.ClickAsync("#new-secret-done");
        await Expect(page.Locator("#new-secret")).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);

        await row.Locator(".hook-ping").ClickAsync();
        await Expect(Snackbar(page, "已发出 ping")).ToBeVisibleAsync();
        var ping = await WithDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Target == stored.Id.ToString(), Ct));
        Assert.Equal("ping", ping.EventType);
        await Expect(Snackbar(page, $"已发出 ping（发件箱消息 #{ping.Id}）。")).ToBeVisibleAsync();

        await row.Locator(".hook-toggle").ClickAsync();
        await Expect(row.Locator(".hook-status")).ToHaveTextAsync("已停用");
        Assert.False(await WithDbAsync(db => db.WebhookSubscriptions.Where(s => s.Id == stored.Id).Select(s => s.Active).SingleAsync(Ct)));
        await row.Locator(".hook-toggle").ClickAsync();
        await Expect(row.Locator(".hook-status")).ToHaveTextAsync("启用");
        Assert.True(await WithDbAsync(db => db.WebhookSubscriptions.Where(s => s.Id == stored.Id).Select(s => s.Active).SingleAsync(Ct)));

        // Cancelling the confirmation keeps it; confirming deletes it.
        await row.Locator(".hook-delete").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await Expect(dialog).ToContainTextAsync(url);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "取消" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(row).ToHaveCountAsync(1);

        await row.Locator(".hook-delete").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "删除" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.False(await WithDbAsync(db => db.WebhookSubscriptions.AnyAsync(s => s.Id == stored.Id, Ct)));
    }

    [Fact]
    public async Task PlatformPages_FitAPhone_AndSpeakEnglish()
    {
        await using var context = await server.NewContextAsync(new ViewportSize { Width = 375, Height = 667 });
        var page = await context.NewPageAsync();
        await SignInAsync(page, "admin", "/admin/outbox");
        foreach (var (url, ready) in new[] { ("/admin/outbox", "#outbox-statuses"), ("/admin/jobs", "#job-list"), ("/admin/webhooks", "#hook-create") })
        {
            await GotoInteractiveAsync(page, url);
            await Expect(page.Locator(ready)).ToBeVisibleAsync();
            var width = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth");
            await ScreenshotAsync(page, $"admin-{url.Split('/')[^1]}-375.png");
            Assert.True(width <= 375 + 2, $"{url} is {width}px wide on a 375px screen");
            // Tables scroll sideways on their own: on a phone their stacked rows must fit without it.
            var clipped = await page.EvaluateAsync<int>("[...document.querySelectorAll('.mud-table-container')].filter(c => c.scrollWidth > c.clientWidth + 2).length");
            Assert.True(clipped == 0, $"{url} has a table wider than a 375px screen");
        }

        await page.SetViewportSizeAsync(1280, 900);
        await GotoInteractiveAsync(page, "/account/culture?culture=en&returnUrl=/admin/jobs");
        await Expect(page.Locator("h5").First).ToHaveTextAsync("Scheduled jobs");
        var job = page.Locator("#job-list tbody tr").Filter(new() { Has = page.Locator(".job-name", new() { HasTextRegex = Exactly("retention") }) });
        await Expect(job.Locator(".job-schedule")).ToHaveTextAsync("Daily at 03:30 (Asia/Shanghai)");
        await ScreenshotAsync(page, "admin-jobs-1280-en.png");
        await GotoInteractiveAsync(page, "/admin/outbox");
        await Expect(page.Locator("#outbox-status-dead")).ToContainTextAsync("Dead");
        await ScreenshotAsync(page, "admin-outbox-1280-en.png");
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "careloop-screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
