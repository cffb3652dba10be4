using CareLoop.Server.Platform.Hosting;
using Microsoft.Data.Sqlite;

namespace CareLoop.Server.Platform.Data;

/// <summary>
/// Copies the SQLite write-ahead log into the database file in the background (a passive checkpoint twice a second),
/// so no committing request pays for it: left to SQLite, the commit that crosses the auto-checkpoint size runs the
/// checkpoint (and its fsync) while every other writer waits. The connections' auto-checkpoint stays as a far
/// backstop should this one fall behind.
/// </summary>
public sealed partial class SqliteCheckpointer(ServerOptions options, ILogger<SqliteCheckpointer> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var connection = new SqliteConnection(options.ConnectionString);
                    await connection.OpenAsync(stoppingToken);
                    await using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (SqliteException e)
                {
                    CheckpointFailed(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background WAL checkpoint failed; the next one retries.")]
    private partial void CheckpointFailed(Exception error);
}
