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
/// Sends <c>email</c> outbox messages through SMTP with MailKit, a batch over a few connections (a connection is
/// reused for the next message until a message fails). A 4xx reply, a refused
/// or dropped connection, a timeout or failed authentication is retried by the outbox with backoff; a 5xx reply to the
/// message (550 mailbox unavailable, 554 rejected) makes it dead at once with the server's words. The Message-Id is
/// made from the outbox event id, so every retry and replay of one message carries the same id.
/// </summary>
public sealed class EmailDeliveryHandler(IOptionsMonitor<SmtpOptions> options, TimeProvider clock, ILogger<EmailDeliveryHandler> log) : IOutboxBatchHandler
{
    /// <summary>SMTP connections a batch of e-mails is spread over; each sends its share one after the other.</summary>
    public const int ConnectionsPerBatch = 4;

    public string Kind => Notifier.EmailKind;

    public async Task<OutboxResult> DeliverAsync(OutboxMessage message, CancellationToken ct) => (await DeliverBatchAsync([message], ct))[0];

    /// <summary>
    /// Sends a batch over at most <see cref="ConnectionsPerBatch"/> connections instead of one per message. After a
    /// message fails, its connection is closed and the next message opens a new one; when the server cannot be
    /// reached, the connection's remaining messages are retried later with the same error.
    /// </summary>
    public async Task<IReadOnlyList<OutboxResult>> DeliverBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        var o = options.CurrentValue;
        if (!o.IsConfigured)
        {
            return Each(messages, OutboxResult.Refused("E-mail is not configured: set Smtp:Host (and Smtp:From); then retry this message."));
        }
        if (!MailboxAddress.TryParse(o.From, out var from))
        {
            return Each(messages, OutboxResult.Refused($"Smtp:From '{o.From}' is not an e-mail address."));
        }
        var results = new OutboxResult?[messages.Count];
        var lanes = Math.Min(ConnectionsPerBatch, messages.Count);
        await Task.WhenAll(Enumerable.Range(0, lanes).Select(lane => SendLaneAsync(o, from, messages, results, lane, lanes, ct)));
        return results.Select(r => r!).ToList();
    }

    private static OutboxResult[] Each(IReadOnlyList<OutboxMessage> messages, OutboxResult result) => messages.Select(_ => result).ToArray();

    /// <summary>Sends messages lane, lane + lanes, … over one connection.</summary>
    private async Task SendLaneAsync(SmtpOptions o, MailboxAddress from, IReadOnlyList<OutboxMessage> messages, OutboxResult?[] results,
        int lane, int lanes, CancellationToken ct)
    {
        SmtpClient? client = null;
        try
        {
            for (var i = lane; i < messages.Count; i += lanes)
            {
                var message = messages[i];
                if (!TryReadPayload(message, out var payload, out var refusal))
                {
                    results[i] = refusal;
                    continue;
                }
                if (!MailboxAddress.TryParse(payload.To, out var to))
                {
                    results[i] = OutboxResult.Refused($"'{payload.To}' is not an e-mail address.");
                    continue;
                }
                if (payload.ToName is { Length: > 0 } name)
                {
                    to.Name = name;
                }
                using var mime = Compose(message, payload, from, to);
                if (client is null)
                {
                    client = new SmtpClient { Timeout = Math.Max(1, o.TimeoutSeconds) * 1000 };
                    if (await ConnectAsync(client, o, ct) is { } unreachable)
                    {
                        for (var k = i; k < messages.Count; k += lanes)
                        {
                            results[k] = unreachable;
                        }
                        return;
                    }
                }
                try
                {
                    results[i] = await SendAsync(client, mime, message, payload, o, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    results[i] = OutboxResult.Failed(e.GetType().Name + ": " + e.Message);
                }
                if (!results[i]!.Delivered)
                {
                    // The server may have dropped the conversation: the next message starts a fresh one.
                    await DisconnectQuietlyAsync(client);
                    client.Dispose();
                    client = null;
                }
            }
        }
        finally
        {
            if (client is not null)
            {
                await DisconnectQuietlyAsync(client);
                client.Dispose();
            }
        }
    }

    /// <summary>Connects and authenticates; null when ready, else the failure every message of the connection gets.</summary>
    private static async Task<OutboxResult?> ConnectAsync(SmtpClient client, SmtpOptions o, CancellationToken ct)
    {
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
            return null;
        }
        catch (Exception e) when (Classify(e, o, ct) is { } result)
        {
            await DisconnectQuietlyAsync(client);
            return result;
        }
    }

    private async Task<OutboxResult> SendAsync(SmtpClient client, MimeMessage mime, OutboxMessage message, EmailPayload payload, SmtpOptions o, CancellationToken ct)
    {
        try
        {
            var reply = await client.SendAsync(mime, ct);
            NotificationsLog.EmailSent(log, message.Id, payload.Template, reply);
            return new OutboxResult(true, StatusCode: 250);
        }
        catch (Exception e) when (Classify(e, o, ct) is { } result)
        {
            return result;
        }
    }

    /// <summary>
    /// What an SMTP failure means for the message: a 5xx reply is dead at once with the server's words; a 4xx reply, a
    /// refused or dropped connection, a timeout or failed authentication is retried. Null: not an SMTP failure.
    /// </summary>
    private static OutboxResult? Classify(Exception e, SmtpOptions o, CancellationToken ct) => e switch
    {
        SmtpCommandException c => Replied(c),
        // Wrong credentials are the configuration's fault, not the message's: retried, so fixing them delivers it.
        AuthenticationException => OutboxResult.Failed("SMTP authentication failed: " + e.Message),
        SmtpProtocolException => OutboxResult.Failed("SMTP protocol error (the connection broke off or the server answered out of turn): " + e.Message),
        SocketException => OutboxResult.Failed($"Could not reach the SMTP server {o.Host}:{o.Port}: {e.Message}"),
        TimeoutException or IOException => OutboxResult.Failed($"The SMTP server {o.Host}:{o.Port} timed out or dropped the connection: {e.Message}"),
        OperationCanceledException when !ct.IsCancellationRequested =>
            OutboxResult.Failed($"The SMTP server {o.Host}:{o.Port} timed out or dropped the connection: {e.Message}"),
        _ => null,
    };

    private static OutboxResult Replied(SmtpCommandException e)
    {
        var code = (int)e.StatusCode;
        var error = $"SMTP {code} ({Describe(e.ErrorCode)}): {e.Message}";
        return code >= 500 ? OutboxResult.Refused(error, code) : OutboxResult.Failed(error, code);
    }

    /// <summary>False, with the refusal to record, when the payload is not valid JSON of an e-mail or is empty.</summary>
    private static bool TryReadPayload(OutboxMessage message,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EmailPayload? payload,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out OutboxResult? refusal)
    {
        try
        {
            payload = JsonSerializer.Deserialize<EmailPayload>(message.Payload, ApiJson.Options);
        }
        catch (JsonException e)
        {
            payload = null;
            refusal = OutboxResult.Refused($"The e-mail payload is not valid: {e.Message}");
            return false;
        }
        refusal = payload is null ? OutboxResult.Refused("The e-mail payload is empty.") : null;
        return payload is not null;
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

    /// <summary>The notification's event id (the same kind of id as an outbox message's): unique.</summary>
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
