using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace CareLoop.Server.Platform.Auth;

/// <summary>Creates and checks API keys of the form <c>cl_&lt;keyId&gt;_&lt;secret&gt;</c>.</summary>
public static class ApiKeyFormat
{
    public const string Prefix = "cl_";

    public static (string KeyId, string Secret, string Token) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        return (keyId, secret, $"{Prefix}{keyId}_{secret}");
    }

    public static byte[] Hash(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));

    public static bool TryParse(string token, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = token.AsSpan(Prefix.Length);
        var sep = rest.IndexOf('_');
        if (sep <= 0 || sep == rest.Length - 1)
        {
            return false;
        }
        keyId = rest[..sep].ToString();
        secret = rest[(sep + 1)..].ToString();
        return true;
    }
}

public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    CareLoopDbContext db, IMemoryCache cache, TimeProvider clock, IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    /// <summary>How long a key lookup is cached: a revocation takes effect within this time on every instance.</summary>
    private TimeSpan CacheFor => TimeSpan.FromSeconds(configuration.GetValue("Auth:ApiKeyCacheSeconds", 10));

    private sealed record CachedKey(byte[] Hash, string Role, Guid? MerchantId, Guid? CustomerId, Guid? UserId, bool Revoked);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        if (!ApiKeyFormat.TryParse(header["Bearer ".Length..].Trim(), out var keyId, out var secret))
        {
            return AuthenticateResult.Fail("Malformed API key.");
        }
        var key = CacheFor > TimeSpan.Zero
            ? await cache.GetOrCreateAsync("apikey:" + keyId, entry =>
            {
                entry.AbsoluteExpirationRelativeToNow = CacheFor;
                return LoadAsync(keyId);
            })
            : await LoadAsync(keyId);
        if (key is null || key.Revoked || !CryptographicOperations.FixedTimeEquals(key.Hash, ApiKeyFormat.Hash(secret)))
        {
            PlatformLog.ApiKeyRefused(Logger, keyId, key is null ? "unknown key" : key.Revoked ? "revoked" : "wrong secret");
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, "apikey:" + keyId),
            new(ClaimTypes.Name, "apikey:" + keyId),
            new(ClaimTypes.Role, key.Role),
            new(CareLoopClaims.ApiKeyId, keyId),
        };
        if (key.MerchantId is { } m) claims.Add(new Claim(CareLoopClaims.MerchantId, m.ToString()));
        if (key.CustomerId is { } c) claims.Add(new Claim(CareLoopClaims.CustomerId, c.ToString()));
        if (key.UserId is { } u) claims.Add(new Claim(CareLoopClaims.UserId, u.ToString()));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private async Task<CachedKey?> LoadAsync(string keyId)
    {
        var k = await db.ApiKeys.AsNoTracking().Where(x => x.KeyId == keyId)
            .Select(x => new { x.SecretHash, x.Role, x.MerchantId, x.CustomerId, x.UserId, x.RevokedAt })
            .SingleOrDefaultAsync(Context.RequestAborted);
        return k is null ? null : new CachedKey(k.SecretHash, k.Role, k.MerchantId, k.CustomerId, k.UserId, k.RevokedAt is not null && k.RevokedAt <= clock.GetUtcNow().UtcDateTime);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}

/// <summary>Creates API keys (used by the CLI and the admin API). The token is shown once; only its hash is kept.</summary>
public sealed class ApiKeyService(CareLoopDbContext db, TimeProvider clock, ILogger<ApiKeyService> log)
{
    public async Task<(ApiKey Key, string Token)> CreateAsync(string name, string role, Guid? merchantId, Guid? customerId, CancellationToken ct, Guid? userId = null)
    {
        var (keyId, secret, token) = ApiKeyFormat.Generate();
        var key = new ApiKey
        {
            KeyId = keyId, SecretHash = ApiKeyFormat.Hash(secret), Name = name, Role = role,
            MerchantId = merchantId, CustomerId = customerId, UserId = userId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return (key, token);
    }

    /// <summary>Revokes a key; every instance refuses it once its cached lookup expires (Auth:ApiKeyCacheSeconds).</summary>
    public async Task<bool> RevokeAsync(string keyId, CancellationToken ct)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.KeyId == keyId, ct);
        if (key is null)
        {
            return false;
        }
        key.RevokedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        PlatformLog.ApiKeyRevoked(log, keyId);
        return true;
    }
}
