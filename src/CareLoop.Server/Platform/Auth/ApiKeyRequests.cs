using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Auth;

/// <summary>The rules for a new API key, shared by the admin API and the admin page.</summary>
public static class ApiKeyRequests
{
    public const int MaxNameLength = 200;

    /// <summary>True when a key of <paramref name="role"/> may be bound to a merchant (required for merchant, optional for integration).</summary>
    public static bool TakesMerchant(string? role) => role is Roles.Merchant or Roles.Integration;

    /// <summary>True when a key of <paramref name="role"/> must be bound to a customer.</summary>
    public static bool TakesCustomer(string? role) => role == Roles.Customer;

    /// <summary>
    /// Checks name, role and the bound merchant or customer (by external id), adding errors keyed by field
    /// (<c>name</c>, <c>role</c>, <c>merchant</c>, <c>customer</c>). Returns the ids of the bound merchant and customer.
    /// </summary>
    public static async Task<(Guid? MerchantId, Guid? CustomerId)> ValidateAsync(
        ApiKeyBody body, CareLoopDbContext db, ValidationErrors errors, CancellationToken ct)
    {
        if (errors.Required("name", body.Name)) errors.MaxLength("name", body.Name, MaxNameLength);
        if (errors.Required("role", body.Role) && !Roles.IsKnown(body.Role!))
        {
            errors.Add("role", "must be one of " + string.Join(", ", Roles.All) + ".");
        }
        Guid? merchantId = null, customerId = null;
        if (body.Merchant is not null)
        {
            merchantId = await db.Merchants.Where(m => m.ExternalId == body.Merchant).Select(m => (Guid?)m.Id).SingleOrDefaultAsync(ct);
            if (merchantId is null) errors.Add("merchant", $"no merchant with external id '{body.Merchant}'.");
            else if (!TakesMerchant(body.Role)) errors.Add("merchant", "only applies to roles merchant and integration.");
        }
        else if (body.Role == Roles.Merchant)
        {
            errors.Add("merchant", "is required for role merchant.");
        }
        if (body.Customer is not null)
        {
            customerId = await db.Customers.Where(c => c.ExternalId == body.Customer).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
            if (customerId is null) errors.Add("customer", $"no customer with external id '{body.Customer}'.");
            else if (!TakesCustomer(body.Role)) errors.Add("customer", "only applies to role customer.");
        }
        else if (TakesCustomer(body.Role))
        {
            errors.Add("customer", "is required for role customer.");
        }
        return (merchantId, customerId);
    }

    /// <summary>A key as the API and the admin page show it (never its secret).</summary>
    public static ApiKeyResponse Describe(ApiKey k, (Dictionary<Guid, string> Merchants, Dictionary<Guid, string> Customers) names) => new(
        k.KeyId, k.Name, k.Role,
        k.MerchantId is { } m ? names.Merchants.GetValueOrDefault(m) : null,
        k.CustomerId is { } c ? names.Customers.GetValueOrDefault(c) : null,
        k.CreatedAt.AsUtcOffset(), ((DateTime?)k.RevokedAt).AsUtcOffset());

    /// <summary>External ids of the merchants and customers the given keys are bound to.</summary>
    public static async Task<(Dictionary<Guid, string> Merchants, Dictionary<Guid, string> Customers)> BoundNamesAsync(
        CareLoopDbContext db, IReadOnlyCollection<ApiKey> keys, CancellationToken ct)
    {
        var merchantIds = keys.Where(k => k.MerchantId != null).Select(k => k.MerchantId!.Value).Distinct().ToList();
        var customerIds = keys.Where(k => k.CustomerId != null).Select(k => k.CustomerId!.Value).Distinct().ToList();
        var merchants = await db.Merchants.Where(m => merchantIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.ExternalId, ct);
        var customers = await db.Customers.Where(c => customerIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.ExternalId, ct);
        return (merchants, customers);
    }
}
