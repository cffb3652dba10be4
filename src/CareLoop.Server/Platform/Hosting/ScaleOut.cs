using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace CareLoop.Server.Platform.Hosting;

/// <summary>
/// What identical server instances share so any of them can answer any request: the Data Protection key ring (sign-in
/// and antiforgery cookies) in the database, and — when Redis is configured — a SignalR backplane for hub messages.
/// </summary>
public static class ScaleOut
{
    public const string ApplicationName = "CareLoop";
    public const string RedisChannelPrefix = "careloop";
    public const string RedisVariable = "CARELOOP_REDIS";

    /// <summary>Keys live in the <c>data_protection_keys</c> table, under one application name for every instance.</summary>
    public static IServiceCollection AddCareLoopDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<CareLoopDbContext>();
        return services;
    }

    /// <summary>The Redis connection string from <c>Redis:Connection</c> or <c>CARELOOP_REDIS</c>; null when neither is set.</summary>
    public static string? RedisConnection(IConfiguration configuration) =>
        configuration["Redis:Connection"] is { Length: > 0 } configured ? configured
        : Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } env ? env
        : null;

    /// <summary>
    /// With Redis configured, SignalR hub messages (to all clients, groups, users) reach the clients of every instance.
    /// Blazor circuits still need sticky sessions: a circuit lives in one instance's memory.
    /// </summary>
    public static IServiceCollection AddCareLoopSignalR(this IServiceCollection services, IConfiguration configuration)
    {
        if (RedisConnection(configuration) is { } redis)
        {
            services.AddSignalR().AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = RedisChannel.Literal(RedisChannelPrefix));
        }
        return services;
    }
}
