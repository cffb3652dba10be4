using System.Globalization;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareLoop.Server.Platform.Audit;

public sealed record AuditEntryResponse(long Id, DateTimeOffset At, string Actor, string Action, string EntityType, string EntityId, string? Changes);

/// <summary>Read access to the append-only audit log (admins), newest first.</summary>
public static class AuditModule
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", List).WithTags("Audit").RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<Results<Ok<Page<AuditEntryResponse>>, ValidationProblem>> List(
        CareLoopDbContext db, string? entityType, string? entityId, string? actor, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var (l, after) = Paging.Read(limit, cursor, errors);
        long? before = null;
        if (after is not null)
        {
            if (long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) before = id;
            else errors.Add("cursor", "is not a cursor this API issued.");
        }
        if (errors.Any) return Problems.Validation(errors);
        var rows = await AuditQueries.PageAsync(db, new AuditFilter(entityType, entityId, actor), before, l, ct);
        return TypedResults.Ok(Paging.ToPage(rows, l, a => a.Id.ToString(CultureInfo.InvariantCulture), a => new AuditEntryResponse(
            a.Id, a.At.AsUtcOffset(), a.Actor, a.Action, a.EntityType, a.EntityId, a.Changes)));
    }
}
