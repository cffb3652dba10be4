using Microsoft.AspNetCore.Identity;

namespace CareLoop.Server.Platform.Auth;

/// <summary>A person who signs in to the UI.</summary>
public sealed class User : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    /// <summary>Set for merchant users: the merchant they act for.</summary>
    public Guid? MerchantId { get; set; }

    /// <summary>Set for customer users: the customer they are.</summary>
    public Guid? CustomerId { get; set; }

    public string? PreferredCulture { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class Role : IdentityRole<Guid>
{
    public Role() { }
    public Role(string name) : base(name) { Id = Guid.CreateVersion7(); }
}

/// <summary>Machine access: <c>cl_&lt;keyId&gt;_&lt;secret&gt;</c>; only a SHA-256 of the secret is stored.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string KeyId { get; set; } = "";
    public byte[] SecretHash { get; set; } = [];
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public Guid? MerchantId { get; set; }
    public Guid? CustomerId { get; set; }

    /// <summary>Set for a personal key: the user it acts for (an agent's own token).</summary>
    public Guid? UserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}
