using System.Globalization;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Notifications;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Platform.Settings;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>
/// Tells customers about their tickets through the platform notification service (e-mail and in-app): the
/// acknowledgement with the first-reply due time (not for chat and phone, where they are talking to us already), and
/// each public reply from the service desk. Runs after commit,
/// from the outbox, so intake and replies stay fast and a failure here never loses the ticket change.
/// </summary>
public sealed class TicketNotifications(CareLoopDbContext db, Notifier notifier, TicketSla sla, SettingsStore settings)
    : IDomainEventHandler<TicketCreated>, IDomainEventHandler<TicketMessageAdded>
{
    public async Task HandleAsync(TicketCreated e, CancellationToken ct)
    {
        if (e.Channel is TicketChannel.Chat or TicketChannel.Phone)
        {
            // The customer is in a live conversation: no "we have received your request" message.
            return;
        }
        var ticket = await db.Tickets.IgnoreQueryFilters().Include(t => t.Events).AsNoTracking().SingleOrDefaultAsync(t => t.Id == e.TicketId, ct);
        var customer = await db.Customers.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(c => c.Id == e.CustomerId, ct);
        if (ticket is null || customer is null)
        {
            return;
        }
        var evaluation = await sla.EvaluateAsync(ticket, ct);
        var due = evaluation.Metrics.FirstOrDefault(m => m.Metric == SlaMetric.FirstReply)?.Due ?? evaluation.EarliestDue;
        var zone = await settings.GetPlatformTimeZoneAsync(ct);
        var dueText = due is { } d ? TimeZoneInfo.ConvertTimeFromUtc(d, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";
        await notifier.NotifyAsync(db, new NotificationRequest(BuiltInTemplates.TicketCreated, NotificationRecipient.Customer(customer), NotificationCategory.Service,
            new Dictionary<string, string?>
            {
                ["customerName"] = customer.Name, ["ticketNo"] = Number(ticket.Number), ["subject"] = ticket.Subject, ["dueAt"] = dueText,
            })
        { AggregateKey = $"ticket:{ticket.Id}", MerchantId = ticket.MerchantId, Link = $"/portal/tickets/{ticket.Number}" }, ct);
        await db.SaveChangesAsync(ct);
    }

    public async Task HandleAsync(TicketMessageAdded e, CancellationToken ct)
    {
        if (e.AuthorKind is not (AuthorKind.Agent or AuthorKind.Bot))
        {
            return;
        }
        var message = await db.TicketMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == e.MessageId, ct);
        var ticket = await db.Tickets.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(t => t.Id == e.TicketId, ct);
        var customer = await db.Customers.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(c => c.Id == e.CustomerId, ct);
        if (message is null || ticket is null || customer is null || message.Visibility != MessageVisibility.Public)
        {
            return;
        }
        await notifier.NotifyAsync(db, new NotificationRequest(ServiceDeskTemplates.Replied, NotificationRecipient.Customer(customer), NotificationCategory.Service,
            new Dictionary<string, string?>
            {
                ["customerName"] = customer.Name, ["ticketNo"] = Number(ticket.Number), ["subject"] = ticket.Subject, ["reply"] = message.Body,
            })
        { AggregateKey = $"ticket:{ticket.Id}", MerchantId = ticket.MerchantId, Link = $"/portal/tickets/{ticket.Number}" }, ct);
        await db.SaveChangesAsync(ct);
    }

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
