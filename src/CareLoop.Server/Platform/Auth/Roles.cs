namespace CareLoop.Server.Platform.Auth;

/// <summary>The roles of CareLoop. Merchant and customer principals are bound to one merchant or customer.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Supervisor = "supervisor";
    public const string Agent = "agent";
    public const string Merchant = "merchant";
    public const string Warehouse = "warehouse";
    public const string Technician = "technician";
    public const string Quality = "quality";
    public const string Customer = "customer";
    public const string Integration = "integration";

    public static readonly IReadOnlyList<string> All =
        [Admin, Supervisor, Agent, Merchant, Warehouse, Technician, Quality, Customer, Integration];

    /// <summary>People who work for the platform and see every merchant's records.</summary>
    public static readonly IReadOnlyList<string> Staff = [Admin, Supervisor, Agent, Warehouse, Technician, Quality];

    public static bool IsKnown(string role) => All.Contains(role);
}

/// <summary>Claim types CareLoop adds to principals.</summary>
public static class CareLoopClaims
{
    public const string MerchantId = "careloop:merchant";
    public const string CustomerId = "careloop:customer";
    public const string ApiKeyId = "careloop:apikey";

    /// <summary>The user a personal API key acts for (cookie sign-ins carry the user id as the name identifier).</summary>
    public const string UserId = "careloop:user";

    /// <summary>The signed-in user's id (a person, or a personal API key's user), or null for machine keys.</summary>
    public static Guid? UserIdOf(System.Security.Claims.ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirst(UserId)?.Value, out var bound) ? bound
        : user.FindFirst(ApiKeyId) is null && Guid.TryParse(user.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value, out var id) ? id
        : null;

    /// <summary>How the audit log and <c>/api/v1/me</c> name a caller: <c>apikey:&lt;keyId&gt;</c> or <c>user:&lt;e-mail&gt;</c>.</summary>
    public static string ActorName(System.Security.Claims.ClaimsPrincipal user) =>
        user.FindFirst(ApiKeyId)?.Value is { } keyId ? "apikey:" + keyId
        : "user:" + (user.FindFirst(System.Security.Claims.ClaimTypes.Email)?.Value ?? user.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value);
}

/// <summary>Authorization policy names; every endpoint declares one of these.</summary>
public static class Policies
{
    /// <summary>Any authenticated user or key.</summary>
    public const string SignedIn = "signed-in";
    /// <summary>Shop, payment and carrier systems feeding data, and admins.</summary>
    public const string Integration = "integration";
    /// <summary>Admins and supervisors.</summary>
    public const string Manage = "manage";
    public const string Admin = "admin";
    /// <summary>Platform staff, merchants and customers reading commerce records (scoped to their own).</summary>
    public const string ReadCommerce = "read-commerce";
    /// <summary>People working tickets: admins, supervisors and agents.</summary>
    public const string ServiceDesk = "service-desk";
    /// <summary>Who may open tickets: the desk, integrations (chat, e-mail, social gateways) and customers (their own).</summary>
    public const string SubmitTickets = "submit-tickets";
    /// <summary>Who may read tickets: the desk, integrations, and merchants and customers (their own).</summary>
    public const string ReadTickets = "read-tickets";
}
