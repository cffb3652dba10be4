using System.Globalization;
using System.Security.Claims;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Platform.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CareLoop.Server.Platform.Notifications;

public sealed record NotificationResponse(long Id, string Template, string Title, string Body, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    public static NotificationResponse From(InAppNotification n) =>
        new(n.Id, n.Template, n.Title, n.Body, n.Link, n.CreatedAt.AsUtcOffset(), n.ReadAt.AsUtcOffset());
}

public sealed record UnreadCountResponse(int Count);

public sealed record ReadAllResponse(int Marked);

/// <summary>A template's wording in one language; <c>isDefault</c>: the built-in text (no admin override).</summary>
public sealed record TemplateResponse(string Key, string Language, string Subject, string Body, IReadOnlyList<string> Placeholders,
    bool IsDefault, DateTimeOffset? UpdatedAt, string? UpdatedBy);

public sealed record TemplateBody(string? Subject, string? Body);

public sealed record TestEmailBody(string? To, string? Language);

public sealed record TestEmailResponse(long MessageId, string EventId);

public static class NotificationServices
{
    /// <summary>Registers a template a module sends (its key, placeholders and built-in zh-CN/en wording).</summary>
    public static IServiceCollection AddNotificationTemplate(this IServiceCollection services, NotificationTemplateDefinition definition) =>
        services.AddSingleton(definition);
}

/// <summary>
/// Notifications: the <see cref="Notifier"/> modules call, templates (built-in, overridable by admins), the e-mail and
/// in-app channels behind the outbox, the inbox API of the signed-in caller and an SMTP test for admins.
/// </summary>
public static class NotificationsModule
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection("Smtp"))
            .Validate(o => o.Port is > 0 and < 65536 && o.TimeoutSeconds > 0, "Smtp:Port must be 1–65535 and Smtp:TimeoutSeconds positive.")
            .Validate(o => !o.IsConfigured || MailboxAddress.TryParse(o.From, out _), "Smtp:From must be an e-mail address.")
            .ValidateOnStart();
        services.AddNotificationTemplate(BuiltInTemplates.TestMessage);
        services.AddNotificationTemplate(BuiltInTemplates.TicketCreatedMessage);
        services.AddNotificationTemplate(BuiltInTemplates.RefundPaidMessage);
        services.AddSingleton<NotificationTemplateCatalog>();
        services.AddSingleton<NotificationTemplateStore>();
        services.AddScoped<Notifier>();
        services.AddScoped<IOutboxHandler, EmailDeliveryHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var inbox = app.MapGroup("/api/v1/notifications").WithTags("Notifications").RequireAuthorization(Policies.SignedIn);
        inbox.MapGet("/", List);
        inbox.MapGet("/unread-count", UnreadCount);
        inbox.MapPost("/{id:long}/read", MarkRead);
        inbox.MapPost("/read-all", MarkAllRead);

        var admin = app.MapGroup("/api/v1/notifications").WithTags("Notifications").RequireAuthorization(Policies.Admin);
        admin.MapGet("/templates", ListTemplates);
        admin.MapGet("/templates/{key}/{language}", GetTemplate);
        admin.MapPut("/templates/{key}/{language}", PutTemplate);
        admin.MapDelete("/templates/{key}/{language}", DeleteTemplate);
        admin.MapPost("/test-email", TestEmail);
        return app;
    }

    // ---- The caller's inbox -------------------------------------------------------------------------------------

    /// <summary>The caller's own notifications: a customer-bound caller's customer inbox, a signed-in user's own; API keys of no customer have none.</summary>
    private static IQueryable<InAppNotification> Own(CareLoopDbContext db, ClaimsPrincipal user)
    {
        if (Guid.TryParse(user.FindFirstValue(CareLoopClaims.CustomerId), out var customer))
        {
            return db.InAppNotifications.Where(n => n.CustomerId == customer);
        }
        if (user.FindFirst(CareLoopClaims.ApiKeyId) is null && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            return db.InAppNotifications.Where(n => n.UserId == userId);
        }
        return db.InAppNotifications.Where(n => false);
    }

    public static async Task<Results<Ok<Page<NotificationResponse>>, ValidationProblem>> List(
        CareLoopDbContext db, ClaimsPrincipal user, bool? unread, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var (take, after) = Paging.Read(limit, cursor, errors);
        long? afterId = null;
        if (after is not null)
        {
            if (long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var a)) afterId = a;
            else errors.Add("cursor", "is not a cursor this API issued.");
        }
        if (errors.Any) return Problems.Validation(errors);
        var query = Own(db, user).AsNoTracking();
        if (unread == true) query = query.Where(n => n.ReadAt == null);
        if (afterId is { } id) query = query.Where(n => n.Id < id);
        var rows = await query.OrderByDescending(n => n.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.ToPage(rows, take, n => n.Id.ToString(CultureInfo.InvariantCulture), NotificationResponse.From));
    }

    public static async Task<Ok<UnreadCountResponse>> UnreadCount(CareLoopDbContext db, ClaimsPrincipal user, CancellationToken ct) =>
        TypedResults.Ok(new UnreadCountResponse(await Own(db, user).CountAsync(n => n.ReadAt == null, ct)));

    /// <summary>Marks one of the caller's notifications read (keeps the first read time); another's is 404.</summary>
    public static async Task<Results<Ok<NotificationResponse>, NotFound<ProblemDetails>>> MarkRead(
        long id, CareLoopDbContext db, ClaimsPrincipal user, TimeProvider clock, CancellationToken ct)
    {
        var n = await Own(db, user).SingleOrDefaultAsync(x => x.Id == id, ct);
        if (n is null) return Problems.NotFound($"No notification {id}.");
        if (n.ReadAt is null)
        {
            n.ReadAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(NotificationResponse.From(n));
    }

    public static async Task<Ok<ReadAllResponse>> MarkAllRead(CareLoopDbContext db, ClaimsPrincipal user, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var marked = await Own(db, user).Where(n => n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return TypedResults.Ok(new ReadAllResponse(marked));
    }

    // ---- Templates (admin) ----------------------------------------------------------------------------------------

    public static async Task<Ok<Page<TemplateResponse>>> ListTemplates(CareLoopDbContext db, NotificationTemplateStore store, CancellationToken ct)
    {
        var overrides = await db.NotificationTemplates.AsNoTracking().ToListAsync(ct);
        var items = new List<TemplateResponse>();
        foreach (var d in store.Catalog.All)
        {
            foreach (var language in NotificationLanguages.All)
            {
                if (Describe(d, language, overrides.FirstOrDefault(o => o.Key == d.Key && o.Language == language)) is { } t)
                {
                    items.Add(t);
                }
            }
        }
        return TypedResults.Ok(new Page<TemplateResponse>(items, null));
    }

    public static async Task<Results<Ok<TemplateResponse>, ValidationProblem, NotFound<ProblemDetails>>> GetTemplate(
        string key, string language, CareLoopDbContext db, NotificationTemplateStore store, CancellationToken ct)
    {
        if (store.Catalog.Find(key) is not { } d) return UnknownTemplate(key);
        if (!NotificationLanguages.IsSupported(language)) return BadLanguage();
        var row = await db.NotificationTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Key == key && t.Language == language, ct);
        return Describe(d, language, row) is { } t
            ? TypedResults.Ok(t)
            : Problems.NotFound($"Template '{key}' has no {language} text; the zh-CN text is sent instead.");
    }

    /// <summary>Stores an admin's wording for one language (validated: subject and body, only the template's placeholders).</summary>
    public static async Task<Results<Ok<TemplateResponse>, ValidationProblem, NotFound<ProblemDetails>>> PutTemplate(
        string key, string language, TemplateBody body, CareLoopDbContext db, NotificationTemplateStore store, TimeProvider clock, CancellationToken ct)
    {
        if (store.Catalog.Find(key) is not { } d) return UnknownTemplate(key);
        if (!NotificationLanguages.IsSupported(language)) return BadLanguage();
        var errors = TemplateRenderer.Validate(new TemplateText(body.Subject!, body.Body!), d.Placeholders);
        if (errors.Any) return Problems.Validation(errors);
        // Two first overrides of one template may race to insert the row: the loser updates the winner's.
        for (var attempt = 1; ; attempt++)
        {
            var row = await db.NotificationTemplates.SingleOrDefaultAsync(t => t.Key == key && t.Language == language, ct);
            if (row is null)
            {
                db.NotificationTemplates.Add(row = new NotificationTemplate { Key = key, Language = language });
            }
            row.Subject = body.Subject!.Trim();
            row.Body = body.Body!.Replace("\r\n", "\n", StringComparison.Ordinal);
            row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            row.UpdatedBy = db.ActorName;
            try
            {
                await db.SaveChangesAsync(ct);
                store.Invalidate();
                return TypedResults.Ok(Describe(d, language, row)!);
            }
            catch (DbUpdateException) when (attempt == 1 && db.Entry(row).State == EntityState.Added)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Removes the override of one language: the built-in wording applies again (also 204 when there was none).</summary>
    public static async Task<Results<NoContent, ValidationProblem, NotFound<ProblemDetails>>> DeleteTemplate(
        string key, string language, CareLoopDbContext db, NotificationTemplateStore store, CancellationToken ct)
    {
        if (store.Catalog.Find(key) is null) return UnknownTemplate(key);
        if (!NotificationLanguages.IsSupported(language)) return BadLanguage();
        var row = await db.NotificationTemplates.SingleOrDefaultAsync(t => t.Key == key && t.Language == language, ct);
        if (row is not null)
        {
            db.NotificationTemplates.Remove(row);
            await db.SaveChangesAsync(ct);
            store.Invalidate();
        }
        return TypedResults.NoContent();
    }

    private static TemplateResponse? Describe(NotificationTemplateDefinition d, string language, NotificationTemplate? row) =>
        row is not null
            ? new TemplateResponse(d.Key, language, row.Subject, row.Body, d.Placeholders, false, row.UpdatedAt.AsUtcOffset(), row.UpdatedBy)
            : d.For(language) is { } builtIn
                ? new TemplateResponse(d.Key, language, builtIn.Subject, builtIn.Body, d.Placeholders, true, null, null)
                : null;

    private static NotFound<ProblemDetails> UnknownTemplate(string key) =>
        Problems.NotFound($"No notification template '{key}' (GET /api/v1/notifications/templates lists them).");

    private static ValidationProblem BadLanguage() =>
        Problems.Validation("language", "must be one of: " + string.Join(", ", NotificationLanguages.All) + ".");

    // ---- SMTP test (admin) -----------------------------------------------------------------------------------------

    /// <summary>Queues the <c>test</c> template to an address (transactional: no quiet hours), so an admin can check the SMTP settings.</summary>
    public static async Task<Results<Accepted<TestEmailResponse>, ValidationProblem, ProblemHttpResult>> TestEmail(
        TestEmailBody body, CareLoopDbContext db, Notifier notifier, SettingsStore settings, IOptionsMonitor<SmtpOptions> smtp,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (errors.Required("to", body.To))
        {
            errors.MaxLength("to", body.To, 200);
            if (!MailboxAddress.TryParse(body.To!.Trim(), out var address) || !address.Address.Contains('@', StringComparison.Ordinal))
            {
                errors.Add("to", "is not an e-mail address.");
            }
        }
        if (body.Language is not null && !NotificationLanguages.IsSupported(body.Language))
        {
            errors.Add("language", "must be one of: " + string.Join(", ", NotificationLanguages.All) + ".");
        }
        if (errors.Any) return Problems.Validation(errors);
        if (!smtp.CurrentValue.IsConfigured)
        {
            return Problems.Status(StatusCodes.Status409Conflict, "E-mail is not configured on this server: set Smtp:Host (and Smtp:From, Smtp:Port, Smtp:User, Smtp:Password).");
        }
        var zone = await settings.GetPlatformTimeZoneAsync(ct);
        var sentAt = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
        var outcome = await notifier.NotifyAsync(db, new NotificationRequest(BuiltInTemplates.Test,
            NotificationRecipient.Email(body.To!.Trim(), body.Language ?? NotificationLanguages.Resolve(CultureInfo.CurrentUICulture.Name)),
            NotificationCategory.Transactional,
            new Dictionary<string, string?> { ["sentAt"] = sentAt, ["sentBy"] = db.ActorName })
        {
            Channels = [NotificationChannel.Email],
        }, ct);
        var message = outcome.For(NotificationChannel.Email)?.Message
            ?? throw new InvalidOperationException("The test e-mail was not queued.");
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/v1/outbox/{message.Id}", new TestEmailResponse(message.Id, message.EventId));
    }
}

/// <summary>The notification service's log messages (source-generated).</summary>
public static partial class NotificationsLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Notification {Template} on {Channel} to {Recipient} skipped: {Reason}.")]
    public static partial void Skipped(ILogger logger, string template, NotificationChannel channel, string recipient, string reason);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "E-mail of outbox message {Id} ({Template}) accepted by the SMTP server: {Reply}")]
    public static partial void EmailSent(ILogger logger, long id, string template, string reply);
}
