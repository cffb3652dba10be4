using System.Globalization;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareLoop.Server.Platform.Outbox;

public sealed record OutboxMessageResponse(
    long Id, string Kind, string Target, string EventId, string EventType, string? AggregateKey, OutboxStatus Status,
    int Attempts, DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? SentAt,
    string? LastError, int? LastStatusCode, string? Payload)
{
    public static OutboxMessageResponse From(OutboxMessage m, bool withPayload) => new(
        m.Id, m.Kind, m.Target, m.EventId, m.EventType, m.AggregateKey, m.Status, m.Attempts, m.CreatedAt.AsUtcOffset(),
        m.NextAttemptAt.AsUtcOffset(), m.LastAttemptAt?.AsUtcOffset(), m.SentAt?.AsUtcOffset(), m.LastError, m.LastStatusCode,
        withPayload ? m.Payload : null);
}

public sealed record OutboxCounts(int Pending, int Retrying, int Sent, int Dead);

/// <summary>The outbox: its dispatcher, handlers of in-process events, and the admin API to see, retry and replay messages.</summary>
public static class OutboxModule
{
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddOptions<OutboxOptions>().BindConfiguration("Outbox")
            .Validate(o => o.PollMilliseconds > 0 && o.Parallelism > 0 && o.BatchSize > 0 && o.MaxBatchSize >= o.BatchSize && o.LeaseSeconds > 0,
                "Outbox options must be positive, and MaxBatchSize at least BatchSize.")
            .ValidateOnStart();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxWriter>();
        services.AddScoped<OutboxAdmin>();
        services.AddSingleton<DomainEventInterceptor>();
        services.AddSingleton<OutboxCommitInterceptor>();
        services.AddScoped<IOutboxHandler, DomainEventHandlerKind>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }

    public static IEndpointRouteBuilder MapOutbox(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/outbox").WithTags("Outbox").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapGet("/counts", Counts);
        group.MapGet("/{id:long}", Get);
        group.MapPost("/{id:long}/retry", Retry);
        return app;
    }

    public static async Task<Results<Ok<Page<OutboxMessageResponse>>, ValidationProblem>> List(
        OutboxAdmin outbox, string? status, string? kind, string? eventType, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var (take, after) = Paging.Read(limit, cursor, errors);
        OutboxStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (ApiJson.TryParseEnum<OutboxStatus>(status, out var s)) wanted = s;
            else errors.Add("status", "must be one of pending, retrying, sent, dead.");
        }
        long? afterId = null;
        if (after is not null)
        {
            if (long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var a)) afterId = a;
            else errors.Add("cursor", "is not a cursor this API issued.");
        }
        if (errors.Any) return Problems.Validation(errors);
        var rows = await outbox.PageAsync(new OutboxFilter(wanted, kind, eventType), afterId, take, ct);
        return TypedResults.Ok(Paging.ToPage(rows, take, m => m.Id.ToString(CultureInfo.InvariantCulture), m => OutboxMessageResponse.From(m, false)));
    }

    public static async Task<Ok<OutboxCounts>> Counts(OutboxAdmin outbox, CancellationToken ct) =>
        TypedResults.Ok(await outbox.CountsAsync(ct));

    public static async Task<Results<Ok<OutboxMessageResponse>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> Get(long id, OutboxAdmin outbox, CancellationToken ct) =>
        await outbox.FindAsync(id, ct) is { } m ? TypedResults.Ok(OutboxMessageResponse.From(m, true)) : Problems.NotFound($"No outbox message {id}.");

    /// <summary>
    /// Retries a retrying or dead message now, or replays a sent one (same event id, so receivers can tell it is a
    /// repeat). A message being delivered right now is not touched (409).
    /// </summary>
    public static async Task<Results<Accepted<OutboxMessageResponse>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>, ProblemHttpResult>> Retry(
        long id, OutboxAdmin outbox, CancellationToken ct)
    {
        var result = await outbox.RetryAsync(id, ct);
        return result.Outcome switch
        {
            OutboxRetryOutcome.NotFound => Problems.NotFound($"No outbox message {id}."),
            OutboxRetryOutcome.Busy => Problems.Status(StatusCodes.Status409Conflict, "The message is being delivered right now; try again in a moment."),
            _ => TypedResults.Accepted($"/api/v1/outbox/{id}", OutboxMessageResponse.From(result.Message!, false)),
        };
    }
}
