using CareLoop.Domain.Common;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Commerce;

/// <summary>The integration record kinds, one instance each.</summary>
public static class CommerceKinds
{
    public static MerchantUpsert Merchants { get; } = new();
    public static SupplierUpsert Suppliers { get; } = new();
    public static CategoryUpsert Categories { get; } = new();
    public static ProductUpsert Products { get; } = new();
    public static LotUpsert Lots { get; } = new();
    public static CustomerUpsert Customers { get; } = new();
    public static OrderUpsert Orders { get; } = new();
    public static ShipmentUpsert Shipments { get; } = new();

    public static IReadOnlyList<IUpsertKind> All { get; } = [Merchants, Suppliers, Categories, Products, Lots, Customers, Orders, Shipments];
}

public sealed record BulkRequest<TDto>(IReadOnlyList<TDto?>? Items);

/// <summary>Commerce core: merchants, suppliers, categories, products, lots, customers, orders, shipments, tracking.</summary>
public static class CommerceModule
{
    public const int MaxBulkItems = 1000;

    public static IServiceCollection AddCommerce(this IServiceCollection services)
    {
        services.AddScoped<OrderQueries>();
        services.AddSingleton<CustomerCache>();
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.ISaveChangesInterceptor>(sp => sp.GetRequiredService<CustomerCache>());
        services.AddScoped<UpsertRunner>();
        services.AddScoped<IngestTrackingEvents>();
        services.AddScoped<Platform.Files.IFileRecordAccess, OrderFileAccess>();
        return services;
    }

    public static IEndpointRouteBuilder MapCommerce(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Commerce");
        // Merchants, suppliers and categories are shared by the whole platform: a merchant-bound key may not write them.
        MapKind(api, CommerceKinds.Merchants, readable: true, platformWide: true);
        MapKind(api, CommerceKinds.Suppliers, readable: true, platformWide: true);
        MapKind(api, CommerceKinds.Categories, readable: true, platformWide: true);
        MapKind(api, CommerceKinds.Products, readable: true);
        MapKind(api, CommerceKinds.Lots, readable: true);
        MapKind(api, CommerceKinds.Customers, readable: true);
        MapKind(api, CommerceKinds.Orders, readable: false);
        MapKind(api, CommerceKinds.Shipments, readable: true);
        api.MapGet("/orders/{number}", GetOrder).RequireAuthorization(Policies.ReadCommerce);
        api.MapGet("/orders", SearchOrders).RequireAuthorization(Policies.ReadCommerce);
        // Carriers are platform-wide integrations: a merchant-bound key may not move parcels.
        api.MapPost("/tracking-events", PostTrackingEvents).RequireAuthorization(Policies.Integration).Idempotent()
            .AddEndpointFilter(RefuseMerchantBound);
        return app;
    }

    private static void MapKind<TEntity, TDto>(RouteGroupBuilder api, UpsertKind<TEntity, TDto> kind, bool readable, bool platformWide = false)
        where TEntity : ExternalEntity, new()
        where TDto : class, IExternalDto
    {
        var put = api.MapPut($"/{kind.Name}/{{externalId}}",
                (string externalId, TDto body, UpsertRunner runner, CareLoopDbContext db, HttpContext http, CancellationToken ct) =>
                    Put(kind, externalId, body, runner, db, http, ct))
            .RequireAuthorization(Policies.Integration);
        var bulk = api.MapPost($"/{kind.Name}/bulk",
                (BulkRequest<TDto> body, UpsertRunner runner, CareLoopDbContext db, ILogger<UpsertRunner> log, CancellationToken ct) => Bulk(kind, body, runner, db, log, ct))
            .RequireAuthorization(Policies.Integration).Idempotent();
        if (platformWide)
        {
            put.AddEndpointFilter(RefuseMerchantBound);
            bulk.AddEndpointFilter(RefuseMerchantBound);
        }
        if (readable)
        {
            api.MapGet($"/{kind.Name}/{{externalId}}",
                    (string externalId, CareLoopDbContext db, HttpContext http, CancellationToken ct) => Get(kind, externalId, db, http, ct))
                .RequireAuthorization(Policies.ReadCommerce);
        }
    }

    /// <summary>Platform-wide records are written only by callers not bound to one merchant.</summary>
    private static async ValueTask<object?> RefuseMerchantBound(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.User.HasClaim(c => c.Type == CareLoopClaims.MerchantId)
            ? TypedResults.Problem(statusCode: 403, detail: "A key bound to a merchant may not change platform-wide records.")
            : await next(context);

    public static async Task<Results<Created<TDto>, Ok<TDto>, ValidationProblem, ProblemHttpResult>> Put<TEntity, TDto>(
        UpsertKind<TEntity, TDto> kind, string externalId, TDto body, UpsertRunner runner, CareLoopDbContext db, HttpContext http, CancellationToken ct)
        where TEntity : ExternalEntity, new()
        where TDto : class, IExternalDto
    {
        if (externalId.Length > UpsertRunner.MaxExternalIdLength)
        {
            return Problems.Validation("externalId", $"must be at most {UpsertRunner.MaxExternalIdLength} characters.");
        }
        if (body.ExternalId is not null && body.ExternalId != externalId)
        {
            return Problems.Validation("externalId", "must match the external id in the path.");
        }
        var ifMatch = http.Request.Headers.IfMatch;
        if (!Microsoft.Extensions.Primitives.StringValues.IsNullOrEmpty(ifMatch))
        {
            var version = await db.Set<TEntity>().Where(e => e.ExternalId == externalId)
                .Select(e => (long?)e.Version).SingleOrDefaultAsync(ct);
            if (version is null || !ETags.Matches(ifMatch, version.Value))
            {
                return Problems.Status(412, $"If-Match does not name the {kind.Label}'s current version.");
            }
        }
        var errors = new ValidationErrors();
        var refs = new RefCache(db);
        var applied = await runner.ApplyAsync(kind, [new UpsertItem<TDto>(externalId, body, "")], errors, ct, refs);
        if (errors.Any)
        {
            db.ChangeTracker.Clear();
            return Problems.Validation(errors);
        }
        if (await SaveAsync(db, ct) is { } conflict)
        {
            return conflict;
        }
        var a = applied[0];
        var dto = await kind.ToDtoAsync(a.Entity, refs, ct);
        ETags.Set(http, a.Entity.Version);
        return a.Outcome == UpsertOutcome.Created
            ? TypedResults.Created($"/api/v1/{kind.Name}/{Uri.EscapeDataString(externalId)}", dto)
            : TypedResults.Ok(dto);
    }

    public static async Task<Results<Ok<BulkResult>, ValidationProblem, ProblemHttpResult>> Bulk<TEntity, TDto>(
        UpsertKind<TEntity, TDto> kind, BulkRequest<TDto> body, UpsertRunner runner, CareLoopDbContext db, ILogger log, CancellationToken ct)
        where TEntity : ExternalEntity, new()
        where TDto : class, IExternalDto
    {
        if (body.Items is null)
        {
            return Problems.Validation("items", "is required.");
        }
        if (body.Items.Count > MaxBulkItems)
        {
            return Problems.Validation("items", $"must hold at most {MaxBulkItems} items.");
        }
        var errors = new ValidationErrors();
        var items = body.Items.Select((d, i) => new UpsertItem<TDto>(d?.ExternalId, d, $"items[{i}].")).ToList();
        var applied = await runner.ApplyAsync(kind, items, errors, ct);
        if (errors.Any)
        {
            db.ChangeTracker.Clear();
            return Problems.Validation(errors);
        }
        // One SaveChanges: one transaction, all or nothing.
        if (await SaveAsync(db, ct) is { } conflict)
        {
            return conflict;
        }
        var result = UpsertRunner.Count(applied);
        CommerceLog.BulkApplied(log, kind.Name, result.Created, result.Updated, result.Unchanged);
        return TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<TDto>, NotFound<ProblemDetails>>> Get<TEntity, TDto>(
        UpsertKind<TEntity, TDto> kind, string externalId, CareLoopDbContext db, HttpContext http, CancellationToken ct)
        where TEntity : ExternalEntity, new()
        where TDto : class, IExternalDto
    {
        // Query filters apply: a merchant or customer only finds their own records; anything else is a 404.
        var entity = await kind.Existing(db).AsNoTracking().SingleOrDefaultAsync(e => e.ExternalId == externalId, ct);
        if (entity is null)
        {
            return NotFound(kind.Label, externalId);
        }
        ETags.Set(http, entity.Version);
        return TypedResults.Ok(await kind.ToDtoAsync(entity, new RefCache(db), ct));
    }

    public static async Task<Results<Ok<OrderDetail>, NotFound<ProblemDetails>>> GetOrder(
        string number, OrderQueries orders, HttpContext http, CancellationToken ct)
    {
        var detail = await orders.GetDetailAsync(number, ct);
        if (detail is null)
        {
            return NotFound("order", number);
        }
        ETags.Set(http, detail.Version);
        return TypedResults.Ok(detail);
    }

    /// <summary>Orders by exact number or by the customer's phone, newest first, in cursor pages.</summary>
    public static async Task<Results<Ok<Page<OrderSummary>>, ValidationProblem>> SearchOrders(
        string? number, string? phone, int? limit, string? cursor, OrderQueries orders, CareLoopDbContext db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var (l, after) = Paging.Read(limit, cursor, errors);
        OrderQueries.SearchPosition? position = null;
        if (after is not null)
        {
            // Cursor: "<paid-at ticks>|<order number>" of the previous page's last order.
            var parts = after.Split('|', 2);
            if (parts.Length == 2 && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                && ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks)
            {
                position = new OrderQueries.SearchPosition(new DateTime(ticks, DateTimeKind.Utc), parts[1]);
            }
            else
            {
                errors.Add("cursor", "is not a cursor this API issued.");
            }
        }
        if (string.IsNullOrWhiteSpace(number) && string.IsNullOrWhiteSpace(phone))
        {
            errors.Add("number", "number or phone is required.");
        }
        if (errors.Any)
        {
            return Problems.Validation(errors);
        }
        var term = (string.IsNullOrWhiteSpace(number) ? phone! : number).Trim();
        // SearchAsync keeps the caller's row-level filters: a merchant or customer only finds their own orders.
        var byNumber = !string.IsNullOrWhiteSpace(number);
        var rows = await orders.SearchAsync(term, l + 1, ct, byNumber: byNumber, byPhone: !byNumber, after: position);
        var page = rows.Take(l).ToList();
        var next = rows.Count > l
            ? Paging.Encode(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{(page[^1].PaidAt?.UtcDateTime ?? OrderQueries.Unpaid).Ticks}|{page[^1].Number}"))
            : null;
        return TypedResults.Ok(new Page<OrderSummary>(page, next));
    }

    public static async Task<Results<Ok<TrackingEventsResult>, Accepted<TrackingEventsResult>, ProblemHttpResult>> PostTrackingEvents(
        TrackingEventsRequest body, IngestTrackingEvents ingest, CancellationToken ct)
    {
        try
        {
            var result = await ingest.HandleAsync(body, ct);
            return result.Pending > 0 ? TypedResults.Accepted((string?)null, result) : TypedResults.Ok(result);
        }
        catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException)
        {
            return Problems.Status(409, "A record with one of these external ids already exists: stored by a concurrent request (retry), or outside this caller's reach.");
        }
    }

    /// <summary>Saves; a unique-key clash with a concurrent writer is a 409 the caller may retry.</summary>
    private static async Task<ProblemHttpResult?> SaveAsync(CareLoopDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Problems.Status(409, "A record with one of these external ids already exists: stored by a concurrent request (retry), or outside this caller's reach.");
        }
    }

    private static NotFound<ProblemDetails> NotFound(string label, string id) => Problems.NotFound($"No {label} '{id}'.");
}
