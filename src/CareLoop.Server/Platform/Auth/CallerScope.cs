using System.Security.Claims;

namespace CareLoop.Server.Platform.Auth;

/// <summary>
/// Who is calling, as far as row-level isolation cares: set once per request from the principal and read by the
/// DbContext's query filters. Unbound callers (staff, integrations, the CLI) see everything.
/// </summary>
public sealed class CallerScope
{
    public Guid? MerchantId { get; private set; }
    public Guid? CustomerId { get; private set; }

    public void BindTo(ClaimsPrincipal principal)
    {
        if (principal.IsInRole(Roles.Merchant))
        {
            MerchantId = ReadGuid(principal, CareLoopClaims.MerchantId) ?? Guid.Empty;
        }
        else if (principal.IsInRole(Roles.Customer))
        {
            CustomerId = ReadGuid(principal, CareLoopClaims.CustomerId) ?? Guid.Empty;
        }
        else if (ReadGuid(principal, CareLoopClaims.MerchantId) is { } merchant)
        {
            // Merchant-bound integration keys are confined to their merchant too.
            MerchantId = merchant;
        }
    }

    private static Guid? ReadGuid(ClaimsPrincipal principal, string type) =>
        Guid.TryParse(principal.FindFirstValue(type), out var id) ? id : null;
}
