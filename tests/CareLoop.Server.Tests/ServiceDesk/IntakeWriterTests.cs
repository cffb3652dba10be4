using System.Net;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Modules.ServiceDesk;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Notifications;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Tests.Infrastructure;
using CareLoop.Server.Tests.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CareLoop.Server.Tests.ServiceDesk;

public sealed class IntakeWriterTestsSqlite(SqliteServer fixture) : IntakeWriterTests(fixture), IClassFixture<SqliteServer>;
public sealed class IntakeWriterTestsPostgres(PostgresServer fixture) : IntakeWriterTests(fixture), IClassFixture<PostgresServer>;

/// <summary>Group commit of new tickets: concurrent submissions share transactions, and a bad ticket fails alone.</summary>
public abstract class IntakeWriterTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;
    private Desk Desk => _desk ??= new Desk(Server);
    private Desk? _desk;

    [Fact]
    public async Task ConcurrentSubmissions_AreEachStoredOnce_WithTheirTimelineSearchDocumentAndOneCreatedEvent()
    {
        var customer = await Desk.CustomerAsync();
        var client = await Desk.IntegrationAsync();
        var subjects = Enumerable.Range(0, 40).Select(i => $"并发提交 {Guid.NewGuid():N} {i}").ToList();

        var answers = await Task.WhenAll(subjects.Select(async s =>
            await (await client.PostJsonAsync("/api/v1/tickets", new { channel = "web", customer = new { externalId = customer }, subject = s, message = "同时提交" }))
                .ExpectAsync(HttpStatusCode.Created)));

        var ids = answers.Select(a => a!["id"]!.GetValue<Guid>()).ToList();
        Assert.Equal(40, ids.Distinct().Count());
        Assert.Equal(40, answers.Select(a => a!["number"]!.GetValue<long>()).Distinct().Count());
        var stored = await Server.WithDbAsync(db => db.Tickets.Where(t => ids.Contains(t.Id)).Include(t => t.Events).ToListAsync());
        Assert.Equal(40, stored.Count);
        Assert.All(stored, t =>
        {
            Assert.Equal(1, t.Version);
            Assert.NotEqual(default, t.CreatedAt);
            Assert.Contains(t.Events, e => e.Kind == TicketEventKind.Created);
            Assert.NotNull(t.SlaDueAt);
        });
        Assert.Equal(40, await Server.WithDbAsync(db => db.TicketMessages.CountAsync(m => ids.Contains(m.TicketId))));
        Assert.Equal(40, await Server.WithDbAsync(db => db.TicketSearch.CountAsync(d => ids.Contains(d.TicketId))));
        // Each acknowledgement was committed with its ticket: its e-mail in the outbox, its notification in the inbox.
        var keys = ids.Select(id => "ticket:" + id).ToList();
        var emails = await Server.WithDbAsync(db => db.OutboxMessages
            .Where(m => m.EventType == BuiltInTemplates.TicketCreated && m.AggregateKey != null && keys.Contains(m.AggregateKey))
            .Select(m => new { m.AggregateKey, m.Kind }).ToListAsync());
        Assert.Equal(keys.Order(), emails.Select(e => e.AggregateKey).Order());
        Assert.All(emails, e => Assert.Equal(Notifier.EmailKind, e.Kind));
        var links = answers.Select(a => "/portal/tickets/" + a!["number"]!.GetValue<long>()).ToList();
        var inbox = await Server.WithDbAsync(db => db.InAppNotifications
            .Where(n => n.Template == BuiltInTemplates.TicketCreated && n.Link != null && links.Contains(n.Link)).Select(n => n.Link).ToListAsync());
        Assert.Equal(links.Order(), inbox.Order());

        // Searchable at once: the documents were written with the tickets.
        var found = await (await client.GetAsync($"/api/v1/tickets/search?q={Uri.EscapeDataString(subjects[7].Split(' ')[1])}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(found!["items"]!.AsArray(), i => i!["id"]!.GetValue<Guid>() == ids[7]);
    }

    [Fact]
    public async Task TheAcknowledgement_CarriesTheFirstReplyDue_ButIsNotSentForChat()
    {
        var customer = await Desk.CustomerAsync();
        var web = await Desk.TicketAsync(customer, channel: "web");
        var chat = await Desk.TicketAsync(customer, channel: "chat");

        var keys = new[] { "ticket:" + web["id"]!.GetValue<Guid>(), "ticket:" + chat["id"]!.GetValue<Guid>() };
        var messages = await Server.WithDbAsync(db => db.OutboxMessages.Where(m => m.AggregateKey != null && keys.Contains(m.AggregateKey)).ToListAsync());
        var email = Assert.Single(messages);
        Assert.Equal((Notifier.EmailKind, customer + "@example.com", keys[0]), (email.Kind, email.Target, email.AggregateKey));

        // The in-app notification is in the customer's inbox with the ticket, once (none for the chat).
        var customerId = await Server.WithDbAsync(db => db.Customers.Where(c => c.ExternalId == customer).Select(c => c.Id).SingleAsync());
        var inbox = Assert.Single(await Server.WithDbAsync(db => db.InAppNotifications.Where(n => n.CustomerId == customerId).ToListAsync()));
        var number = web["number"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(number, inbox.Title);
        Assert.Equal("/portal/tickets/" + number, inbox.Link);
        var due = Desk.Metric(web, "first_reply")["due"]!.GetValue<DateTimeOffset>();
        var zone = await Server.InScopeAsync(sp => sp.GetRequiredService<CareLoop.Server.Platform.Settings.SettingsStore>().GetPlatformTimeZoneAsync());
        var dueText = TimeZoneInfo.ConvertTime(due, zone).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(dueText, inbox.Body);
        Assert.Contains(dueText, System.Text.Json.Nodes.JsonNode.Parse(email.Payload)!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheAcknowledgementsOfSeveralTickets_ReachEachInbox_AndWithoutSmtp_EachEmailIsDeadWithTheReason()
    {
        var customers = new[] { await Desk.CustomerAsync(), await Desk.CustomerAsync(), await Desk.CustomerAsync() };
        var tickets = await Task.WhenAll(customers.Select(c => Desk.TicketAsync(c, channel: "web")));
        var keys = tickets.Select(t => "ticket:" + t["id"]!.GetValue<Guid>()).ToList();

        // The test server has no SMTP host: the e-mails are refused for good; the in-app notifications were written with the tickets.
        List<OutboxMessage> messages = [];
        for (var attempt = 0; attempt < 500; attempt++)
        {
            while (await Server.DispatchOutboxAsync() > 0)
            {
            }
            messages = await Server.WithDbAsync(db => db.OutboxMessages.AsNoTracking().Where(m => keys.Contains(m.AggregateKey!)).ToListAsync());
            if (messages.All(m => m.Status is OutboxStatus.Sent or OutboxStatus.Dead))
            {
                break;
            }
            await Task.Delay(20);
        }
        Assert.Equal(3, messages.Count);
        Assert.All(messages, m =>
        {
            Assert.Equal((Notifier.EmailKind, OutboxStatus.Dead), (m.Kind, m.Status));
            Assert.Equal(1, m.Attempts);
            Assert.Contains("Smtp:Host", m.LastError, StringComparison.Ordinal);
            Assert.Null(m.LockedBy);
        });
        var customerIds = await Server.WithDbAsync(db => db.Customers.Where(c => customers.Contains(c.ExternalId)).Select(c => c.Id).ToListAsync());
        var inboxes = await Server.WithDbAsync(db => db.InAppNotifications.Where(n => customerIds.Contains(n.CustomerId!.Value)).Select(n => n.CustomerId).ToListAsync());
        Assert.Equal(customerIds.Order().ToList(), inboxes.Select(i => i!.Value).Order().ToList());
    }

    /// <summary>Runs the outbox until at least <paramref name="count"/> messages of the event type about the tickets were handled, and none waits.</summary>
    private Task HandledAsync(string eventType, int count, params Guid[] tickets)
    {
        var keys = tickets.Select(id => "Ticket:" + id).ToList();
        return Server.DeliverAsync(m => m.EventType == eventType && keys.Contains(m.AggregateKey!), count, $"The {eventType} events");
    }

    [Fact]
    public async Task AnAgentsReply_SendsTheReplyNotification_AndNoMessageRepeatsTheAcknowledgement()
    {
        var customer = await Desk.CustomerAsync();
        var ticket = await Desk.TicketAsync(customer, channel: "web");
        var id = ticket["id"]!.GetValue<Guid>();
        var me = await Server.ClientAsync(Roles.Customer, customer: customer);
        await (await me.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "还有一个问题" })).ExpectAsync(HttpStatusCode.OK);
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.PostJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "已为您处理" })).ExpectAsync(HttpStatusCode.OK);
        // Each message event reaches the notifications handler (and the search indexer and the live feed).
        await HandledAsync(nameof(TicketMessageAdded), 2, id);

        var sent = await Server.WithDbAsync(db => db.OutboxMessages
            .Where(m => m.AggregateKey == "ticket:" + id && m.Kind == Notifier.EmailKind).Select(m => m.EventType).ToListAsync());
        Assert.Equal(["ticket.created", "ticket.replied"], sent.Order().ToList());
    }

    [Fact]
    public async Task AGroupWithOneBadTicket_StoresTheOthers_AndFailsOnlyThatOne()
    {
        var customer = await Desk.CustomerAsync();
        var customerId = await Server.WithDbAsync(db => db.Customers.Where(c => c.ExternalId == customer).Select(c => c.Id).SingleAsync());
        var existing = (await Desk.TicketAsync(customer))["number"]!.GetValue<long>();
        var writer = Server.Services.GetRequiredService<TicketIntakeWriter>();
        var outbox = Server.Services.GetRequiredService<OutboxWriter>();
        var now = DateTime.UtcNow;
        NewTicket Make(long number)
        {
            var ticket = new Ticket { Number = number, CustomerId = customerId, Channel = TicketChannel.Api, Subject = "批量 " + number };
            var message = new TicketMessage
            {
                TicketId = ticket.Id, At = now, Visibility = MessageVisibility.Public, AuthorKind = AuthorKind.Customer,
                AuthorId = customerId, AuthorName = "李雷", Body = "内容",
            };
            ticket.Open(now, "test", message);
            return new NewTicket(ticket, message, new TicketSearchDocument { TicketId = ticket.Id, Number = number, Tokens = "x", UpdatedAt = now }, null, now)
            {
                Outbox = [outbox.Create(Notifier.EmailKind, "li@example.com", "test.acknowledged", new { number }, aggregateKey: "ticket:" + ticket.Id)],
                Inbox =
                [
                    new InAppNotification
                    {
                        EventId = OutboxWriter.NewEventId(), CustomerId = customerId, Template = "test.acknowledged", Title = "批量 " + number,
                        Body = "内容", Link = "/portal/tickets/" + number, CreatedAt = now,
                    },
                ],
            };
        }
        var basis = 900_000_000L + Random.Shared.Next(1_000_000) * 100L;
        var good = Enumerable.Range(1, 5).Select(i => Make(basis + i)).ToList();
        var bad = Make(existing); // the number is taken: its insert violates the unique index

        var writes = good.Select(writer.WriteAsync).Append(writer.WriteAsync(bad)).ToList();
        var failure = await Record.ExceptionAsync(() => writes[^1]);
        await Task.WhenAll(writes.Take(5));

        Assert.NotNull(failure);
        var goodIds = good.Select(g => g.Ticket.Id).ToList();
        Assert.Equal(5, await Server.WithDbAsync(db => db.Tickets.CountAsync(t => goodIds.Contains(t.Id))));
        Assert.Equal(0, await Server.WithDbAsync(db => db.Tickets.CountAsync(t => t.Id == bad.Ticket.Id)));
        Assert.Equal(0, await Server.WithDbAsync(db => db.TicketEvents.CountAsync(e => e.TicketId == bad.Ticket.Id)));
        // The messages written with each ticket are stored with it, and not for the ticket that failed.
        var keys = goodIds.Select(id => "ticket:" + id).ToList();
        Assert.Equal(5, await Server.WithDbAsync(db => db.OutboxMessages.CountAsync(m => m.EventType == "test.acknowledged" && keys.Contains(m.AggregateKey!))));
        Assert.Equal(0, await Server.WithDbAsync(db => db.OutboxMessages.CountAsync(m => m.AggregateKey == "ticket:" + bad.Ticket.Id)));
        var links = good.Select(g => "/portal/tickets/" + g.Ticket.Number).Append("/portal/tickets/" + existing).ToList();
        var inbox = await Server.WithDbAsync(db => db.InAppNotifications.Where(n => n.Template == "test.acknowledged" && links.Contains(n.Link!)).Select(n => n.Link).ToListAsync());
        Assert.Equal(links.Take(5).Order(), inbox.Order());
    }
}
