using System.Globalization;
using CareLoop.Domain.Commerce;
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
/// each public reply from the service desk. The acknowledgement is rendered at intake and committed with the ticket
/// (intake has the ticket, the customer and the SLA clocks in hand; a reaction after commit would read them all
/// again). Replies are told after commit, from the outbox, so a failure here never loses the reply. Either way the
/// e-mails are sent by the outbox and the in-app notifications are written with the rest.
/// </summary>
public sealed partial class TicketNotifications(CareLoopDbContext db, Notifier notifier, SettingsStore settings, ILogger<TicketNotifications> log)
    : IDomainEventHandler<TicketMessageAdded>
{
    /// <summary>
    /// The acknowledgement of a new ticket, rendered for <paramref name="customer"/>: its e-mail's outbox message and
    /// its in-app notification, which the caller writes with the ticket; none for chat and phone. A failure to render
    /// it is logged and does not stop intake.
    /// </summary>
    public async Task<NotificationOutcome?> AcknowledgementAsync(Ticket ticket, Customer customer, SlaEvaluation evaluation, CancellationToken ct)
    {
        if (ticket.Channel is TicketChannel.Chat or TicketChannel.Phone)
        {
            // The customer is in a live conversation: no "we have received your request" message.
            return null;
        }
        try
        {
            var due = evaluation.Metrics.FirstOrDefault(m => m.Metric == SlaMetric.FirstReply)?.Due ?? evaluation.EarliestDue;
            var zone = await settings.GetPlatformTimeZoneAsync(ct);
            var dueText = due is { } d ? TimeZoneInfo.ConvertTimeFromUtc(d, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";
            var outcome = await notifier.PrepareAsync(db, new NotificationRequest(BuiltInTemplates.TicketCreated, NotificationRecipient.Customer(customer), NotificationCategory.Service,
                new Dictionary<string, string?>
                {
                    ["customerName"] = customer.Name, ["ticketNo"] = Number(ticket.Number), ["subject"] = ticket.Subject, ["dueAt"] = dueText,
                })
            { AggregateKey = $"ticket:{ticket.Id}", MerchantId = ticket.MerchantId, Link = $"/portal/tickets/{ticket.Number}" }, ct);
            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AcknowledgementFailed(e, ticket.Number);
            return null;
        }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "The acknowledgement of ticket {Number} could not be prepared; the ticket is stored without it.")]
    private partial void AcknowledgementFailed(Exception error, long number);
}
