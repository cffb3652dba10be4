using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
        services.AddScoped<WebhookSubscriptions>();
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
        group.MapGet("/events", (WebhookSubscriptions subscriptions) => TypedResults.Ok(new Page<string>(subscriptions.EventTypes(), null)));
        group.MapGet("/subscriptions", List);
        group.MapPost("/subscriptions", Create).Idempotent();
        group.MapGet("/subscriptions/{id:guid}", Get);
        group.MapPatch("/subscriptions/{id:guid}", Update);
        group.MapDelete("/subscriptions/{id:guid}", Delete);
        group.MapPost("/subscriptions/{id:guid}/ping", Ping);
        app.MapCallbacks();
        return app;
    }

    public static async Task<Ok<Page<SubscriptionResponse>>> List(WebhookSubscriptions subscriptions, CancellationToken ct) =>
        TypedResults.Ok(new Page<SubscriptionResponse>(await subscriptions.ListAsync(ct), null));

    public static async Task<Results<Ok<SubscriptionResponse>, NotFound<ProblemDetails>>> Get(Guid id, WebhookSubscriptions subscriptions, CancellationToken ct) =>
        await subscriptions.FindAsync(id, ct) is { } s ? TypedResults.Ok(s) : Problems.NotFound($"No webhook subscription {id}.");

    public static async Task<Results<Created<CreatedSubscriptionResponse>, ValidationProblem>> Create(
        SubscriptionBody body, WebhookSubscriptions subscriptions, CancellationToken ct)
    {
        var result = await subscriptions.CreateAsync(body, ct);
        return result.Subscription is { } created
            ? TypedResults.Created($"/api/v1/webhooks/subscriptions/{created.Id}", created)
            : Problems.Validation(result.Errors);
    }

    public static async Task<Results<Ok<SubscriptionResponse>, ValidationProblem, NotFound<ProblemDetails>>> Update(
        Guid id, SubscriptionBody body, WebhookSubscriptions subscriptions, CancellationToken ct)
    {
        var result = await subscriptions.UpdateAsync(id, body, ct);
        if (result.NotFound) return Problems.NotFound($"No webhook subscription {id}.");
        return result.Subscription is { } updated ? TypedResults.Ok(updated) : Problems.Validation(result.Errors);
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> Delete(Guid id, WebhookSubscriptions subscriptions, CancellationToken ct) =>
        await subscriptions.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"No webhook subscription {id}.");

    public static async Task<Results<Accepted<PingResponse>, NotFound<ProblemDetails>>> Ping(Guid id, WebhookSubscriptions subscriptions, CancellationToken ct) =>
        await subscriptions.PingAsync(id, ct) is { } ping
            ? TypedResults.Accepted($"/api/v1/outbox/{ping.MessageId}", ping)
            : Problems.NotFound($"No webhook subscription {id}.");
}
