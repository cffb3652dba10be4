using System.Net;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Platform.Settings;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Notifications;

public enum NotificationChannel { Email, InApp, Sms }

/// <summary>
/// Why a message is sent, which decides the rules it follows. <see cref="Transactional"/>: the answer to something the
/// customer did or is owed (ticket received, refund paid) — always sent, at once. <see cref="Service"/>: reminders and
/// surveys about the customer's own cases — no marketing consent needed, but held back during quiet hours.
/// <see cref="Marketing"/>: promotions — only with the customer's marketing consent, and held back during quiet hours.
/// </summary>
public enum NotificationCategory { Transactional, Service, Marketing }

public enum NotificationRecipientKind { Customer, User, Email }

/// <summary>Who gets a notification: a customer, a UI user (staff or merchant), or a bare e-mail address.</summary>
public sealed record NotificationRecipient(NotificationRecipientKind Kind, Guid? Id, string? Address, string? Language)
{
    /// <summary>The customer's contact details when the caller has just read them (the notifier then does not read them again).</summary>
    public CareLoop.Domain.Commerce.Customer? Known { get; private init; }

    public static NotificationRecipient Customer(Guid customerId) => new(NotificationRecipientKind.Customer, customerId, null, null);

    /// <summary>A customer the caller has loaded.</summary>
    public static NotificationRecipient Customer(CareLoop.Domain.Commerce.Customer customer) =>
        new(NotificationRecipientKind.Customer, customer.Id, null, null) { Known = customer };

    public static NotificationRecipient User(Guid userId) => new(NotificationRecipientKind.User, userId, null, null);

    /// <summary>An address nobody's record holds (e.g. an admin's test); <paramref name="language"/> defaults to zh-CN.</summary>
    public static NotificationRecipient Email(string address, string? language = null) => new(NotificationRecipientKind.Email, null, address, language);
}

/// <summary>One notification to send.</summary>
/// <param name="Template">Key of a registered template (<see cref="BuiltInTemplates"/> or a module's).</param>
/// <param name="Model">Values of the template's placeholders, already formatted for the reader.</param>
public sealed record NotificationRequest(string Template, NotificationRecipient Recipient, NotificationCategory Category, IReadOnlyDictionary<string, string?> Model)
{
    public IReadOnlyList<NotificationChannel> Channels { get; init; } = [NotificationChannel.Email, NotificationChannel.InApp];

    /// <summary>The record it is about (e.g. <c>ticket:…</c>): e-mails of one record to one address go out in order.</summary>
    public string? AggregateKey { get; init; }

    /// <summary>The merchant whose business it concerns, if any (kept on the outbox row and the in-app notification).</summary>
    public Guid? MerchantId { get; init; }

    /// <summary>Where the in-app notification leads (a path in the UI), if anywhere.</summary>
    public string? Link { get; init; }
}

public enum ChannelStatus { Queued, Deferred, Skipped }

/// <summary>
/// What happened to one channel of a request: queued (due now), deferred (due when quiet hours end) or skipped, and
/// why. A queued or deferred e-mail is an outbox <paramref name="Message"/>; an in-app notification is its inbox
/// <paramref name="Row"/>, written in the caller's transaction.
/// </summary>
public sealed record ChannelOutcome(NotificationChannel Channel, ChannelStatus Status, string? Reason = null, OutboxMessage? Message = null, InAppNotification? Row = null);

public sealed record NotificationOutcome(string Template, string Language, IReadOnlyList<ChannelOutcome> Channels)
{
    public ChannelOutcome? For(NotificationChannel channel) => Channels.FirstOrDefault(c => c.Channel == channel);

    /// <summary>The outbox messages that send it (queued and deferred e-mails).</summary>
    public IEnumerable<OutboxMessage> Messages => Channels.Where(c => c.Message is not null).Select(c => c.Message!);

    /// <summary>The in-app notifications it puts in inboxes.</summary>
    public IEnumerable<InAppNotification> Inbox => Channels.Where(c => c.Row is not null).Select(c => c.Row!);
}

/// <summary>What an <c>email</c> outbox message carries: the rendered message, so a later template edit does not change it.</summary>
public sealed record EmailPayload(string To, string? ToName, string Language, string Template, string Subject, string Text, string Html);


/// <summary>
/// The notification interface of the platform. <see cref="NotifyAsync"/> decides per channel (recipient, language,
/// consent, quiet hours), renders the template and adds to the caller's DbContext the e-mails' outbox messages, which
/// commit with the caller's change and are sent after it by the outbox (retried when the mail server fails), and the
/// in-app notifications themselves: they are rows of this database, so they are in the inbox the moment the change
/// commits, and never without it (ADR 21). Nothing is sent inline.
/// </summary>
public sealed class Notifier(
    NotificationTemplateStore templates, OutboxWriter outbox, SettingsStore settings, TimeProvider clock, ILogger<Notifier> log)
{
    public const string EmailKind = "email";

    public async Task<NotificationOutcome> NotifyAsync(CareLoopDbContext db, NotificationRequest request, CancellationToken ct = default)
    {
        var outcome = await PrepareAsync(db, request, ct);
        db.OutboxMessages.AddRange(outcome.Messages);
        db.InAppNotifications.AddRange(outcome.Inbox);
        return outcome;
    }

    /// <summary>
    /// Decides and renders like <see cref="NotifyAsync"/> but leaves the outbox messages (<see cref="NotificationOutcome.Messages"/>)
    /// and inbox rows (<see cref="NotificationOutcome.Inbox"/>) to the caller, for one that writes its rows without
    /// change tracking (e.g. ticket intake's group commit).
    /// <paramref name="db"/> is only read.
    /// </summary>
    public async Task<NotificationOutcome> PrepareAsync(CareLoopDbContext db, NotificationRequest request, CancellationToken ct = default)
    {
        var who = await ResolveRecipientAsync(db, request.Recipient, ct);
        var (text, language) = await templates.ResolveAsync(db, request.Template, NotificationLanguages.Resolve(who.Language), ct);
        var subject = TemplateRenderer.RenderText(text.Subject, request.Model);
        var body = TemplateRenderer.RenderText(text.Body, request.Model);

        string? consentRefusal = null;
        if (request.Category == NotificationCategory.Marketing && !who.MarketingConsent)
        {
            consentRefusal = request.Recipient.Kind == NotificationRecipientKind.Customer
                ? "the customer has not consented to marketing messages"
                : "marketing messages go to customers who consented only";
        }
        DateTime? quietUntil = null;
        if (request.Category != NotificationCategory.Transactional)
        {
            var zone = await settings.GetPlatformTimeZoneAsync(ct);
            var range = await settings.GetTimeRangeAsync(SettingKeys.NotificationQuietHours, ct);
            quietUntil = QuietHours.EndOf(clock.GetUtcNow(), range, zone);
        }

        var outcomes = new List<ChannelOutcome>();
        foreach (var channel in request.Channels.Distinct())
        {
            var outcome = consentRefusal is not null
                ? new ChannelOutcome(channel, ChannelStatus.Skipped, consentRefusal)
                : channel switch
                {
                    NotificationChannel.Email => QueueEmail(request, who, language, subject, body, text.Body, quietUntil),
                    NotificationChannel.InApp => QueueInApp(request, who, subject, body),
                    _ => new ChannelOutcome(channel, ChannelStatus.Skipped, "no sender exists for this channel yet"),
                };
            if (outcome.Status == ChannelStatus.Skipped)
            {
                NotificationsLog.Skipped(log, request.Template, channel, who.Describe, outcome.Reason ?? "");
            }
            outcomes.Add(outcome);
        }
        return new NotificationOutcome(request.Template, language, outcomes);
    }

    private ChannelOutcome QueueEmail(NotificationRequest request, Recipient who, string language,
        string subject, string body, string bodyTemplate, DateTime? quietUntil)
    {
        if (string.IsNullOrWhiteSpace(who.Email))
        {
            return new ChannelOutcome(NotificationChannel.Email, ChannelStatus.Skipped, "the recipient has no e-mail address");
        }
        var html = TemplateRenderer.HtmlDocument(language, WebUtility.HtmlEncode(subject), TemplateRenderer.RenderHtml(bodyTemplate, request.Model));
        var payload = new EmailPayload(who.Email.Trim(), who.Name, language, request.Template, subject, body, html);
        // A message held back by quiet hours is not ordered with its record's other e-mails: it must not hold back a
        // transactional message that is due now.
        var message = outbox.Create(EmailKind, Truncate(payload.To, 200), request.Template, payload,
            aggregateKey: quietUntil is null ? request.AggregateKey : null, merchantId: request.MerchantId, notBefore: quietUntil);
        return quietUntil is { } until
            ? new ChannelOutcome(NotificationChannel.Email, ChannelStatus.Deferred, $"quiet hours: due at {until:O}", message)
            : new ChannelOutcome(NotificationChannel.Email, ChannelStatus.Queued, null, message);
    }

    private ChannelOutcome QueueInApp(NotificationRequest request, Recipient who, string subject, string body)
    {
        if (who.InboxTarget is null)
        {
            return new ChannelOutcome(NotificationChannel.InApp, ChannelStatus.Skipped, "an e-mail address has no in-app inbox");
        }
        // In-app notifications wait in the inbox until read: quiet hours do not apply to them.
        var row = new InAppNotification
        {
            EventId = OutboxWriter.NewEventId(),
            CustomerId = who.CustomerId,
            UserId = who.UserId,
            MerchantId = request.MerchantId,
            Template = request.Template,
            Title = Truncate(subject, 200),
            Body = Truncate(body, TemplateRenderer.MaxBodyLength),
            Link = request.Link,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        return new ChannelOutcome(NotificationChannel.InApp, ChannelStatus.Queued, null, Row: row);
    }

    private static async Task<Recipient> ResolveRecipientAsync(CareLoopDbContext db, NotificationRecipient r, CancellationToken ct)
    {
        switch (r.Kind)
        {
            case NotificationRecipientKind.Customer when r.Known is { } known:
                return new Recipient("customer:" + known.Id, known.Email, known.Name, known.PreferredLanguage, known.MarketingConsent, known.Id, null);
            case NotificationRecipientKind.Customer:
                // The caller may be bound to a merchant or customer: the notifier still reaches the customer it was told to.
                var c = await db.Customers.IgnoreQueryFilters().AsNoTracking()
                    .Where(x => x.Id == r.Id).Select(x => new { x.Id, x.Name, x.Email, x.PreferredLanguage, x.MarketingConsent })
                    .SingleOrDefaultAsync(ct) ?? throw new ArgumentException($"No customer {r.Id}.", nameof(r));
                return new Recipient("customer:" + c.Id, c.Email, c.Name, c.PreferredLanguage, c.MarketingConsent, c.Id, null);
            case NotificationRecipientKind.User:
                var u = await db.Users.AsNoTracking()
                    .Where(x => x.Id == r.Id).Select(x => new { x.Id, x.DisplayName, x.Email, x.PreferredCulture })
                    .SingleOrDefaultAsync(ct) ?? throw new ArgumentException($"No user {r.Id}.", nameof(r));
                return new Recipient("user:" + u.Id, u.Email, u.DisplayName, u.PreferredCulture, false, null, u.Id);
            default:
                return new Recipient(null, r.Address, null, r.Language, false, null, null);
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    private sealed record Recipient(string? InboxTarget, string? Email, string? Name, string? Language, bool MarketingConsent, Guid? CustomerId, Guid? UserId)
    {
        public string Describe => InboxTarget ?? "address";
    }
}

/// <summary>When non-transactional notifications may go out again.</summary>
public static class QuietHours
{
    /// <summary>
    /// The UTC instant the quiet period that contains <paramref name="now"/> ends (its end time of day in
    /// <paramref name="zone"/>), or null when <paramref name="now"/> is outside it.
    /// </summary>
    public static DateTime? EndOf(DateTimeOffset now, TimeRange range, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (!range.Contains(time))
        {
            return null;
        }
        var day = DateOnly.FromDateTime(local.DateTime);
        // Crossing midnight and still before it: the period ends tomorrow.
        if (range.CrossesMidnight && time >= range.Start)
        {
            day = day.AddDays(1);
        }
        var end = day.ToDateTime(range.End, DateTimeKind.Unspecified);
        // A clock change may skip the end time: then the period ends at the first valid minute after it.
        while (zone.IsInvalidTime(end))
        {
            end = end.AddMinutes(1);
        }
        return TimeZoneInfo.ConvertTimeToUtc(end, zone);
    }
}
