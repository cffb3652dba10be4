using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Auth;

public sealed record ApiKeyBody(string? Name, string? Role, string? Merchant, string? Customer);

public sealed record ApiKeyResponse(
    string KeyId, string Name, string Role, string? Merchant, string? Customer,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>The new key's token is in the answer once; it is never stored or shown again.</summary>
public sealed record CreatedApiKeyResponse(string KeyId, string Name, string Role, string? Merchant, string? Customer, DateTimeOffset CreatedAt, string Key);

/// <summary>Admin API for API keys: list, create (the token is shown once), revoke.</summary>
public static class ApiKeysModule
{
    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/apikeys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapPost("/", Create).Idempotent();
        group.MapDelete("/{keyId}", Revoke);
        return app;
    }

    public static async Task<Results<Ok<Page<ApiKeyResponse>>, ValidationProblem>> List(CareLoopDbContext db, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var (l, after) = Paging.Read(limit, cursor, errors);
        if (errors.Any) return Problems.Validation(errors);
        var q = db.ApiKeys.AsNoTracking().OrderBy(k => k.KeyId).AsQueryable();
        if (after is not null) q = q.Where(k => string.Compare(k.KeyId, after) > 0);
        var rows = await q.Take(l + 1).ToListAsync(ct);
        var names = await ApiKeyRequests.BoundNamesAsync(db, rows, ct);
        return TypedResults.Ok(Paging.ToPage(rows, l, k => k.KeyId, k => ApiKeyRequests.Describe(k, names)));
    }

    public static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem>> Create(
        ApiKeyBody body, CareLoopDbContext db, ApiKeyService keys, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var (merchantId, customerId) = await ApiKeyRequests.ValidateAsync(body, db, errors, ct);
        if (errors.Any) return Problems.Validation(errors);
        var (key, token) = await keys.CreateAsync(body.Name!.Trim(), body.Role!, merchantId, customerId, ct);
        return TypedResults.Created($"/api/v1/apikeys/{key.KeyId}", new CreatedApiKeyResponse(
            key.KeyId, key.Name, key.Role, body.Merchant, body.Customer, key.CreatedAt.AsUtcOffset(), token));
    }

    public static async Task<Results<NoContent, NotFound<ProblemDetails>>> Revoke(string keyId, ApiKeyService keys, CancellationToken ct) =>
        await keys.RevokeAsync(keyId, ct)
            ? TypedResults.NoContent()
            : Problems.NotFound($"No API key '{keyId}'.");

}
