using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Jobs;

public sealed record JobRunResponse(long Id, string Name, DateTimeOffset DueAt, JobTrigger Trigger, JobRunStatus Status, string Instance,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, int Attempt, string? Error)
{
    public static JobRunResponse From(JobRun r) => new(r.Id, r.Name, r.DueAt.AsUtcOffset(), r.Trigger, r.Status, r.Instance,
        r.StartedAt.AsUtcOffset(), r.FinishedAt?.AsUtcOffset(), r.Attempt, r.Error);
}

public sealed record JobResponse(string Name, string Schedule, DateTimeOffset? NextDueAt, DateTimeOffset? LastStartedAt,
    DateTimeOffset? LastFinishedAt, JobRunStatus? LastStatus, string? LastError, int ConsecutiveFailures, long TotalRuns,
    long TotalFailures, bool Running);

/// <summary>Scheduled jobs: the scheduler, the platform's housekeeping jobs, and the API to list them and run one now.</summary>
public static class JobsModule
{
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddOptions<JobOptions>().BindConfiguration("Jobs")
            .Validate(o => o.PollMilliseconds > 0 && o.LeaseSeconds > 0, "Jobs options must be positive.").ValidateOnStart();
        services.AddSingleton<JobScheduler>();
        services.AddScoped<JobAdmin>();
        services.AddHostedService(sp => sp.GetRequiredService<JobScheduler>());
        services.AddScheduledJob<IdempotencyCleanupJob>("idempotency-cleanup", JobSchedule.Every(TimeSpan.FromHours(1)));
        services.AddScheduledJob<RetentionJob>("retention", JobSchedule.DailyAt(new TimeOnly(3, 30)));
        services.AddScheduledJob<FileOrphansJob>("file-orphans", JobSchedule.Every(TimeSpan.FromHours(1)));
        return services;
    }

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        group.MapGet("/", List).RequireAuthorization(Policies.Manage);
        group.MapGet("/{name}/runs", Runs).RequireAuthorization(Policies.Manage);
        group.MapPost("/{name}/run", Run).RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<Ok<Page<JobResponse>>> List(JobAdmin jobs, CancellationToken ct) =>
        TypedResults.Ok(new Page<JobResponse>(await jobs.ListAsync(ct), null));

    public static async Task<Results<Ok<Page<JobRunResponse>>, NotFound<ProblemDetails>, ValidationProblem>> Runs(
        string name, int? limit, JobAdmin jobs, CancellationToken ct)
    {
        if (!jobs.IsKnown(name)) return Problems.NotFound($"No job '{name}'.");
        var errors = new ValidationErrors();
        var (take, _) = Paging.Read(limit, null, errors);
        if (errors.Any) return Problems.Validation(errors);
        var runs = await jobs.RunsAsync(name, take, ct);
        return runs is null ? Problems.NotFound($"No job '{name}'.") : TypedResults.Ok(new Page<JobRunResponse>(runs, null));
    }

    public static async Task<Results<Accepted<JobRunResponse>, NotFound<ProblemDetails>>> Run(string name, JobAdmin jobs, CancellationToken ct) =>
        await jobs.RunNowAsync(name, ct) is { } run
            ? TypedResults.Accepted($"/api/v1/jobs/{name}/runs", run)
            : Problems.NotFound($"No job '{name}'.");
}

/// <summary>Deletes idempotency records past their 24 h retention (a key whose record expired is also reclaimed when reused).</summary>
public sealed class IdempotencyCleanupJob(CareLoopDbContext db, TimeProvider clock) : IScheduledJob
{
    public async Task RunAsync(JobRunContext context, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.IdempotencyRecords.Where(r => r.ExpiresAt < now).ExecuteDeleteAsync(ct);
    }
}

/// <summary>
/// Keeps the platform's own tables small: delivered outbox messages after <c>outbox.sentRetentionDays</c> (dead ones
/// stay until an admin acts), processed callbacks after 30 days (far past the signature tolerance, so a replay is
/// still refused as stale), and job runs after 30 days.
/// </summary>
public sealed class RetentionJob(CareLoopDbContext db, Settings.SettingsStore settings, TimeProvider clock) : IScheduledJob
{
    public async Task RunAsync(JobRunContext context, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var days = await settings.GetIntAsync(Settings.SettingKeys.OutboxSentRetentionDays, ct);
        var sentBefore = now.AddDays(-days);
        await db.OutboxMessages.Where(m => m.Status == Outbox.OutboxStatus.Sent && m.SentAt < sentBefore).ExecuteDeleteAsync(ct);
        var monthAgo = now.AddDays(-30);
        await db.InboundEvents.Where(e => e.ReceivedAt < monthAgo).ExecuteDeleteAsync(ct);
        await db.JobRuns.Where(r => r.Status != JobRunStatus.Running && r.StartedAt < monthAgo).ExecuteDeleteAsync(ct);
    }
}

/// <summary>Deletes uploads never attached to a record once they are older than <c>files.orphanRetentionHours</c> (24 by default).</summary>
public sealed class FileOrphansJob(Files.FileService files, Settings.SettingsStore settings, TimeProvider clock) : IScheduledJob
{
    public async Task RunAsync(JobRunContext context, CancellationToken ct)
    {
        var hours = await settings.GetIntAsync(Settings.SettingKeys.FilesOrphanRetentionHours, ct);
        await files.DeleteOrphansAsync(clock.GetUtcNow().UtcDateTime.AddHours(-hours), ct);
    }
}
