namespace CareLoop.Server.Modules.ServiceDesk;

internal static partial class ServiceDeskLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "SLA alerts on ticket {Number}: {Alerts}")]
    public static partial void AlertsFired(ILogger logger, long number, string alerts);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "SLA scan skipped ticket {TicketId}: another instance changed it ({Reason})")]
    public static partial void ScanConflict(ILogger logger, Guid ticketId, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Service desk seeded: {Policies} SLA policies, calendar {Calendar}")]
    public static partial void Seeded(ILogger logger, int policies, string calendar);
}
