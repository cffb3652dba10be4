using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Notifications;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Platform.Settings;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CareLoop.Server.Tests.Platform;

public sealed class NotificationsServerSqlite : SqliteServer, IAsyncDisposable
{
    public SmtpReceiver Smtp { get; } = SmtpReceiver.Start();

    protected override void Configure(WebApplicationBuilder builder) => NotificationsTests.Configure(builder, Smtp);

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class NotificationsServerPostgres : PostgresServer, IAsyncDisposable
{
    public SmtpReceiver Smtp { get; } = SmtpReceiver.Start();

    protected override void Configure(WebApplicationBuilder builder) => NotificationsTests.Configure(builder, Smtp);

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class NotificationsTestsSqlite(NotificationsServerSqlite fixture)
    : NotificationsTests(fixture, fixture.Smtp), IClassFixture<NotificationsServerSqlite>;

public sealed class NotificationsTestsPostgres(NotificationsServerPostgres fixture)
    : NotificationsTests(fixture, fixture.Smtp), IClassFixture<NotificationsServerPostgres>;

/// <summary>Notifications through the outbox to a real SMTP conversation with a receiver the tests run, and the in-app inbox.</summary>
public abstract partial class NotificationsTests(ServerFixture fixture, SmtpReceiver smtp)
{
    public const string ChineseOnlyTemplate = "test.chinese-only";

    private CareLoopServer Server => fixture.Server;

    internal static void Configure(WebApplicationBuilder builder, SmtpReceiver smtp)
    {
        // Tests drive delivery themselves (DispatchOutboxAsync); the background dispatcher stays off so it cannot race them.
        builder.Configuration["Outbox:Enabled"] = "false";
        builder.Configuration["Smtp:Host"] = "127.0.0.1";
        builder.Configuration["Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture);
        builder.Configuration["Smtp:From"] = "CareLoop Service <service@careloop.test>";
        builder.Configuration["Smtp:TimeoutSeconds"] = "10";
        builder.Services.AddNotificationTemplate(new NotificationTemplateDefinition(ChineseOnlyTemplate, ["name"],
            new TemplateText("只有中文 {{name}}", "你好 {{name}}")));
    }

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Creates a customer through the integration API; returns its id and e-mail address.</summary>
    private async Task<(Guid Id, string Email, string ExternalId)> CustomerAsync(string? language = null, bool consent = false, bool withEmail = true)
    {
        var external = NewId("c");
        var email = external + "@mail.test";
        var integration = await Server.ClientAsync(Roles.Integration);
        await (await integration.PutJsonAsync($"/api/v1/customers/{external}", new
        {
            name = "Customer " + external,
            email = withEmail ? email : null,
            preferredLanguage = language,
            marketingConsent = consent,
        })).ExpectAsync(HttpStatusCode.Created);
        var id = await Server.WithDbAsync(db => db.Customers.Where(c => c.ExternalId == external).Select(c => c.Id).SingleAsync());
        return (id, email, external);
    }

    private Task<NotificationOutcome> NotifyAsync(NotificationRequest request) => Server.InScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<CareLoopDbContext>();
        var outcome = await sp.GetRequiredService<Notifier>().NotifyAsync(db, request);
        await db.SaveChangesAsync();
        return outcome;
    });

    private static NotificationRequest Ticket(NotificationRecipient to, string ticketNo, NotificationCategory category = NotificationCategory.Transactional,
        params NotificationChannel[] channels) =>
        new(BuiltInTemplates.TicketCreated, to, category, new Dictionary<string, string?>
        {
            ["customerName"] = "<Li & Co>", ["ticketNo"] = ticketNo, ["subject"] = "屏幕碎了", ["dueAt"] = "2026-05-02 18:00",
        })
        {
            Channels = channels.Length == 0 ? [NotificationChannel.Email] : channels,
            AggregateKey = "ticket:" + ticketNo,
        };

    private Task<OutboxMessage> MessageAsync(long id) =>
        Server.WithDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id));

    [Fact]
    public async Task Email_IsWrittenInTheCustomersLanguage_ChineseByDefault_AsTextAndEncodedHtml()
    {
        var zh = await CustomerAsync();
        var en = await CustomerAsync("en");

        var zhOutcome = await NotifyAsync(Ticket(NotificationRecipient.Customer(zh.Id), "T-100"));
        var enOutcome = await NotifyAsync(Ticket(NotificationRecipient.Customer(en.Id), "T-101"));
        Assert.Equal("zh-CN", zhOutcome.Language);
        Assert.Equal("en", enOutcome.Language);
        // Queued, not sent: nothing reaches the server before the outbox delivers.
        Assert.Empty(smtp.To(zh.Email));
        await Server.DispatchOutboxAsync();

        var zhMail = Assert.Single(smtp.To(zh.Email));
        Assert.Equal("您的服务单 T-100 已受理", zhMail.Subject);
        Assert.Contains("屏幕碎了", zhMail.Text, StringComparison.Ordinal);
        var enMail = Assert.Single(smtp.To(en.Email));
        Assert.Equal("We have received your request T-101", enMail.Subject);
        Assert.Equal("service@careloop.test", enMail.From);
        Assert.Equal("Customer " + en.ExternalId, enMail.Message.To.Mailboxes.Single().Name);

        // multipart/alternative: the text as given, the HTML with values encoded.
        Assert.IsType<MultipartAlternative>(enMail.Message.Body);
        Assert.Contains("Dear <Li & Co>,", enMail.Text, StringComparison.Ordinal);
        Assert.Contains("Dear &lt;Li &amp; Co&gt;,", enMail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<Li", enMail.Html, StringComparison.Ordinal);

        var message = await MessageAsync(enOutcome.For(NotificationChannel.Email)!.Message!.Id);
        Assert.Equal(OutboxStatus.Sent, message.Status);
        Assert.Equal(message.EventId + "@careloop.test", enMail.Message.MessageId);
        Assert.Equal(BuiltInTemplates.TicketCreated, enMail.Message.Headers["X-CareLoop-Template"]);
    }

    [Fact]
    public async Task ATemplateWithoutTheCustomersLanguage_IsSentInChinese()
    {
        var en = await CustomerAsync("en");
        var outcome = await NotifyAsync(new NotificationRequest(ChineseOnlyTemplate, NotificationRecipient.Customer(en.Id),
            NotificationCategory.Transactional, new Dictionary<string, string?> { ["name"] = "Amy" }) { Channels = [NotificationChannel.Email] });
        Assert.Equal("zh-CN", outcome.Language);
        await Server.DispatchOutboxAsync();
        Assert.Equal("只有中文 Amy", Assert.Single(smtp.To(en.Email)).Subject);
    }

    [Fact]
    public async Task TheBusinessChange_Commits_WhenTheSmtpServerIsDown_AndTheMailIsDeliveredOnceItIsBack()
    {
        var customer = await CustomerAsync();
        await smtp.StopAsync();
        try
        {
            var outcome = await Server.InScopeAsync(async sp =>
            {
                var db = sp.GetRequiredService<CareLoopDbContext>();
                var c = await db.Customers.SingleAsync(x => x.Id == customer.Id);
                c.Name = "Renamed while the mail server is down";
                var o = await sp.GetRequiredService<Notifier>().NotifyAsync(db, Ticket(NotificationRecipient.Customer(customer.Id), "T-200"));
                await db.SaveChangesAsync();
                return o;
            });
            Assert.Equal("Renamed while the mail server is down",
                await Server.WithDbAsync(db => db.Customers.Where(c => c.Id == customer.Id).Select(c => c.Name).SingleAsync()));

            await Server.DispatchOutboxAsync();
            var message = await MessageAsync(outcome.For(NotificationChannel.Email)!.Message!.Id);
            Assert.Equal(OutboxStatus.Retrying, message.Status);
            Assert.Contains("Could not reach the SMTP server", message.LastError, StringComparison.Ordinal);
        }
        finally
        {
            smtp.StartAgain();
        }

        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        await Server.DispatchOutboxAsync();
        Assert.Single(smtp.To(customer.Email));
        Server.Clock.Advance(TimeSpan.FromMinutes(10));
        await Server.DispatchOutboxAsync();
        Assert.Single(smtp.To(customer.Email));
    }

    [Fact]
    public async Task A451ToTheRecipient_OrAfterTheData_IsRetried_ThenDeliveredExactlyOnceWithTheSameMessageId()
    {
        var first = await CustomerAsync();
        var second = await CustomerAsync();
        smtp.ScriptRecipient(first.Email, "451 4.3.0 Greylisted, try again later");
        smtp.ScriptData(second.Email, "451 4.3.2 System busy, try again later");
        var a = await NotifyAsync(Ticket(NotificationRecipient.Customer(first.Id), "T-300"));
        var b = await NotifyAsync(Ticket(NotificationRecipient.Customer(second.Id), "T-301"));

        await Server.DispatchOutboxAsync();
        var ma = await MessageAsync(a.For(NotificationChannel.Email)!.Message!.Id);
        var mb = await MessageAsync(b.For(NotificationChannel.Email)!.Message!.Id);
        Assert.Equal(OutboxStatus.Retrying, ma.Status);
        Assert.Equal(451, ma.LastStatusCode);
        Assert.Contains("Greylisted", ma.LastError, StringComparison.Ordinal);
        Assert.Equal(OutboxStatus.Retrying, mb.Status);
        Assert.Contains("System busy", mb.LastError, StringComparison.Ordinal);
        Assert.Empty(smtp.To(first.Email));
        Assert.Empty(smtp.To(second.Email));

        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        await Server.DispatchOutboxAsync();
        Server.Clock.Advance(TimeSpan.FromMinutes(10));
        await Server.DispatchOutboxAsync();

        Assert.Equal(ma.EventId + "@careloop.test", Assert.Single(smtp.To(first.Email)).Message.MessageId);
        Assert.Equal(mb.EventId + "@careloop.test", Assert.Single(smtp.To(second.Email)).Message.MessageId);
        Assert.Equal(2, smtp.RecipientsTried.Count(r => r == first.Email));
        ma = await MessageAsync(ma.Id);
        Assert.Equal(OutboxStatus.Sent, ma.Status);
        Assert.Equal(2, ma.Attempts);
    }

    [Fact]
    public async Task ABatchOfEmails_SharesAFewConnections_AndOneRefusedRecipientFailsAlone()
    {
        var customers = new List<(Guid Id, string Email, string ExternalId)>();
        for (var i = 0; i < 10; i++)
        {
            customers.Add(await CustomerAsync());
        }
        smtp.ScriptRecipient(customers[4].Email, "550 5.1.1 Mailbox unavailable: no such user here");
        var outcomes = new List<NotificationOutcome>();
        for (var i = 0; i < customers.Count; i++)
        {
            outcomes.Add(await NotifyAsync(Ticket(NotificationRecipient.Customer(customers[i].Id), $"T-800-{i}-{Guid.NewGuid():N}")));
        }
        var before = smtp.Connections;

        await Server.DispatchOutboxAsync();

        // Ten messages over at most four connections, plus the one reopened after the refusal.
        Assert.InRange(smtp.Connections - before, 1, EmailDeliveryHandler.ConnectionsPerBatch + 1);
        for (var i = 0; i < customers.Count; i++)
        {
            var message = await MessageAsync(outcomes[i].For(NotificationChannel.Email)!.Message!.Id);
            if (i == 4)
            {
                Assert.Equal(OutboxStatus.Dead, message.Status);
                Assert.Contains("no such user here", message.LastError, StringComparison.Ordinal);
                Assert.Empty(smtp.To(customers[i].Email));
            }
            else
            {
                Assert.Equal(OutboxStatus.Sent, message.Status);
                Assert.Single(smtp.To(customers[i].Email));
            }
        }
    }

    [Fact]
    public async Task A550_MakesTheMessageDeadAtOnce_WithTheServersWords()
    {
        var customer = await CustomerAsync();
        smtp.ScriptRecipient(customer.Email, "550 5.1.1 Mailbox unavailable: no such user here");
        var outcome = await NotifyAsync(Ticket(NotificationRecipient.Customer(customer.Id), "T-400"));

        await Server.DispatchOutboxAsync();
        var message = await MessageAsync(outcome.For(NotificationChannel.Email)!.Message!.Id);
        Assert.Equal(OutboxStatus.Dead, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Equal(550, message.LastStatusCode);
        Assert.Contains("no such user here", message.LastError, StringComparison.Ordinal);

        Server.Clock.Advance(TimeSpan.FromHours(1));
        await Server.DispatchOutboxAsync();
        Assert.Single(smtp.RecipientsTried, r => r == customer.Email);
        Assert.Empty(smtp.To(customer.Email));
    }

    [Fact]
    public async Task Consent_IsRequiredForMarketing_NotForServiceOrTransactionalMessages()
    {
        var without = await CustomerAsync();
        var with = await CustomerAsync(consent: true);
        var both = new[] { NotificationChannel.Email, NotificationChannel.InApp };

        var refused = await NotifyAsync(Ticket(NotificationRecipient.Customer(without.Id), "T-500", NotificationCategory.Marketing, both));
        Assert.All(refused.Channels, c =>
        {
            Assert.Equal(ChannelStatus.Skipped, c.Status);
            Assert.Contains("not consented", c.Reason, StringComparison.Ordinal);
            Assert.Null(c.Message);
            Assert.Null(c.Row);
        });
        var consented = await NotifyAsync(Ticket(NotificationRecipient.Customer(with.Id), "T-501", NotificationCategory.Marketing, both));
        Assert.NotNull(consented.For(NotificationChannel.Email)!.Message);
        Assert.NotNull(consented.For(NotificationChannel.InApp)!.Row);
        var service = await NotifyAsync(Ticket(NotificationRecipient.Customer(without.Id), "T-502", NotificationCategory.Service));
        Assert.NotNull(service.For(NotificationChannel.Email)!.Message);
        var transactional = await NotifyAsync(Ticket(NotificationRecipient.Customer(without.Id), "T-503"));
        Assert.Equal(ChannelStatus.Queued, transactional.For(NotificationChannel.Email)!.Status);

        var queuedFor = await Server.WithDbAsync(db => db.OutboxMessages.Where(m => m.Target == without.Email || m.Target == "customer:" + without.Id)
            .Select(m => m.AggregateKey ?? m.Id.ToString()).ToListAsync());
        Assert.DoesNotContain("ticket:T-500", queuedFor);
        Assert.Equal(2, queuedFor.Count);
    }

    [Fact]
    public async Task QuietHours_DeferNonTransactionalEmailsToTheirEnd_WhileTransactionalOnesGoAtOnce()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var now = Server.Clock.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var minute = new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, local.Offset);
        var range = minute.AddHours(-1).ToString("HH:mm", CultureInfo.InvariantCulture) + "-" + minute.AddHours(2).ToString("HH:mm", CultureInfo.InvariantCulture);
        await (await admin.PutJsonAsync("/api/v1/settings/notifications.quietHours", new { value = range })).ExpectAsync(HttpStatusCode.OK);
        try
        {
            var customer = await CustomerAsync(consent: true);
            var service = await NotifyAsync(Ticket(NotificationRecipient.Customer(customer.Id), "T-600", NotificationCategory.Service));
            var marketing = await NotifyAsync(Ticket(NotificationRecipient.Customer(customer.Id), "T-601", NotificationCategory.Marketing,
                NotificationChannel.Email, NotificationChannel.InApp));
            var transactional = await NotifyAsync(Ticket(NotificationRecipient.Customer(customer.Id), "T-602"));

            var end = minute.AddHours(2).UtcDateTime;
            Assert.Equal(ChannelStatus.Deferred, service.For(NotificationChannel.Email)!.Status);
            Assert.Equal(end, (await MessageAsync(service.For(NotificationChannel.Email)!.Message!.Id)).NextAttemptAt);
            Assert.Equal(ChannelStatus.Deferred, marketing.For(NotificationChannel.Email)!.Status);
            // The inbox is not intrusive: in-app notifications are not held back.
            Assert.Equal(ChannelStatus.Queued, marketing.For(NotificationChannel.InApp)!.Status);
            Assert.Equal(ChannelStatus.Queued, transactional.For(NotificationChannel.Email)!.Status);

            await Server.DispatchOutboxAsync();
            Assert.Equal(["您的服务单 T-602 已受理"], smtp.To(customer.Email).Select(m => m.Subject));

            Server.Clock.Advance(end - Server.Clock.GetUtcNow().UtcDateTime - TimeSpan.FromSeconds(1));
            await Server.DispatchOutboxAsync();
            Assert.Single(smtp.To(customer.Email));

            Server.Clock.Advance(TimeSpan.FromSeconds(1));
            await Server.DispatchOutboxAsync();
            Assert.Equal(["T-600", "T-601", "T-602"], smtp.To(customer.Email).Select(m => m.Subject.Split(' ')[1]).Order(StringComparer.Ordinal));
        }
        finally
        {
            await (await admin.DeleteAsync("/api/v1/settings/notifications.quietHours")).ExpectAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task TheInbox_ListsReadsAndCountsTheCallersOwnNotifications_Only()
    {
        var a = await CustomerAsync();
        var b = await CustomerAsync();
        var first = await NotifyAsync(Ticket(NotificationRecipient.Customer(a.Id), "T-700", NotificationCategory.Transactional, NotificationChannel.InApp) with { Link = "/tickets/T-700" });
        // In the inbox with the change that notified, not through the outbox.
        var row = first.For(NotificationChannel.InApp)!;
        Assert.Equal(ChannelStatus.Queued, row.Status);
        Assert.Null(row.Message);
        Assert.Empty(first.Messages);
        await NotifyAsync(Ticket(NotificationRecipient.Customer(a.Id), "T-701", NotificationCategory.Transactional, NotificationChannel.InApp));
        await NotifyAsync(Ticket(NotificationRecipient.Customer(b.Id), "T-702", NotificationCategory.Transactional, NotificationChannel.InApp));

        var clientA = await Server.ClientAsync(Roles.Customer, customer: a.ExternalId);
        var clientB = await Server.ClientAsync(Roles.Customer, customer: b.ExternalId);
        var listA = (await (await clientA.GetAsync("/api/v1/notifications")).ExpectAsync(HttpStatusCode.OK))!["items"]!.AsArray();
        Assert.Equal(["您的服务单 T-701 已受理", "您的服务单 T-700 已受理"], listA.Select(n => n!["title"]!.GetValue<string>()));
        Assert.Equal("/tickets/T-700", listA[1]!["link"]!.GetValue<string>());
        Assert.Contains("<Li & Co>", listA[1]!["body"]!.GetValue<string>(), StringComparison.Ordinal);
        var listB = (await (await clientB.GetAsync("/api/v1/notifications")).ExpectAsync(HttpStatusCode.OK))!["items"]!.AsArray();
        var idB = Assert.Single(listB)!["id"]!.GetValue<long>();

        // Paging: one at a time, newest first.
        var page = await (await clientA.GetAsync("/api/v1/notifications?limit=1")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(page!["items"]!.AsArray());
        var next = await (await clientA.GetAsync("/api/v1/notifications?limit=1&cursor=" + page["nextCursor"]!.GetValue<string>())).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(listA[1]!["id"]!.GetValue<long>(), Assert.Single(next!["items"]!.AsArray())!["id"]!.GetValue<long>());
        await (await clientA.GetAsync("/api/v1/notifications?limit=0")).ExpectFieldErrorAsync("limit");

        Assert.Equal(2, (await (await clientA.GetAsync("/api/v1/notifications/unread-count")).ExpectAsync(HttpStatusCode.OK))!["count"]!.GetValue<int>());
        await (await clientA.PostAsync($"/api/v1/notifications/{idB}/read", null)).ExpectAsync(HttpStatusCode.NotFound);
        var idA = listA[1]!["id"]!.GetValue<long>();
        var read = await (await clientA.PostAsync($"/api/v1/notifications/{idA}/read", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(Server.Clock.GetUtcNow(), read!["readAt"]!.GetValue<DateTimeOffset>());
        var unread = (await (await clientA.GetAsync("/api/v1/notifications?unread=true")).ExpectAsync(HttpStatusCode.OK))!["items"]!.AsArray();
        Assert.Equal("您的服务单 T-701 已受理", Assert.Single(unread)!["title"]!.GetValue<string>());

        var all = await (await clientA.PostAsync("/api/v1/notifications/read-all", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, all!["marked"]!.GetValue<int>());
        Assert.Equal(0, (await (await clientA.GetAsync("/api/v1/notifications/unread-count")).ExpectAsync(HttpStatusCode.OK))!["count"]!.GetValue<int>());
        Assert.Equal(1, (await (await clientB.GetAsync("/api/v1/notifications/unread-count")).ExpectAsync(HttpStatusCode.OK))!["count"]!.GetValue<int>());

        // A key that is nobody's inbox sees nothing.
        var integration = await Server.ClientAsync(Roles.Integration);
        Assert.Empty((await (await integration.GetAsync("/api/v1/notifications")).ExpectAsync(HttpStatusCode.OK))!["items"]!.AsArray());
        Assert.Equal(2, await Server.WithDbAsync(db => db.InAppNotifications.CountAsync(n => n.CustomerId == a.Id)));
    }

    [Fact]
    public async Task ASignedInUser_SeesTheirOwnInbox_InTheirLanguage_AndGetsTheEmail()
    {
        const string password = "Notify-test-2026";
        async Task<(Guid Id, string Email)> UserAsync(string role, string? culture) => await Server.InScopeAsync(async sp =>
        {
            var email = NewId("staff") + "@careloop.test";
            var users = sp.GetRequiredService<UserManager<User>>();
            var user = new User { UserName = email, Email = email, DisplayName = "Staff " + email, PreferredCulture = culture };
            Assert.True((await users.CreateAsync(user, password)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
            return (user.Id, email);
        });
        var technician = await UserAsync(Roles.Technician, "en-US");
        var supervisor = await UserAsync(Roles.Supervisor, null);
        await NotifyAsync(Ticket(NotificationRecipient.User(technician.Id), "T-750", NotificationCategory.Service, NotificationChannel.InApp, NotificationChannel.Email));
        await NotifyAsync(Ticket(NotificationRecipient.User(supervisor.Id), "T-751", NotificationCategory.Service, NotificationChannel.InApp));
        var marketing = await NotifyAsync(Ticket(NotificationRecipient.User(supervisor.Id), "T-752", NotificationCategory.Marketing, NotificationChannel.InApp));
        Assert.Equal(ChannelStatus.Skipped, marketing.For(NotificationChannel.InApp)!.Status);
        await Server.DispatchOutboxAsync();

        var cookies = await SignInAsync(technician.Email, password);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notifications");
        request.Headers.Add("Cookie", cookies);
        var items = (await (await Server.CreateClient().SendAsync(request)).ExpectAsync(HttpStatusCode.OK))!["items"]!.AsArray();
        Assert.Equal("We have received your request T-750", Assert.Single(items)!["title"]!.GetValue<string>());
        Assert.Equal("We have received your request T-750", Assert.Single(smtp.To(technician.Email)).Subject);
    }

    /// <summary>Signs in through the form (with its antiforgery token) and returns the cookies to send afterwards.</summary>
    private async Task<string> SignInAsync(string email, string password)
    {
        var client = Server.CreateClient();
        var page = await client.GetAsync("/account/login");
        var token = AntiforgeryField().Match(await page.Content.ReadAsStringAsync());
        Assert.True(token.Success, "no antiforgery token on the sign-in page");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = email, ["password"] = password, ["returnUrl"] = "/", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login") { Content = form };
        request.Headers.Add("Cookie", Cookies(page));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return Cookies(response);
    }

    [GeneratedRegex("""name="__RequestVerificationToken"[^>]*value="([^"]+)""")]
    private static partial Regex AntiforgeryField();

    private static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).Where(v => !v.EndsWith('=')) : []);

    [Fact]
    public async Task Channels_AreSkippedWithAReason_WhenTheyCannotReachTheRecipient()
    {
        var noEmail = await CustomerAsync(withEmail: false);
        var outcome = await NotifyAsync(Ticket(NotificationRecipient.Customer(noEmail.Id), "T-800", NotificationCategory.Transactional,
            NotificationChannel.Email, NotificationChannel.Sms, NotificationChannel.InApp));
        Assert.Equal(ChannelStatus.Skipped, outcome.For(NotificationChannel.Email)!.Status);
        Assert.Contains("no e-mail address", outcome.For(NotificationChannel.Email)!.Reason, StringComparison.Ordinal);
        Assert.Equal(ChannelStatus.Skipped, outcome.For(NotificationChannel.Sms)!.Status);
        Assert.Equal(ChannelStatus.Queued, outcome.For(NotificationChannel.InApp)!.Status);

        var address = await NotifyAsync(Ticket(NotificationRecipient.Email(NewId("x") + "@mail.test"), "T-801", NotificationCategory.Transactional,
            NotificationChannel.Email, NotificationChannel.InApp));
        Assert.Equal(ChannelStatus.Queued, address.For(NotificationChannel.Email)!.Status);
        Assert.Equal(ChannelStatus.Skipped, address.For(NotificationChannel.InApp)!.Status);
    }

    [Fact]
    public async Task AnAdminOverridesATemplate_ValidatedAgainstItsPlaceholders_AndCanResetIt()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        var url = "/api/v1/notifications/templates/refund.paid/en";
        var builtIn = await (await admin.GetAsync(url)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(builtIn!["isDefault"]!.GetValue<bool>());
        Assert.Contains("orderNo", builtIn["placeholders"]!.AsArray().Select(p => p!.GetValue<string>()));

        var saved = await (await admin.PutJsonAsync(url, new { subject = "Refund for {{ orderNo }} is done", body = "Hi {{customerName}},\n{{amount}} is back." }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.False(saved!["isDefault"]!.GetValue<bool>());
        Assert.StartsWith("apikey:", saved["updatedBy"]!.GetValue<string>(), StringComparison.Ordinal);
        var list = (await (await admin.GetAsync("/api/v1/notifications/templates")).ExpectAsync(HttpStatusCode.OK))!["items"]!.AsArray();
        Assert.Contains(list, t => t!["key"]!.GetValue<string>() == "refund.paid" && t["language"]!.GetValue<string>() == "en" && !t["isDefault"]!.GetValue<bool>());
        Assert.Contains(list, t => t!["key"]!.GetValue<string>() == "refund.paid" && t["language"]!.GetValue<string>() == "zh-CN" && t["isDefault"]!.GetValue<bool>());

        var en = await CustomerAsync("en");
        var zh = await CustomerAsync();
        var model = new Dictionary<string, string?> { ["customerName"] = "Amy", ["orderNo"] = "O-9", ["amount"] = "¥129.00" };
        await NotifyAsync(new NotificationRequest(BuiltInTemplates.RefundPaid, NotificationRecipient.Customer(en.Id), NotificationCategory.Transactional, model) { Channels = [NotificationChannel.Email] });
        await NotifyAsync(new NotificationRequest(BuiltInTemplates.RefundPaid, NotificationRecipient.Customer(zh.Id), NotificationCategory.Transactional, model) { Channels = [NotificationChannel.Email] });
        await Server.DispatchOutboxAsync();
        var mail = Assert.Single(smtp.To(en.Email));
        Assert.Equal("Refund for O-9 is done", mail.Subject);
        Assert.Contains("Hi Amy,", mail.Text, StringComparison.Ordinal);
        Assert.Equal("订单 O-9 的退款已到账", Assert.Single(smtp.To(zh.Email)).Subject);

        Assert.Contains("{{total}}", await (await admin.PutJsonAsync(url, new { subject = "Refund", body = "Total {{total}}" })).ExpectFieldErrorAsync("body"), StringComparison.Ordinal);
        await (await admin.PutJsonAsync(url, new { subject = "Refund {{ticket}}", body = "ok" })).ExpectFieldErrorAsync("subject");
        await (await admin.PutJsonAsync(url, new { subject = "Refund", body = "Broken {{ 1st }}" })).ExpectFieldErrorAsync("body");
        await (await admin.PutJsonAsync(url, new { subject = "Two\nlines", body = "ok" })).ExpectFieldErrorAsync("subject");
        await (await admin.PutJsonAsync(url, new { subject = "", body = "ok" })).ExpectFieldErrorAsync("subject");
        await (await admin.PutJsonAsync("/api/v1/notifications/templates/refund.paid/fr", new { subject = "a", body = "b" })).ExpectFieldErrorAsync("language");
        await (await admin.PutJsonAsync("/api/v1/notifications/templates/no.such/en", new { subject = "a", body = "b" })).ExpectAsync(HttpStatusCode.NotFound);
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.PutJsonAsync(url, new { subject = "a", body = "b" })).ExpectAsync(HttpStatusCode.Forbidden);
        // Refused edits changed nothing.
        Assert.Equal("Refund for {{ orderNo }} is done", (await (await admin.GetAsync(url)).ExpectAsync(HttpStatusCode.OK))!["subject"]!.GetValue<string>());

        var audit = await (await admin.GetAsync("/api/v1/audit?entityType=NotificationTemplate")).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEmpty(audit!["items"]!.AsArray());

        await (await admin.DeleteAsync(url)).ExpectAsync(HttpStatusCode.NoContent);
        var reset = await (await admin.GetAsync(url)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(reset!["isDefault"]!.GetValue<bool>());
        Assert.Equal("Your refund for order {{orderNo}} has been paid", reset["subject"]!.GetValue<string>());
        await (await admin.GetAsync($"/api/v1/notifications/templates/{ChineseOnlyTemplate}/en")).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheTestEmail_GoesThroughTheOutbox_ToTheGivenAddress()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        var to = NewId("admin") + "@mail.test";
        var body = await (await admin.PostJsonAsync("/api/v1/notifications/test-email", new { to, language = "en" })).ExpectAsync(HttpStatusCode.Accepted);
        var id = body!["messageId"]!.GetValue<long>();
        Assert.Empty(smtp.To(to));
        await Server.DispatchOutboxAsync();

        var mail = Assert.Single(smtp.To(to));
        Assert.Equal("CareLoop test e-mail", mail.Subject);
        Assert.Contains("Sent by: apikey:", mail.Text, StringComparison.Ordinal);
        var message = await MessageAsync(id);
        Assert.Equal(OutboxStatus.Sent, message.Status);
        Assert.Equal(body["eventId"]!.GetValue<string>() + "@careloop.test", mail.Message.MessageId);

        await (await admin.PostJsonAsync("/api/v1/notifications/test-email", new { to = "not an address" })).ExpectFieldErrorAsync("to");
        await (await admin.PostJsonAsync("/api/v1/notifications/test-email", new { language = "en" })).ExpectFieldErrorAsync("to");
        await (await admin.PostJsonAsync("/api/v1/notifications/test-email", new { to, language = "fr" })).ExpectFieldErrorAsync("language");
        var supervisor = await Server.ClientAsync(Roles.Supervisor);
        await (await supervisor.PostJsonAsync("/api/v1/notifications/test-email", new { to })).ExpectAsync(HttpStatusCode.Forbidden);
    }
}

/// <summary>Rendering, validation, quiet hours and the e-mail handler's refusal without a server, on their own.</summary>
public sealed class NotificationsUnitTests
{
    private static readonly Dictionary<string, string?> Model = new() { ["name"] = "<b>Tom</b> & \"Jerry\"", ["order"] = "O-1" };

    [Fact]
    public void Text_InsertsValuesAsGiven_AndMissingValuesAsNothing()
    {
        Assert.Equal("Hi <b>Tom</b> & \"Jerry\", order O-1.", TemplateRenderer.RenderText("Hi {{name}}, order {{ order }}.", Model));
        Assert.Equal("Due: .", TemplateRenderer.RenderText("Due: {{dueAt}}.", Model));
    }

    [Fact]
    public void Html_EncodesTheTemplateAndTheValues_AndKeepsLineBreaks()
    {
        var html = TemplateRenderer.RenderHtml("Hi {{name}} <3\nline two\n\nnext paragraph", Model);
        Assert.Equal("<p>Hi &lt;b&gt;Tom&lt;/b&gt; &amp; &quot;Jerry&quot; &lt;3<br>\nline two</p>\n<p>next paragraph</p>", html);
    }

    [Fact]
    public void Validation_NamesTheField_OfAnUnknownOrMalformedPlaceholder()
    {
        var allowed = new[] { "name", "order" };
        Assert.False(TemplateRenderer.Validate(new TemplateText("For {{name}}", "Order {{order}}"), allowed).Any);
        var unknown = TemplateRenderer.Validate(new TemplateText("For {{name}}", "Order {{orderNo}}"), allowed);
        Assert.Equal(["body"], unknown.All().Select(e => e.Field));
        Assert.Contains("{{orderNo}}", unknown.All().Single().Message, StringComparison.Ordinal);
        Assert.Equal(["subject"], TemplateRenderer.Validate(new TemplateText("For {{ name", "ok"), allowed).All().Select(e => e.Field));
        Assert.Equal(["body"], TemplateRenderer.Validate(new TemplateText("ok", new string('x', TemplateRenderer.MaxBodyLength + 1)), allowed).All().Select(e => e.Field));
        Assert.Equal(["name", "order"], TemplateRenderer.PlaceholdersIn("{{name}} {{ order }} {{name}}"));
    }

    [Fact]
    public void ACodeTemplate_UsingAPlaceholderItDoesNotDeclare_IsRefusedAtStartUp()
    {
        var bad = new NotificationTemplateDefinition("bad", ["a"], new TemplateText("{{a}}", "{{b}}"));
        var e = Assert.Throws<InvalidOperationException>(() => new NotificationTemplateCatalog([bad]));
        Assert.Contains("bad", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "en")]
    [InlineData("en-US", "en")]
    [InlineData("EN_gb", "en")]
    [InlineData("zh-CN", "zh-CN")]
    [InlineData("ja", "zh-CN")]
    [InlineData(null, "zh-CN")]
    public void TheLanguage_IsEnglishForEnglishSpeakers_ElseChinese(string? preferred, string expected) =>
        Assert.Equal(expected, NotificationLanguages.Resolve(preferred));

    [Theory]
    // Shanghai is UTC+8: 22:00-08:00 local is 14:00-24:00 UTC.
    [InlineData("2026-05-01T13:59:00Z", null)]
    [InlineData("2026-05-01T14:00:00Z", "2026-05-02T00:00:00Z")] // 22:00 local, before midnight: ends tomorrow 08:00
    [InlineData("2026-05-01T18:30:00Z", "2026-05-02T00:00:00Z")] // 02:30 local, after midnight: ends today 08:00
    [InlineData("2026-05-02T00:00:00Z", null)]                     // 08:00 local: the end is not quiet
    public void QuietHours_CrossingMidnight_EndAtTheNextEndTime(string now, string? expected)
    {
        Assert.True(TimeRange.TryParse("22:00-08:00", out var range));
        var end = QuietHours.EndOf(DateTimeOffset.Parse(now, CultureInfo.InvariantCulture), range, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture).UtcDateTime, end);
    }

    [Fact]
    public void QuietHours_WithinOneDay_EndTheSameDay()
    {
        Assert.True(TimeRange.TryParse("12:00-14:00", out var range));
        var end = QuietHours.EndOf(new DateTimeOffset(2026, 5, 1, 12, 30, 0, TimeSpan.Zero), range, TimeZoneInfo.Utc);
        Assert.Equal(new DateTime(2026, 5, 1, 14, 0, 0, DateTimeKind.Utc), end);
        Assert.Null(QuietHours.EndOf(new DateTimeOffset(2026, 5, 1, 11, 59, 0, TimeSpan.Zero), range, TimeZoneInfo.Utc));
    }

    [Fact]
    public async Task WithoutAnSmtpHost_AnEmailIsRefusedWithAClearError()
    {
        var handler = new EmailDeliveryHandler(new StaticMonitor(new SmtpOptions()), TimeProvider.System, NullLogger<EmailDeliveryHandler>.Instance);
        var result = await handler.DeliverAsync(new OutboxMessage { Kind = "email", EventId = "msg_1", Payload = "{}" }, CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.True(result.Permanent);
        Assert.Contains("Smtp:Host", result.Error, StringComparison.Ordinal);
    }

    private sealed class StaticMonitor(SmtpOptions value) : IOptionsMonitor<SmtpOptions>
    {
        public SmtpOptions CurrentValue => value;

        public SmtpOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SmtpOptions, string?> listener) => null;
    }
}
