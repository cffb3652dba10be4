using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Api;

/// <summary>
/// Deletes idempotency records older than their 24 h retention, hourly. Safe on several instances at once (the
/// delete is idempotent); a key whose record expired is also reclaimed when it is next used.
/// </summary>
public sealed partial class IdempotencyCleanup(IServiceScopeFactory scopes, TimeProvider clock, ILogger<IdempotencyCleanup> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.IdempotencyRecords.Where(r => r.ExpiresAt < now).ExecuteDeleteAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var removed = await PurgeAsync(stoppingToken);
                    if (removed > 0) Purged(removed);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    PurgeFailed(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} expired idempotency records.")]
    private partial void Purged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing expired idempotency records failed; will retry in an hour.")]
    private partial void PurgeFailed(Exception error);
}
