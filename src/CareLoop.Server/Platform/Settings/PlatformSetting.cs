namespace CareLoop.Server.Platform.Settings;

/// <summary>A stored setting value under a dotted key; a key without a row has its registered default.</summary>
public sealed class PlatformSetting
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Keys of the settings the platform registers (definitions and defaults in <see cref="PlatformSettings"/>).</summary>
public static class SettingKeys
{
    /// <summary>Code of the business calendar used when nothing names one (registered by the Calendars module).</summary>
    public const string DefaultCalendar = "platform.defaultCalendar";

    /// <summary>IANA time zone of the platform: quiet hours and daily jobs are in this zone.</summary>
    public const string PlatformTimeZone = "platform.timeZone";

    /// <summary>Time range (<c>22:00-08:00</c>) in the platform time zone when no notifications are sent.</summary>
    public const string NotificationQuietHours = "notifications.quietHours";

    /// <summary>How often the outbox tries to deliver a message before it gives up (1–50).</summary>
    public const string OutboxMaxAttempts = "outbox.maxAttempts";

    /// <summary>Days a delivered outbox message is kept (1–365).</summary>
    public const string OutboxSentRetentionDays = "outbox.sentRetentionDays";

    /// <summary>Hours an uploaded file nothing refers to is kept before it is removed (1–720).</summary>
    public const string FilesOrphanRetentionHours = "files.orphanRetentionHours";
}
