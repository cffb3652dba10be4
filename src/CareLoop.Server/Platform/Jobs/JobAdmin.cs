using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Jobs;

/// <summary>Listing jobs and their runs, and starting a run now: shared by the admin API and the admin page.</summary>
public sealed class JobAdmin(JobScheduler scheduler, CareLoopDbContext db)
{
    public bool IsKnown(string name) => scheduler.IsKnown(name);

    /// <summary>Every registered job by name, with its shared state (never run: no state yet) and whether a run is in progress.</summary>
    public async Task<IReadOnlyList<JobResponse>> ListAsync(CancellationToken ct)
    {
        var states = await db.JobStates.AsNoTracking().ToDictionaryAsync(s => s.Name, ct);
        var running = await db.JobRuns.AsNoTracking().Where(r => r.Status == JobRunStatus.Running).Select(r => r.Name).Distinct().ToListAsync(ct);
        return scheduler.Jobs.OrderBy(j => j.Name, StringComparer.Ordinal).Select(j =>
        {
            states.TryGetValue(j.Name, out var s);
            return new JobResponse(j.Name, j.Schedule.Describe(), s?.NextDueAt.AsUtcOffset(), s?.LastStartedAt?.AsUtcOffset(),
                s?.LastFinishedAt?.AsUtcOffset(), s?.LastStatus, s?.LastError, s?.ConsecutiveFailures ?? 0, s?.TotalRuns ?? 0,
                s?.TotalFailures ?? 0, running.Contains(j.Name));
        }).ToList();
    }

    /// <summary>The newest <paramref name="limit"/> runs of a job; null when no job has this name.</summary>
    public async Task<IReadOnlyList<JobRunResponse>?> RunsAsync(string name, int limit, CancellationToken ct)
    {
        if (!scheduler.IsKnown(name)) return null;
        var rows = await db.JobRuns.AsNoTracking().Where(r => r.Name == name).OrderByDescending(r => r.Id).Take(limit).ToListAsync(ct);
        return rows.Select(JobRunResponse.From).ToList();
    }

    /// <summary>Starts a run now on this instance (trigger manual) and returns it as recorded; null when no job has this name.</summary>
    public async Task<JobRunResponse?> RunNowAsync(string name, CancellationToken ct)
    {
        if (await scheduler.RunNowAsync(name, ct) is not { } started) return null;
        var run = await db.JobRuns.AsNoTracking().SingleAsync(r => r.Id == started.RunId, ct);
        return JobRunResponse.From(run);
    }
}
