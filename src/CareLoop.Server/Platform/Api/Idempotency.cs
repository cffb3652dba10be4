using System.Security.Claims;
using System.Security.Cryptography;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Api;

/// <summary>Marks a creating POST whose <c>Idempotency-Key</c> is honoured.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class IdempotentAttribute : Attribute;

public static class IdempotencyExtensions
{
    public static TBuilder Idempotent<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IdempotentAttribute());
}

/// <summary>
/// Stores the answer of a creating POST under (caller, key) for 24 h. A replay gets the original status and body;
/// the same key with a different body is a 422; a replay while the first is still running is a 409.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, TimeProvider clock)
{
    public const string Header = "Idempotency-Key";
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public async Task InvokeAsync(HttpContext context, CareLoopDbContext db)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IdempotentAttribute>() is null ||
            !context.Request.Headers.TryGetValue(Header, out var keyValues) ||
            string.IsNullOrWhiteSpace(keyValues.ToString()) ||
            context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }
        var key = keyValues.ToString();
        if (key.Length > 200)
        {
            await Problems.Validation(Header, "must be at most 200 characters.").ExecuteAsync(context);
            return;
        }
        context.Request.EnableBuffering();
        var hash = Convert.ToHexString(await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted));
        context.Request.Body.Position = 0;
        var caller = CallerOf(context.User);
        var now = clock.GetUtcNow().UtcDateTime;

        var record = new IdempotencyRecord
        {
            Caller = caller, Key = key, Method = context.Request.Method, Path = context.Request.Path,
            RequestHash = hash, CreatedAt = now, ExpiresAt = now + Retention,
        };
        if (!await TryClaimAsync(db, record, now, context.RequestAborted))
        {
            var existing = await db.IdempotencyRecords.AsNoTracking()
                .SingleAsync(r => r.Caller == caller && r.Key == key, context.RequestAborted);
            if (existing.RequestHash != hash || existing.Path != record.Path || existing.Method != record.Method)
            {
                await Problems.Status(422, "This Idempotency-Key was already used with a different request.").ExecuteAsync(context);
            }
            else if (existing.StatusCode is null)
            {
                await Problems.Status(409, "A request with this Idempotency-Key is still being processed.").ExecuteAsync(context);
            }
            else
            {
                context.Response.StatusCode = existing.StatusCode.Value;
                if (existing.ContentType is not null) context.Response.ContentType = existing.ContentType;
                if (existing.Location is not null) context.Response.Headers.Location = existing.Location;
                context.Response.Headers["Idempotent-Replayed"] = "true";
                if (existing.Body is { Length: > 0 }) await context.Response.Body.WriteAsync(existing.Body, context.RequestAborted);
            }
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            context.Response.Body = original;
            db.ChangeTracker.Clear();
            var status = context.Response.StatusCode;
            if (completed && status < 500)
            {
                record.StatusCode = status;
                record.ContentType = context.Response.ContentType;
                record.Location = context.Response.Headers.Location.ToString() is { Length: > 0 } l ? l : null;
                record.Body = buffer.ToArray();
                db.IdempotencyRecords.Update(record);
            }
            else
            {
                // A failure does not consume the key: the caller may retry.
                db.IdempotencyRecords.Remove(record);
            }
            await db.SaveChangesAsync(CancellationToken.None);
            buffer.Position = 0;
            await buffer.CopyToAsync(original, CancellationToken.None);
        }
    }

    private static async Task<bool> TryClaimAsync(CareLoopDbContext db, IdempotencyRecord record, DateTime now, CancellationToken ct)
    {
        await db.IdempotencyRecords.Where(r => r.Caller == record.Caller && r.Key == record.Key && r.ExpiresAt < now).ExecuteDeleteAsync(ct);
        if (await db.IdempotencyRecords.AnyAsync(r => r.Caller == record.Caller && r.Key == record.Key, ct))
        {
            return false;
        }
        // Two first deliveries racing each other: the unique index lets exactly one claim the key.
        db.IdempotencyRecords.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    private static string CallerOf(ClaimsPrincipal user) =>
        user.FindFirstValue(CareLoopClaims.ApiKeyId) is { } keyId ? "apikey:" + keyId
        : "user:" + (user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "?");
}
