using System.Globalization;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

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
            .Validate(o => o.PollMilliseconds > 0 && o.Parallelism > 0 && o.BatchSize > 0 && o.LeaseSeconds > 0,
                "Outbox options must be positive.")
            .ValidateOnStart();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxWriter>();
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
        CareLoopDbContext db, string? status, string? kind, string? eventType, int? limit, string? cursor, CancellationToken ct)
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
        var query = db.OutboxMessages.AsNoTracking();
        if (wanted is { } w) query = query.Where(m => m.Status == w);
        if (!string.IsNullOrEmpty(kind)) query = query.Where(m => m.Kind == kind);
        if (!string.IsNullOrEmpty(eventType)) query = query.Where(m => m.EventType == eventType);
        if (afterId is { } id) query = query.Where(m => m.Id < id);
        var rows = await query.OrderByDescending(m => m.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.ToPage(rows, take, m => m.Id.ToString(CultureInfo.InvariantCulture), m => OutboxMessageResponse.From(m, false)));
    }

    public static async Task<Ok<OutboxCounts>> Counts(CareLoopDbContext db, CancellationToken ct)
    {
        var counts = await db.OutboxMessages.GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        int Of(OutboxStatus s) => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0;
        return TypedResults.Ok(new OutboxCounts(Of(OutboxStatus.Pending), Of(OutboxStatus.Retrying), Of(OutboxStatus.Sent), Of(OutboxStatus.Dead)));
    }

    public static async Task<Results<Ok<OutboxMessageResponse>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>>> Get(long id, CareLoopDbContext db, CancellationToken ct)
    {
        var m = await db.OutboxMessages.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        return m is null ? Problems.NotFound($"No outbox message {id}.") : TypedResults.Ok(OutboxMessageResponse.From(m, true));
    }

    /// <summary>
    /// Retries a retrying or dead message now, or replays a sent one (same event id, so receivers can tell it is a
    /// repeat). A message being delivered right now is not touched (409).
    /// </summary>
    public static async Task<Results<Accepted<OutboxMessageResponse>, NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails>, ProblemHttpResult>> Retry(
        long id, CareLoopDbContext db, TimeProvider clock, OutboxSignal signal, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.OutboxMessages
            .Where(m => m.Id == id && (m.LockedUntil == null || m.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, OutboxStatus.Pending).SetProperty(m => m.NextAttemptAt, now)
                .SetProperty(m => m.Attempts, 0).SetProperty(m => m.SentAt, (DateTime?)null), ct);
        var m = await db.OutboxMessages.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (m is null) return Problems.NotFound($"No outbox message {id}.");
        if (changed == 0) return Problems.Status(StatusCodes.Status409Conflict, "The message is being delivered right now; try again in a moment.");
        signal.Notify();
        return TypedResults.Accepted($"/api/v1/outbox/{id}", OutboxMessageResponse.From(m, false));
    }
}
