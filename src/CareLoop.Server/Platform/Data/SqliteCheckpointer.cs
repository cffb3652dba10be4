using System.Runtime.InteropServices;
using CareLoop.Server.Platform.Hosting;
using Microsoft.Data.Sqlite;

namespace CareLoop.Server.Platform.Data;

/// <summary>
/// Copies the SQLite write-ahead log into the database file in the background (a passive checkpoint twice a second),
/// so no committing request pays for it: left to SQLite, the commit that crosses the auto-checkpoint size runs the
/// checkpoint (and its fsync) while every other writer waits. The connections' auto-checkpoint stays as a far
/// backstop should this one fall behind.
/// <para>A passive checkpoint copies the log but never starts it over while readers keep coming, and under steady load
/// they always do: the log then grew to hundreds of megabytes and every page read searched a longer log index. Once the
/// log holds <see cref="RestartFrames"/> frames, the file system is flushed (<see cref="FlushFileSystem"/>) and then a
/// restarting checkpoint holds this process's write gate (writers queue in memory), syncs what is left, waits for the
/// readers still on the log and lets the next write start it from the beginning.</para>
/// </summary>
public sealed partial class SqliteCheckpointer(ServerOptions options, SqliteWriteGate gate, ILogger<SqliteCheckpointer> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>Log frames (pages) after which the log is started over: 16,384 × 4 KB = 64 MB.</summary>
    public const long RestartFrames = 16_384;

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
                    long frames;
                    await using (var reader = await command.ExecuteReaderAsync(stoppingToken))
                    {
                        // (busy, frames in the log, frames copied)
                        frames = await reader.ReadAsync(stoppingToken) ? reader.GetInt64(1) : 0;
                    }
                    if (frames >= RestartFrames)
                    {
                        FlushFileSystem(Path.GetDirectoryName(options.SqlitePath)!);
                        using var held = await gate.HoldAsync(stoppingToken);
                        command.CommandText = "PRAGMA wal_checkpoint(RESTART);";
                        await command.ExecuteNonQueryAsync(stoppingToken);
                    }
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

    /// <summary>
    /// Writes the file system's dirty pages to disk (Linux <c>syncfs</c>), outside the write gate. Passive checkpoints
    /// under load never reach the end of the log, and SQLite syncs the database file only when one does, so the pages
    /// they copied stay dirty until the restarting checkpoint syncs them all while holding the gate (35–70 ms every
    /// second or two at full intake). Flushed first, that sync finds little left. Opening the folder rather than the
    /// database file matters: closing any descriptor of the database file would drop this process's SQLite locks.
    /// </summary>
    private static void FlushFileSystem(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Native.open(folder, Native.ReadOnlyDirectory);
        if (fd < 0)
        {
            return;
        }
        // Best effort: if it fails, the restarting checkpoint syncs the pages itself, as before.
        _ = Native.syncfs(fd);
        _ = Native.close(fd);
    }

    private static class Native
    {
        /// <summary>O_RDONLY | O_DIRECTORY.</summary>
        public const int ReadOnlyDirectory = 0x10000;

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int syncfs(int fd);

        [DllImport("libc")]
        public static extern int close(int fd);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background WAL checkpoint failed; the next one retries.")]
    private partial void CheckpointFailed(Exception error);
}
