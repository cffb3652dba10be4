namespace CareLoop.Server.Platform;

/// <summary>The platform's log messages (source-generated).</summary>
public static partial class PlatformLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Database ready ({Provider}): migrations applied, built-in calendars and roles seeded.")]
    public static partial void DatabaseReady(ILogger logger, string provider);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Demo marketplace loaded: {Orders} orders in {Seconds:0.0} s.")]
    public static partial void DemoLoaded(ILogger logger, int orders, double seconds);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "API key {KeyId} refused: {Reason}.")]
    public static partial void ApiKeyRefused(ILogger logger, string keyId, string reason);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "API key {KeyId} revoked.")]
    public static partial void ApiKeyRevoked(ILogger logger, string keyId);
}
