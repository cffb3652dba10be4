using System.Net.Sockets;
using System.Text.Json;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Outbox;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CareLoop.Server.Platform.Notifications;

/// <summary>The SMTP server e-mails go through (<c>Smtp:*</c> configuration).</summary>
public sealed class SmtpOptions
{
    /// <summary>Empty: e-mail is not configured; e-mail messages are refused (dead, retryable by an admin once it is).</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>True: STARTTLS when the server offers it (TLS from the start on port 465). False: plain text.</summary>
    public bool UseTls { get; set; } = true;

    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender, e.g. <c>CareLoop &lt;service@example.com&gt;</c>.</summary>
    public string From { get; set; } = "CareLoop <noreply@careloop.local>";

    /// <summary>How long one SMTP operation (connect, a command) may take before the attempt fails and is retried.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>
/// Sends <c>email</c> outbox messages through SMTP with MailKit, one connection per message. A 4xx reply, a refused
/// or dropped connection, a timeout or failed authentication is retried by the outbox with backoff; a 5xx reply to the
/// message (550 mailbox unavailable, 554 rejected) makes it dead at once with the server's words. The Message-Id is
/// made from the outbox event id, so every retry and replay of one message carries the same id.
/// </summary>
public sealed class EmailDeliveryHandler(IOptionsMonitor<SmtpOptions> options, TimeProvider clock, ILogger<EmailDeliveryHandler> log) : IOutboxHandler
{
    public string Kind => Notifier.EmailKind;

    public async Task<OutboxResult> DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        var o = options.CurrentValue;
        if (!o.IsConfigured)
        {
            return OutboxResult.Refused("E-mail is not configured: set Smtp:Host (and Smtp:From); then retry this message.");
        }
        if (!MailboxAddress.TryParse(o.From, out var from))
        {
            return OutboxResult.Refused($"Smtp:From '{o.From}' is not an e-mail address.");
        }
        var payload = JsonSerializer.Deserialize<EmailPayload>(message.Payload, ApiJson.Options)
            ?? throw new InvalidOperationException("The e-mail payload is empty.");
        if (!MailboxAddress.TryParse(payload.To, out var to))
        {
            return OutboxResult.Refused($"'{payload.To}' is not an e-mail address.");
        }
        if (payload.ToName is { Length: > 0 } name)
        {
            to.Name = name;
        }
        using var mime = Compose(message, payload, from, to);
        using var client = new SmtpClient { Timeout = Math.Max(1, o.TimeoutSeconds) * 1000 };
        try
        {
            var security = !o.UseTls ? SecureSocketOptions.None
                : o.Port == 465 ? SecureSocketOptions.SslOnConnect
                : SecureSocketOptions.StartTlsWhenAvailable;
            await client.ConnectAsync(o.Host!, o.Port, security, ct);
            if (!string.IsNullOrEmpty(o.User))
            {
                await client.AuthenticateAsync(o.User, o.Password ?? "", ct);
            }
            var reply = await client.SendAsync(mime, ct);
            NotificationsLog.EmailSent(log, message.Id, payload.Template, reply);
            await DisconnectQuietlyAsync(client);
            return new OutboxResult(true, StatusCode: 250);
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            var error = $"SMTP {code} ({Describe(e.ErrorCode)}): {e.Message}";
            await DisconnectQuietlyAsync(client);
            return code >= 500 ? OutboxResult.Refused(error, code) : OutboxResult.Failed(error, code);
        }
        catch (AuthenticationException e)
        {
            // Wrong credentials are the configuration's fault, not the message's: retried, so fixing them delivers it.
            return OutboxResult.Failed("SMTP authentication failed: " + e.Message);
        }
        catch (SmtpProtocolException e)
        {
            return OutboxResult.Failed("SMTP protocol error (the connection broke off or the server answered out of turn): " + e.Message);
        }
        catch (SocketException e)
        {
            return OutboxResult.Failed($"Could not reach the SMTP server {o.Host}:{o.Port}: {e.Message}");
        }
        catch (Exception e) when (e is TimeoutException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return OutboxResult.Failed($"The SMTP server {o.Host}:{o.Port} timed out or dropped the connection: {e.Message}");
        }
    }

    /// <summary>The MIME message: multipart/alternative text + HTML, Message-Id from the event id.</summary>
    internal MimeMessage Compose(OutboxMessage message, EmailPayload payload, MailboxAddress from, MailboxAddress to)
    {
        var mime = new MimeMessage
        {
            Subject = payload.Subject,
            MessageId = MessageIdFor(message.EventId, from.Domain),
            Date = clock.GetUtcNow(),
            Body = new BodyBuilder { TextBody = payload.Text, HtmlBody = payload.Html }.ToMessageBody(),
        };
        mime.From.Add(from);
        mime.To.Add(to);
        mime.Headers.Add("X-CareLoop-Template", payload.Template);
        mime.Headers.Add("Content-Language", payload.Language);
        return mime;
    }

    /// <summary><c>msg_…@domain</c> (without angle brackets, as MimeKit wants it).</summary>
    public static string MessageIdFor(string eventId, string? domain) =>
        eventId + "@" + (string.IsNullOrEmpty(domain) ? "careloop.local" : domain);

    private static string Describe(SmtpErrorCode code) => code switch
    {
        SmtpErrorCode.RecipientNotAccepted => "recipient not accepted",
        SmtpErrorCode.SenderNotAccepted => "sender not accepted",
        SmtpErrorCode.MessageNotAccepted => "message not accepted",
        _ => "unexpected reply",
    };

    private static async Task DisconnectQuietlyAsync(SmtpClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.DisconnectAsync(true, cts.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or SmtpProtocolException or SmtpCommandException)
        {
            // The message's outcome is known; a failed QUIT changes nothing.
        }
    }
}

/// <summary>A notification in a person's in-app inbox (<c>notifications</c>): a customer's, or a UI user's.</summary>
public sealed class InAppNotification
{
    public long Id { get; set; }

    /// <summary>The outbox event that wrote it: unique, so a replayed delivery does not write it twice.</summary>
    public string EventId { get; set; } = "";

    public Guid? CustomerId { get; set; }

    public Guid? UserId { get; set; }

    public Guid? MerchantId { get; set; }

    public string Template { get; set; } = "";

    public string Title { get; set; } = "";

    public string Body { get; set; } = "";

    public string? Link { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? ReadAt { get; set; }
}

internal sealed class InAppNotificationConfiguration : IEntityTypeConfiguration<InAppNotification>
{
    public void Configure(EntityTypeBuilder<InAppNotification> b)
    {
        b.ToTable("notifications");
        b.Property(x => x.EventId).HasMaxLength(100);
        b.Property(x => x.Template).HasMaxLength(100);
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.Body).HasMaxLength(TemplateRenderer.MaxBodyLength);
        b.Property(x => x.Link).HasMaxLength(500);
        b.HasIndex(x => x.EventId).IsUnique();
        // An inbox, newest first, optionally unread only.
        b.HasIndex(x => new { x.CustomerId, x.ReadAt, x.Id });
        b.HasIndex(x => new { x.UserId, x.ReadAt, x.Id });
    }
}

/// <summary>Writes <c>in_app</c> outbox messages into the recipient's inbox, once per event id.</summary>
public sealed class InAppDeliveryHandler(CareLoopDbContext db) : IOutboxBatchHandler
{
    public string Kind => Notifier.InAppKind;

    /// <summary>Writes a batch's notifications in one transaction; if that fails, each on its own (so one bad row fails alone).</summary>
    public async Task<IReadOnlyList<OutboxResult>> DeliverBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        var eventIds = messages.Select(m => m.EventId).Distinct().ToList();
        var written = (await db.InAppNotifications.Where(n => eventIds.Contains(n.EventId)).Select(n => n.EventId).ToListAsync(ct)).ToHashSet();
        var results = new OutboxResult[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (!written.Add(message.EventId))
            {
                results[i] = OutboxResult.Success;
                continue;
            }
            InAppPayload? payload;
            try
            {
                payload = JsonSerializer.Deserialize<InAppPayload>(message.Payload, ApiJson.Options);
            }
            catch (JsonException e)
            {
                results[i] = OutboxResult.Refused("The in-app payload is not valid: " + e.Message);
                continue;
            }
            if (payload is null || (payload.CustomerId is null && payload.UserId is null))
            {
                results[i] = OutboxResult.Refused("The notification names no customer or user.");
                continue;
            }
            db.InAppNotifications.Add(ToRow(message, payload));
            results[i] = OutboxResult.Success;
        }
        try
        {
            await db.SaveChangesAsync(ct);
            return results;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
        }
        for (var i = 0; i < messages.Count; i++)
        {
            try
            {
                results[i] = await DeliverAsync(messages[i], ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                db.ChangeTracker.Clear();
                results[i] = OutboxResult.Failed(e.GetType().Name + ": " + e.Message);
            }
        }
        return results;
    }

    private static InAppNotification ToRow(OutboxMessage message, InAppPayload payload) => new()
    {
        EventId = message.EventId,
        CustomerId = payload.CustomerId,
        UserId = payload.UserId,
        MerchantId = payload.MerchantId,
        Template = payload.Template,
        Title = payload.Title,
        Body = payload.Body,
        Link = payload.Link,
        // When it was raised, not when it reached the inbox.
        CreatedAt = message.CreatedAt,
    };

    public async Task<OutboxResult> DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        if (await db.InAppNotifications.AnyAsync(n => n.EventId == message.EventId, ct))
        {
            return OutboxResult.Success;
        }
        var payload = JsonSerializer.Deserialize<InAppPayload>(message.Payload, ApiJson.Options)
            ?? throw new InvalidOperationException("The in-app payload is empty.");
        if (payload.CustomerId is null && payload.UserId is null)
        {
            return OutboxResult.Refused("The notification names no customer or user.");
        }
        db.InAppNotifications.Add(ToRow(message, payload));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Written by a concurrent delivery of the same event (a lease that ran out mid-delivery): delivered once.
            db.ChangeTracker.Clear();
            if (!await db.InAppNotifications.AnyAsync(n => n.EventId == message.EventId, ct))
            {
                throw;
            }
        }
        return OutboxResult.Success;
    }
}
