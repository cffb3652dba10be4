using System.Collections.Concurrent;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CareLoop.Server.Platform.Jobs;

/// <summary>Scheduler options (<c>Jobs:*</c> configuration).</summary>
public sealed class JobOptions
{
    /// <summary>False: this instance runs no scheduled jobs (manual runs still work).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the scheduler looks for due jobs (real time; "due" is judged by the app's clock).</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>How long a run is reserved for its instance without renewal before another instance takes it over.</summary>
    public int LeaseSeconds { get; set; } = 300;
}

/// <summary>
/// Runs every registered <see cref="IScheduledJob"/> once per due instant across all instances sharing the database.
/// An instance claims a due instant by moving the job's <c>NextDueAt</c> from that instant to the following one with a
/// compare-and-set update (only one update can match), then records a run row (unique per job and due instant) with a
/// lease it renews while running. A run whose lease lapses (its instance died) is taken over and run again.
/// See docs/adr/0008-jobs-with-database-leases.md.
/// </summary>
public sealed partial class JobScheduler(
    IServiceScopeFactory scopes, TimeProvider clock, IOptionsMonitor<JobOptions> options, IEnumerable<IScheduledJobRegistration> registrations,
    ILogger<JobScheduler> log) : BackgroundService
{
    private readonly IReadOnlyDictionary<string, IScheduledJobRegistration> _jobs = registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Task> _running = new();

    public string Instance { get; } = Environment.MachineName + ":" + Environment.ProcessId + ":" + Guid.NewGuid().ToString("N")[..8];

    public IReadOnlyCollection<IScheduledJobRegistration> Jobs => _jobs.Values.ToList();

    public bool IsKnown(string name) => _jobs.ContainsKey(name);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (options.CurrentValue.Enabled)
                {
                    try
                    {
                        await RunDueAsync(stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        PollFailed(e);
                    }
                }
                await Task.Delay(options.CurrentValue.PollMilliseconds, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: runs in flight keep their lease until it lapses; another instance then resumes them.
        }
        await Task.WhenAll(_running.Values);
    }

    /// <summary>Claims and starts every due run (and every run whose instance died); returns the started runs' tasks.</summary>
    public async Task<IReadOnlyList<Task>> RunDueAsync(CancellationToken ct)
    {
        var started = new List<Task>();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var states = await db.JobStates.AsNoTracking().ToDictionaryAsync(s => s.Name, ct);
        foreach (var job in _jobs.Values)
        {
            if (!states.TryGetValue(job.Name, out var state))
            {
                await EnsureStateAsync(db, job, now, ct);
                continue;
            }
            if (state.NextDueAt > now)
            {
                continue;
            }
            var due = state.NextDueAt;
            var next = job.Schedule.Next(now);
            // Claiming the due instant and recording its run commit together: a crash between them loses nothing.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var claimed = await db.JobStates.Where(s => s.Name == job.Name && s.NextDueAt == due)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextDueAt, next), ct);
            var run = claimed == 1 ? await InsertRunAsync(db, job, due, JobTrigger.Schedule, now, ct) : null;
            await tx.CommitAsync(ct);
            if (run is not null)
            {
                started.Add(Start(job, new JobRunContext(job.Name, due, JobTrigger.Schedule, run.Id)));
            }
        }
        // Runs cut short by a dead instance: take over once their lease has lapsed.
        var lapsed = await db.JobRuns.AsNoTracking().Where(r => r.Status == JobRunStatus.Running && r.LeaseUntil < now).ToListAsync(ct);
        foreach (var run in lapsed.Where(r => _jobs.ContainsKey(r.Name)))
        {
            var lease = now.AddSeconds(options.CurrentValue.LeaseSeconds);
            var taken = await db.JobRuns.Where(r => r.Id == run.Id && r.Status == JobRunStatus.Running && r.LeaseUntil == run.LeaseUntil)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Instance, Instance).SetProperty(r => r.LeaseUntil, lease)
                    .SetProperty(r => r.Attempt, run.Attempt + 1).SetProperty(r => r.Trigger, JobTrigger.Recovery), ct);
            if (taken == 1)
            {
                RunResumed(run.Name, run.DueAt, run.Instance);
                started.Add(Start(_jobs[run.Name], new JobRunContext(run.Name, run.DueAt, JobTrigger.Recovery, run.Id)));
            }
        }
        return started;
    }

    /// <summary>Starts a run now on this instance (the admin's "run now"); null when the job is unknown.</summary>
    public async Task<(long RunId, Task Completion)?> RunNowAsync(string name, CancellationToken ct)
    {
        if (!_jobs.TryGetValue(name, out var job)) return null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        // Manual runs are keyed by the request's instant (to the microsecond both databases keep).
        var due = new DateTime(now.Ticks - (now.Ticks % 10), DateTimeKind.Utc);
        for (var i = 0; i < 5; i++, due = due.AddTicks(10))
        {
            if (await db.JobRuns.AnyAsync(r => r.Name == name && r.DueAt == due && r.Manual, ct)) continue;
            var run = await InsertRunAsync(db, job, due, JobTrigger.Manual, now, ct);
            if (run is not null) return (run.Id, Start(job, new JobRunContext(name, due, JobTrigger.Manual, run.Id)));
        }
        throw new InvalidOperationException("Could not record a manual run.");
    }

    private async Task EnsureStateAsync(CareLoopDbContext db, IScheduledJobRegistration job, DateTime now, CancellationToken ct)
    {
        db.JobStates.Add(new JobState { Name = job.Name, NextDueAt = job.Schedule.Next(now) });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance registered it first.
        }
        db.ChangeTracker.Clear();
    }

    private async Task<JobRun?> InsertRunAsync(CareLoopDbContext db, IScheduledJobRegistration job, DateTime due, JobTrigger trigger, DateTime now, CancellationToken ct)
    {
        var run = new JobRun
        {
            Name = job.Name, DueAt = due, Trigger = trigger, Manual = trigger == JobTrigger.Manual, Status = JobRunStatus.Running, Instance = Instance,
            StartedAt = now, LeaseUntil = now.AddSeconds(options.CurrentValue.LeaseSeconds),
        };
        db.JobRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
            await db.JobStates.Where(s => s.Name == job.Name).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastStartedAt, now), ct);
            return run;
        }
        catch (DbUpdateException)
        {
            // The (job, due) pair has a run already: it is not run twice.
            return null;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private Task Start(IScheduledJobRegistration job, JobRunContext context)
    {
        var task = Task.Run(() => ExecuteRunAsync(job, context));
        _running[context.RunId] = task;
        _ = task.ContinueWith(_ => _running.TryRemove(context.RunId, out var _), TaskScheduler.Default);
        return task;
    }

    private async Task ExecuteRunAsync(IScheduledJobRegistration job, JobRunContext context)
    {
        using var renewal = new CancellationTokenSource();
        var renewing = RenewLeaseAsync(context.RunId, renewal.Token);
        string? error = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await job.RunAsync(scope.ServiceProvider, context, CancellationToken.None);
        }
        catch (Exception e)
        {
            var text = e.GetType().Name + ": " + e.Message;
            error = text.Length > 2000 ? text[..2000] : text;
            RunFailed(e, job.Name, context.DueAt);
        }
        await renewal.CancelAsync();
        await renewing;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            var now = clock.GetUtcNow().UtcDateTime;
            var status = error is null ? JobRunStatus.Succeeded : JobRunStatus.Failed;
            if (error is null)
            {
                await db.JobStates.Where(s => s.Name == job.Name).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.LastFinishedAt, now).SetProperty(x => x.LastStatus, status).SetProperty(x => x.LastError, (string?)null)
                    .SetProperty(x => x.ConsecutiveFailures, 0).SetProperty(x => x.TotalRuns, x => x.TotalRuns + 1));
            }
            else
            {
                await db.JobStates.Where(s => s.Name == job.Name).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.LastFinishedAt, now).SetProperty(x => x.LastStatus, status).SetProperty(x => x.LastError, error)
                    .SetProperty(x => x.ConsecutiveFailures, x => x.ConsecutiveFailures + 1).SetProperty(x => x.TotalRuns, x => x.TotalRuns + 1)
                    .SetProperty(x => x.TotalFailures, x => x.TotalFailures + 1));
            }
            // The run row last: whoever sees the run finished also sees the job's state updated.
            await db.JobRuns.Where(r => r.Id == context.RunId).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, status).SetProperty(r => r.FinishedAt, now).SetProperty(r => r.Error, error));
        }
    }

    private async Task RenewLeaseAsync(long runId, CancellationToken ct)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, options.CurrentValue.LeaseSeconds / 3.0));
        try
        {
            while (true)
            {
                await Task.Delay(period, ct);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
                var lease = clock.GetUtcNow().UtcDateTime.AddSeconds(options.CurrentValue.LeaseSeconds);
                await db.JobRuns.Where(r => r.Id == runId && r.Instance == Instance).ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseUntil, lease), ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The run finished.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {Name} due {DueAt:o} failed.")]
    private partial void RunFailed(Exception error, string name, DateTime dueAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Name} due {DueAt:o} was cut short on {Instance}; running it again here.")]
    private partial void RunResumed(string name, DateTime dueAt, string instance);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for due jobs failed; trying again on the next poll.")]
    private partial void PollFailed(Exception error);
}

/// <summary>A registered job type, resolved per run.</summary>
public interface IScheduledJobRegistration
{
    string Name { get; }

    JobSchedule Schedule { get; }

    Task RunAsync(IServiceProvider services, JobRunContext context, CancellationToken ct);
}

internal sealed class ScheduledJobRegistration<TJob>(string name, JobSchedule schedule) : IScheduledJobRegistration where TJob : IScheduledJob
{
    public string Name => name;

    public JobSchedule Schedule => schedule;

    public Task RunAsync(IServiceProvider services, JobRunContext context, CancellationToken ct) =>
        services.GetRequiredService<TJob>().RunAsync(context, ct);
}

public static class JobServices
{
    /// <summary>Registers a scheduled job under a unique name (the name the API and the admin page show).</summary>
    public static IServiceCollection AddScheduledJob<TJob>(this IServiceCollection services, string name, JobSchedule schedule)
        where TJob : class, IScheduledJob
    {
        services.AddScoped<TJob>();
        services.AddSingleton<IScheduledJobRegistration>(new ScheduledJobRegistration<TJob>(name, schedule));
        return services;
    }
}
