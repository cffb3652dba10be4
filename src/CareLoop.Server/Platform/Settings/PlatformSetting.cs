namespace CareLoop.Server.Platform.Settings;

/// <summary>A platform-wide setting stored as a string value under a dotted key.</summary>
public sealed class PlatformSetting
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Keys and defaults of the platform settings this foundation defines.</summary>
public static class SettingKeys
{
    public const string DefaultCalendar = "platform.defaultCalendar";
    public const string PlatformTimeZone = "platform.timeZone";

    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>
    {
        [DefaultCalendar] = "cn-mainland",
        [PlatformTimeZone] = "Asia/Shanghai",
    };
}
