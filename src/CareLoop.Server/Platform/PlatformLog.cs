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

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Setting {Key} set to '{Value}'.")]
    public static partial void SettingChanged(ILogger logger, string key, string value);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Setting {Key} reset to its default.")]
    public static partial void SettingReset(ILogger logger, string key);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning, Message = "Setting {Key} holds '{Value}', which is no longer valid: the default applies.")]
    public static partial void SettingInvalid(ILogger logger, string key, string value);
}
