using System.Security.Claims;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Auth;

public sealed record WhoAmIResponse(string Caller, string? Name, IReadOnlyList<string> Roles, string? Merchant, string? Customer);

/// <summary><c>GET /api/v1/me</c>: who the caller is and what they are bound to, so an integration can check its key.</summary>
public static class WhoAmI
{
    public static IEndpointRouteBuilder MapWhoAmI(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/me", Get).WithTags("Account").RequireAuthorization(Policies.SignedIn);
        return app;
    }

    public static async Task<Ok<WhoAmIResponse>> Get(ClaimsPrincipal user, CareLoopDbContext db, CancellationToken ct)
    {
        var merchantId = Guid.TryParse(user.FindFirstValue(CareLoopClaims.MerchantId), out var m) ? m : (Guid?)null;
        var customerId = Guid.TryParse(user.FindFirstValue(CareLoopClaims.CustomerId), out var c) ? c : (Guid?)null;
        var merchant = merchantId is null ? null : await db.Merchants.Where(x => x.Id == merchantId).Select(x => x.ExternalId).SingleOrDefaultAsync(ct);
        var customer = customerId is null ? null : await db.Customers.Where(x => x.Id == customerId).Select(x => x.ExternalId).SingleOrDefaultAsync(ct);
        var caller = CareLoopClaims.ActorName(user);
        return TypedResults.Ok(new WhoAmIResponse(
            caller, user.FindFirstValue("careloop:display"),
            user.FindAll(ClaimTypes.Role).Select(r => r.Value).ToList(), merchant, customer));
    }
}
