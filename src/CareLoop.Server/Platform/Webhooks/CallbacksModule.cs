using System.Globalization;
using System.Text.Json;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Webhooks;

public sealed record CallbackSourceBody(string? Code, CallbackKind? Kind, string? Secret, bool? Active);

public sealed record CallbackSourceResponse(Guid Id, string Code, CallbackKind Kind, bool Active, DateTimeOffset CreatedAt, string? Secret);

public sealed record CallbackResult(string EventId, bool Duplicate, bool Processed, object? Result);

/// <summary>Processes verified callbacks of one source kind, inside the transaction that records the event.</summary>
public interface ICallbackHandler
{
    CallbackKind Kind { get; }

    /// <summary>Handles the envelope's <c>data</c>; throws <see cref="ValidationFailedException"/> for bad data.</summary>
    Task<object?> HandleAsync(CallbackSource source, string eventType, JsonElement data, CancellationToken ct);
}

/// <summary>
/// Incoming callbacks from payment and carrier systems: <c>POST /api/v1/callbacks/{source}</c>, signed the Standard
/// Webhooks way with the source's secret, refused when the timestamp is outside the tolerance, and idempotent by
/// event id (a replay answers 200 with <c>duplicate: true</c> and changes nothing).
/// </summary>
public static class CallbacksModule
{
    public const int MaxBodyBytes = 1024 * 1024;

    public static IServiceCollection AddCallbacks(this IServiceCollection services)
    {
        services.AddScoped<ICallbackHandler, CarrierCallbackHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapCallbacks(this IEndpointRouteBuilder app)
    {
        var sources = app.MapGroup("/api/v1/callbacks/sources").WithTags("Callbacks").RequireAuthorization(Policies.Admin);
        sources.MapGet("/", ListSources);
        sources.MapPost("/", CreateSource).Idempotent();
        sources.MapDelete("/{code}", DeleteSource);
        // Callers prove themselves by the signature, not by an API key.
        app.MapPost("/api/v1/callbacks/{source}", Receive).WithTags("Callbacks").AllowAnonymous()
            .RequireRateLimiting(Hosting.RateLimitPolicies.Public).DisableAntiforgery();
        return app;
    }

    public static async Task<Ok<Page<CallbackSourceResponse>>> ListSources(CareLoopDbContext db, CancellationToken ct)
    {
        var rows = await db.CallbackSources.AsNoTracking().OrderBy(s => s.Code).ToListAsync(ct);
        return TypedResults.Ok(new Page<CallbackSourceResponse>(
            rows.Select(s => new CallbackSourceResponse(s.Id, s.Code, s.Kind, s.Active, s.CreatedAt.AsUtcOffset(), null)).ToList(), null));
    }

    public static async Task<Results<Created<CallbackSourceResponse>, ValidationProblem>> CreateSource(CallbackSourceBody body, CareLoopDbContext db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (errors.Required("code", body.Code))
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(body.Code!, "^[a-z0-9][a-z0-9-]{1,59}$"))
                errors.Add("code", "must be 2 to 60 lowercase letters, digits or dashes.");
            else if (await db.CallbackSources.AnyAsync(s => s.Code == body.Code, ct))
                errors.Add("code", "is already taken.");
        }
        if (body.Kind is null) errors.Add("kind", "is required (carrier or payment).");
        if (body.Secret is { Length: > 0 } secret && (secret.Length < 16 || secret.Length > 200))
            errors.Add("secret", "must be 16 to 200 characters (or leave it out to get a generated one).");
        if (errors.Any) return Problems.Validation(errors);
        var source = new CallbackSource
        {
            Code = body.Code!, Kind = body.Kind!.Value, Active = body.Active ?? true,
            Secret = string.IsNullOrEmpty(body.Secret) ? WebhookSignature.NewSecret() : body.Secret,
        };
        db.CallbackSources.Add(source);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/callbacks/sources/{source.Code}",
            new CallbackSourceResponse(source.Id, source.Code, source.Kind, source.Active, source.CreatedAt.AsUtcOffset(), source.Secret));
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> DeleteSource(string code, CareLoopDbContext db, CancellationToken ct)
    {
        var source = await db.CallbackSources.SingleOrDefaultAsync(s => s.Code == code, ct);
        if (source is null) return Problems.NotFound($"No callback source '{code}'.");
        db.CallbackSources.Remove(source);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    public static async Task<IResult> Receive(string source, HttpRequest request, CareLoopDbContext db, TimeProvider clock,
        IConfiguration configuration, IEnumerable<ICallbackHandler> handlers, CancellationToken ct)
    {
        var from = await db.CallbackSources.AsNoTracking().SingleOrDefaultAsync(s => s.Code == source && s.Active, ct);
        if (from is null) return Problems.NotFound($"No active callback source '{source}'.");

        var id = request.Headers[WebhookSignature.IdHeader].ToString();
        var timestampText = request.Headers[WebhookSignature.TimestampHeader].ToString();
        var signature = request.Headers[WebhookSignature.SignatureHeader].ToString();
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(id) || id.Length > 200) errors.Add(WebhookSignature.IdHeader, "header is required (at most 200 characters).");
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
            errors.Add(WebhookSignature.TimestampHeader, "header is required: seconds since 1970-01-01T00:00:00Z.");
        if (string.IsNullOrEmpty(signature)) errors.Add(WebhookSignature.SignatureHeader, "header is required: v1,<base64 signature>.");
        if (errors.Any) return Problems.Validation(errors);

        var tolerance = configuration.GetValue("Callbacks:ToleranceSeconds", 300);
        var now = clock.GetUtcNow();
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance)
        {
            return Problems.Validation(WebhookSignature.TimestampHeader,
                $"is more than {tolerance} s away from the server's time ({now:o}); the callback is refused as stale or replayed.");
        }
        var body = await ReadBodyAsync(request, ct);
        if (body is null) return Problems.Status(StatusCodes.Status413PayloadTooLarge, $"A callback body may be at most {MaxBodyBytes} bytes.");
        if (!WebhookSignature.Verify(from.Secret, id, timestamp, body, signature))
        {
            return Problems.Status(StatusCodes.Status401Unauthorized, "The webhook-signature does not match the body signed with this source's secret.");
        }
        if (await db.InboundEvents.AnyAsync(e => e.Source == from.Code && e.EventId == id, ct))
        {
            return TypedResults.Ok(new CallbackResult(id, true, false, null));
        }

        string type;
        JsonElement data;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
                return Problems.Validation("type", "is required: the event type, e.g. tracking.events.");
            type = t.GetString()!;
            data = root.TryGetProperty("data", out var d) ? d.Clone() : default;
        }
        catch (JsonException e)
        {
            return Problems.Validation("$", "is not valid JSON: " + e.Message);
        }

        var handler = handlers.FirstOrDefault(h => h.Kind == from.Kind);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.InboundEvents.Add(new InboundEvent
        {
            Source = from.Code, EventId = id, EventType = type, Payload = System.Text.Encoding.UTF8.GetString(body),
            ReceivedAt = now.UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same event arrived at the same moment through another request: that one processes it.
            return TypedResults.Ok(new CallbackResult(id, true, false, null));
        }
        var result = handler is null ? null : await handler.HandleAsync(from, type, data, ct);
        await tx.CommitAsync(ct);
        return handler is null
            ? TypedResults.Accepted((string?)null, new CallbackResult(id, false, false, null))
            : TypedResults.Ok(new CallbackResult(id, false, true, result));
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }
}

/// <summary>Carrier callbacks: <c>{ "type": "tracking.events", "data": { "events": [ … ] } }</c> feeds the same intake as <c>POST /api/v1/tracking-events</c>.</summary>
public sealed class CarrierCallbackHandler(Modules.Commerce.IngestTrackingEvents ingest) : ICallbackHandler
{
    public CallbackKind Kind => CallbackKind.Carrier;

    public async Task<object?> HandleAsync(CallbackSource source, string eventType, JsonElement data, CancellationToken ct)
    {
        if (eventType != "tracking.events")
        {
            throw Invalid("type", $"'{eventType}' is not a carrier event this server takes (tracking.events).");
        }
        if (data.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("data", "is required: { \"events\": [ … ] }.");
        }
        Modules.Commerce.TrackingEventsRequest request;
        try
        {
            request = data.Deserialize<Modules.Commerce.TrackingEventsRequest>(ApiJson.Options)!;
        }
        catch (JsonException e)
        {
            throw Invalid("data" + (e.Path is { Length: > 1 } p ? p[1..] : ""), "has a value of the wrong type or an unknown name.");
        }
        return await ingest.HandleAsync(request, ct);
    }

    private static ValidationFailedException Invalid(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return new ValidationFailedException(errors);
    }
}
