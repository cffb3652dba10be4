using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Webhooks;

public sealed record SubscriptionBody(string? Url, List<string?>? Events, string? Secret, string? Description, bool? Active);

public sealed record SubscriptionResponse(Guid Id, string Url, IReadOnlyList<string> Events, string? Description, bool Active,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static SubscriptionResponse From(WebhookSubscription s) =>
        new(s.Id, s.Url, s.Events, s.Description, s.Active, s.CreatedAt.AsUtcOffset(), s.UpdatedAt.AsUtcOffset());
}

/// <summary>The secret is in the answer to the create call only.</summary>
public sealed record CreatedSubscriptionResponse(Guid Id, string Url, IReadOnlyList<string> Events, string? Description, bool Active,
    DateTimeOffset CreatedAt, string Secret);

public sealed record PingResponse(long MessageId, string EventId);

public static class WebhookServices
{
    /// <summary>Declares an event type integrations may subscribe to.</summary>
    public static IServiceCollection AddWebhookEvent(this IServiceCollection services, string name) =>
        services.AddSingleton(new WebhookEventType(name));
}

/// <summary>Outgoing webhooks: subscriptions, ping, the publisher modules use, and delivery through the outbox.</summary>
public static class WebhooksModule
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddWebhookEvent("ping");
        services.AddSingleton<WebhookSubscriptionCache>();
        services.AddSingleton<WebhookPublisher>();
        services.AddScoped<IOutboxHandler, WebhookDeliveryHandler>();
        services.AddHttpClient(WebhookDeliveryHandler.HttpClientName, c =>
            {
                c.Timeout = TimeSpan.FromSeconds(configuration.GetValue("Webhooks:TimeoutSeconds", 10));
                c.DefaultRequestHeaders.UserAgent.ParseAdd("CareLoop-Webhooks/1");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddCallbacks();
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Integration);
        group.MapGet("/events", (IEnumerable<WebhookEventType> types) =>
            TypedResults.Ok(new Page<string>(types.Select(t => t.Name).Distinct().Order(StringComparer.Ordinal).ToList(), null)));
        group.MapGet("/subscriptions", List);
        group.MapPost("/subscriptions", Create).Idempotent();
        group.MapGet("/subscriptions/{id:guid}", Get);
        group.MapPatch("/subscriptions/{id:guid}", Update);
        group.MapDelete("/subscriptions/{id:guid}", Delete);
        group.MapPost("/subscriptions/{id:guid}/ping", Ping);
        app.MapCallbacks();
        return app;
    }

    public static async Task<Ok<Page<SubscriptionResponse>>> List(CareLoopDbContext db, CancellationToken ct)
    {
        var rows = await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToListAsync(ct);
        return TypedResults.Ok(new Page<SubscriptionResponse>(rows.Select(SubscriptionResponse.From).ToList(), null));
    }

    public static async Task<Results<Ok<SubscriptionResponse>, NotFound<ProblemDetails>>> Get(Guid id, CareLoopDbContext db, CancellationToken ct) =>
        await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } s
            ? TypedResults.Ok(SubscriptionResponse.From(s))
            : Problems.NotFound($"No webhook subscription {id}.");

    public static async Task<Results<Created<CreatedSubscriptionResponse>, ValidationProblem>> Create(
        SubscriptionBody body, CareLoopDbContext db, CallerScope scope, CurrentActor actor, IEnumerable<WebhookEventType> known,
        WebhookSubscriptionCache cache, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var events = Validate(body, errors, known, creating: true);
        if (errors.Any) return Problems.Validation(errors);
        var subscription = new WebhookSubscription
        {
            Url = body.Url!.Trim(),
            Events = events!,
            Secret = string.IsNullOrEmpty(body.Secret) ? WebhookSignature.NewSecret() : body.Secret,
            Description = body.Description?.Trim(),
            Active = body.Active ?? true,
            MerchantId = scope.MerchantId,
            CreatedBy = actor.Name,
        };
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return TypedResults.Created($"/api/v1/webhooks/subscriptions/{subscription.Id}", new CreatedSubscriptionResponse(
            subscription.Id, subscription.Url, subscription.Events, subscription.Description, subscription.Active,
            subscription.CreatedAt.AsUtcOffset(), subscription.Secret));
    }

    public static async Task<Results<Ok<SubscriptionResponse>, ValidationProblem, NotFound<ProblemDetails>>> Update(
        Guid id, SubscriptionBody body, CareLoopDbContext db, IEnumerable<WebhookEventType> known, WebhookSubscriptionCache cache, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null) return Problems.NotFound($"No webhook subscription {id}.");
        var errors = new ValidationErrors();
        var events = Validate(body, errors, known, creating: false);
        if (errors.Any) return Problems.Validation(errors);
        if (body.Url is not null) subscription.Url = body.Url.Trim();
        if (events is not null) subscription.Events = events;
        if (!string.IsNullOrEmpty(body.Secret)) subscription.Secret = body.Secret;
        if (body.Description is not null) subscription.Description = body.Description.Trim();
        if (body.Active is { } active) subscription.Active = active;
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return TypedResults.Ok(SubscriptionResponse.From(subscription));
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> Delete(Guid id, CareLoopDbContext db, WebhookSubscriptionCache cache, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null) return Problems.NotFound($"No webhook subscription {id}.");
        db.WebhookSubscriptions.Remove(subscription);
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return TypedResults.NoContent();
    }

    public static async Task<Results<Accepted<PingResponse>, NotFound<ProblemDetails>>> Ping(
        Guid id, CareLoopDbContext db, WebhookPublisher publisher, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null) return Problems.NotFound($"No webhook subscription {id}.");
        var message = publisher.Ping(db, subscription);
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/v1/outbox/{message.Id}", new PingResponse(message.Id, message.EventId));
    }

    private static List<string>? Validate(SubscriptionBody body, ValidationErrors errors, IEnumerable<WebhookEventType> known, bool creating)
    {
        if (creating) errors.Required("url", body.Url);
        if (!string.IsNullOrWhiteSpace(body.Url))
        {
            if (!Uri.TryCreate(body.Url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                errors.Add("url", "must be an absolute http or https URL.");
            else errors.MaxLength("url", body.Url, 2000);
        }
        if (body.Secret is { Length: > 0 } secret && (secret.Length < 16 || secret.Length > 200))
            errors.Add("secret", "must be 16 to 200 characters (or leave it out to get a generated one).");
        errors.MaxLength("description", body.Description, 500);
        if (body.Events is null)
        {
            if (creating) errors.Add("events", "is required: list the event types to receive, or [\"*\"] for all.");
            return null;
        }
        if (body.Events.Count == 0) errors.Add("events", "must list at least one event type.");
        var names = known.Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < body.Events.Count; i++)
        {
            var e = body.Events[i];
            if (string.IsNullOrWhiteSpace(e)) errors.Add($"events[{i}]", "is empty.");
            else if (e != "*" && !names.Contains(e)) errors.Add($"events[{i}]", $"'{e}' is not an event type (GET /api/v1/webhooks/events lists them).");
        }
        return body.Events.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e!).Distinct(StringComparer.Ordinal).ToList();
    }
}
