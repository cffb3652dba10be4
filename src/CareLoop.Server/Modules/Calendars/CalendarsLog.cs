namespace CareLoop.Server.Modules.Calendars;

/// <summary>The calendars module's log messages (source-generated).</summary>
public static partial class CalendarsLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Calendar {Code} created.")]
    public static partial void Created(ILogger logger, string code);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Calendar {Code} replaced (version {Version}).")]
    public static partial void Replaced(ILogger logger, string code, long version);
}
