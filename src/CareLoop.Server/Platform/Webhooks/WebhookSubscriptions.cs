using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Webhooks;

/// <summary>The result of a create or update: the subscription, or the refusal by field (both null/empty: not found).</summary>
public sealed record SubscriptionChange<T>(T? Subscription, ValidationErrors Errors) where T : class
{
    public bool NotFound => Subscription is null && !Errors.Any;
}

/// <summary>
/// Webhook subscriptions of the caller's scope (a merchant-bound caller sees and changes its own only): listing,
/// create (the secret is returned once), update, delete and ping. Shared by the API and the admin page; every change
/// clears the delivery cache so it takes effect at once on this instance.
/// </summary>
public sealed class WebhookSubscriptions(
    CareLoopDbContext db, CallerScope scope, CurrentActor actor, IEnumerable<WebhookEventType> known,
    WebhookSubscriptionCache cache, WebhookPublisher publisher)
{
    /// <summary>Event types one may subscribe to, sorted; <c>*</c> (all) is allowed besides these.</summary>
    public IReadOnlyList<string> EventTypes() => known.Select(t => t.Name).Distinct().Order(StringComparer.Ordinal).ToList();

    public async Task<IReadOnlyList<SubscriptionResponse>> ListAsync(CancellationToken ct)
    {
        var rows = await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToListAsync(ct);
        return rows.Select(SubscriptionResponse.From).ToList();
    }

    public async Task<SubscriptionResponse?> FindAsync(Guid id, CancellationToken ct) =>
        await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } s ? SubscriptionResponse.From(s) : null;

    /// <summary>Creates a subscription bound to the caller's merchant, if any; the answer carries the secret (generated when none is given).</summary>
    public async Task<SubscriptionChange<CreatedSubscriptionResponse>> CreateAsync(SubscriptionBody body, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var events = Validate(body, errors, creating: true);
        if (errors.Any) return new(null, errors);
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
        return new(new CreatedSubscriptionResponse(subscription.Id, subscription.Url, subscription.Events, subscription.Description,
            subscription.Active, subscription.CreatedAt.AsUtcOffset(), subscription.Secret), errors);
    }

    /// <summary>Changes the given fields (null: unchanged; an empty secret keeps the old one).</summary>
    public async Task<SubscriptionChange<SubscriptionResponse>> UpdateAsync(Guid id, SubscriptionBody body, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var subscription = await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null) return new(null, errors);
        var events = Validate(body, errors, creating: false);
        if (errors.Any) return new(null, errors);
        if (body.Url is not null) subscription.Url = body.Url.Trim();
        if (events is not null) subscription.Events = events;
        if (!string.IsNullOrEmpty(body.Secret)) subscription.Secret = body.Secret;
        if (body.Description is not null) subscription.Description = body.Description.Trim();
        if (body.Active is { } active) subscription.Active = active;
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return new(SubscriptionResponse.From(subscription), errors);
    }

    /// <summary>Deletes a subscription; false when there is none with this id in the caller's scope.</summary>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null) return false;
        db.WebhookSubscriptions.Remove(subscription);
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return true;
    }

    /// <summary>Queues a signed <c>ping</c> to the subscription through the outbox; null when there is none with this id.</summary>
    public async Task<PingResponse?> PingAsync(Guid id, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null) return null;
        var message = publisher.Ping(db, subscription);
        await db.SaveChangesAsync(ct);
        return new PingResponse(message.Id, message.EventId);
    }

    private List<string>? Validate(SubscriptionBody body, ValidationErrors errors, bool creating)
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
