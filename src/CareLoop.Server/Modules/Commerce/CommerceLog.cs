namespace CareLoop.Server.Modules.Commerce;

/// <summary>The commerce module's log messages (source-generated).</summary>
public static partial class CommerceLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Bulk {Kind}: {Created} created, {Updated} updated, {Unchanged} unchanged.")]
    public static partial void BulkApplied(ILogger logger, string kind, int created, int updated, int unchanged);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Tracking events: {Accepted} accepted, {Duplicates} duplicates, {Pending} pending.")]
    public static partial void TrackingEventsIngested(ILogger logger, int accepted, int duplicates, int pending);
}
