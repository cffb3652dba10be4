namespace CareLoop.Server.Platform.Files;

/// <summary>The file service's log messages (source-generated).</summary>
public static partial class FilesLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "File {FileId} stored: {ContentType}, {Size} bytes.")]
    public static partial void Stored(ILogger logger, Guid fileId, string contentType, long size);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Upload refused ({Status}, {Field}): {Reason}")]
    public static partial void Refused(ILogger logger, int status, string field, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "File {FileId}: no content under key {Key} in the file store.")]
    public static partial void ContentMissing(ILogger logger, Guid fileId, string key);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "{Count} unattached files created before {Before:O} deleted.")]
    public static partial void OrphansDeleted(ILogger logger, int count, DateTime before);
}
