using System.Collections.Concurrent;
using System.Net;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Jobs;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Tests.Platform;

/// <summary>A job that records which instance ran it for which due instant.</summary>
public sealed class CountingJob(JobScheduler scheduler) : IScheduledJob
{
    public static readonly ConcurrentQueue<(string Instance, DateTime DueAt, JobTrigger Trigger)> Runs = new();

    public async Task RunAsync(JobRunContext context, CancellationToken ct)
    {
        // Long enough that a second instance polling meanwhile would run it again if claiming were broken.
        await Task.Delay(100, ct);
        Runs.Enqueue((scheduler.Instance, context.DueAt, context.Trigger));
    }
}

public sealed class FailingJob : IScheduledJob
{
    public Task RunAsync(JobRunContext context, CancellationToken ct) => throw new InvalidOperationException("The carrier API refused the token.");
}

public static class JobsTestSetup
{
    public static void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration["Jobs:Enabled"] = "true";
        builder.Configuration["Jobs:PollMilliseconds"] = "50";
        builder.Services.AddScheduledJob<CountingJob>("test-counting", JobSchedule.Every(TimeSpan.FromMinutes(1)));
        builder.Services.AddScheduledJob<FailingJob>("test-failing", JobSchedule.Every(TimeSpan.FromMinutes(30)));
    }
}

public sealed class JobsServerSqlite : SqliteServer
{
    protected override void Configure(WebApplicationBuilder builder) => JobsTestSetup.Configure(builder);
}

public sealed class JobsServerPostgres : PostgresServer
{
    protected override void Configure(WebApplicationBuilder builder) => JobsTestSetup.Configure(builder);
}

public sealed class JobsTestsSqlite(JobsServerSqlite fixture) : JobsTests(fixture), IClassFixture<JobsServerSqlite>;
public sealed class JobsTestsPostgres(JobsServerPostgres fixture) : JobsTests(fixture), IClassFixture<JobsServerPostgres>;

/// <summary>Scheduled jobs: once per due instant across instances, failures recorded, cut-short runs resumed, run now.</summary>
public abstract class JobsTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    private string Instance(CareLoopServer server) => ((JobScheduler)server.Services.GetService(typeof(JobScheduler))!).Instance;

    private async Task<JobRun> WaitForRunAsync(string name, DateTime due, Func<JobRun, bool>? done = null)
    {
        done ??= r => r.Status != JobRunStatus.Running;
        for (var i = 0; ; i++)
        {
            var run = await Server.WithDbAsync(db => db.JobRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Name == name && r.DueAt == due && !r.Manual));
            if ((run is not null && done(run)) || i > 400)
            {
                return run ?? throw new Xunit.Sdk.XunitException($"No run of {name} due {due:o}.");
            }
            await Task.Delay(25);
        }
    }

    private Task<DateTime> NextDueAsync(string name) =>
        WaitForValueAsync(() => Server.WithDbAsync(db => db.JobStates.Where(s => s.Name == name).Select(s => (DateTime?)s.NextDueAt).SingleOrDefaultAsync()));

    private static async Task<DateTime> WaitForValueAsync(Func<Task<DateTime?>> read)
    {
        for (var i = 0; i < 400; i++)
        {
            if (await read() is { } value) return value;
            await Task.Delay(25);
        }
        throw new Xunit.Sdk.XunitException("The scheduler never registered the job.");
    }

    [Fact]
    public async Task ADueJob_RunsOncePerDueInstant_AsTheClockMoves()
    {
        var due = await NextDueAsync("test-counting");
        var instance = Instance(Server);
        for (var i = 0; i < 3; i++)
        {
            Server.Clock.Advance(TimeSpan.FromMinutes(1));
            var run = await WaitForRunAsync("test-counting", due.AddMinutes(i));
            Assert.Equal(JobRunStatus.Succeeded, run.Status);
        }
        var mine = CountingJob.Runs.Where(r => r.Instance == instance && r.Trigger == JobTrigger.Schedule && r.DueAt >= due).ToList();
        Assert.Equal([due, due.AddMinutes(1), due.AddMinutes(2)], mine.Select(r => r.DueAt).Order());
        Assert.Equal(0, due.Ticks % TimeSpan.TicksPerMinute);
    }

    [Fact]
    public async Task TwoInstancesOnOneDatabase_RunEachDueInstantExactlyOnce()
    {
        await using var second = await fixture.StartAnotherAsync();
        var instances = new[] { Instance(Server), Instance(second) };
        var due = await NextDueAsync("test-counting");
        // Bring the second instance's clock to the first one's.
        second.Clock.Advance(Server.Clock.GetUtcNow() - second.Clock.GetUtcNow());
        for (var i = 0; i < 6; i++)
        {
            Server.Clock.Advance(TimeSpan.FromMinutes(1));
            second.Clock.Advance(TimeSpan.FromMinutes(1));
            await WaitForRunAsync("test-counting", due.AddMinutes(i));
            // Give the other instance time to (wrongly) run it too.
            await Task.Delay(150);
        }
        var runs = CountingJob.Runs.Where(r => instances.Contains(r.Instance) && r.Trigger == JobTrigger.Schedule && r.DueAt >= due && r.DueAt < due.AddMinutes(6)).ToList();
        Assert.Equal(6, runs.Count);
        Assert.Equal(6, runs.Select(r => r.DueAt).Distinct().Count());
    }

    [Fact]
    public async Task AFailingJob_IsRecordedWithItsError_AndRunsAgainAtTheNextDueInstant()
    {
        var due = await NextDueAsync("test-failing");
        if (due > Server.Clock.GetUtcNow().UtcDateTime) Server.Clock.Advance(due - Server.Clock.GetUtcNow().UtcDateTime);
        var run = await WaitForRunAsync("test-failing", due);
        Assert.Equal(JobRunStatus.Failed, run.Status);
        Assert.Contains("refused the token", run.Error, StringComparison.Ordinal);

        var admin = await Server.ClientAsync(Roles.Admin);
        var jobs = await (await admin.GetAsync("/api/v1/jobs")).ExpectAsync(HttpStatusCode.OK);
        var failing = jobs!["items"]!.AsArray().Single(j => j!["name"]!.GetValue<string>() == "test-failing")!;
        Assert.Equal("failed", failing["lastStatus"]!.GetValue<string>());
        Assert.True(failing["consecutiveFailures"]!.GetValue<int>() >= 1);
        Assert.Equal(due.AddMinutes(30), failing["nextDueAt"]!.GetValue<DateTimeOffset>().UtcDateTime);

        Server.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(JobRunStatus.Failed, (await WaitForRunAsync("test-failing", due.AddMinutes(30))).Status);
    }

    [Fact]
    public async Task ARunCutShortByADeadInstance_IsResumedAfterItsLeaseLapses()
    {
        var now = Server.Clock.GetUtcNow().UtcDateTime;
        // A due instant before the fixture started: no other test of this class can have a run for it.
        var due = now.AddDays(-30).AddTicks(-(now.Ticks % TimeSpan.TicksPerMinute));
        await Server.WithDbAsync(async db =>
        {
            db.JobRuns.Add(new JobRun
            {
                Name = "test-counting", DueAt = due, Trigger = JobTrigger.Schedule, Status = JobRunStatus.Running,
                Instance = "killed-instance", StartedAt = now.AddMinutes(-7), LeaseUntil = now.AddSeconds(-1),
            });
            return await db.SaveChangesAsync();
        });
        var run = await WaitForRunAsync("test-counting", due);
        Assert.Equal(JobRunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempt);
        Assert.Equal(JobTrigger.Recovery, run.Trigger);
        Assert.Equal(Instance(Server), run.Instance);
        Assert.Single(CountingJob.Runs, r => r.DueAt == due && r.Instance == Instance(Server));
    }

    [Fact]
    public async Task AnAdmin_ListsJobs_AndRunsOneNow_OthersMayNot()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        var jobs = await (await admin.GetAsync("/api/v1/jobs")).ExpectAsync(HttpStatusCode.OK);
        var names = jobs!["items"]!.AsArray().Select(j => j!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("idempotency-cleanup", names);
        Assert.Contains("retention", names);
        Assert.Contains("test-counting", names);

        var started = await (await admin.PostAsync("/api/v1/jobs/test-counting/run", null)).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("manual", started!["trigger"]!.GetValue<string>());
        var runId = started["id"]!.GetValue<long>();
        for (var i = 0; i < 200 && await Server.WithDbAsync(db => db.JobRuns.Where(r => r.Id == runId).Select(r => r.Status).SingleAsync()) == JobRunStatus.Running; i++)
        {
            await Task.Delay(25);
        }
        var runs = await (await admin.GetAsync("/api/v1/jobs/test-counting/runs")).ExpectAsync(HttpStatusCode.OK);
        var run = runs!["items"]!.AsArray().Single(r => r!["id"]!.GetValue<long>() == runId)!;
        Assert.Equal("succeeded", run["status"]!.GetValue<string>());

        await (await admin.PostAsync("/api/v1/jobs/no-such-job/run", null)).ExpectAsync(HttpStatusCode.NotFound);
        var supervisor = await Server.ClientAsync(Roles.Supervisor);
        await (await supervisor.GetAsync("/api/v1/jobs")).ExpectAsync(HttpStatusCode.OK);
        await (await supervisor.PostAsync("/api/v1/jobs/test-counting/run", null)).ExpectAsync(HttpStatusCode.Forbidden);
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.GetAsync("/api/v1/jobs")).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void Schedules_GiveTheSameDueInstantsOnEveryInstance()
    {
        var every = JobSchedule.Every(TimeSpan.FromMinutes(15));
        Assert.Equal(new DateTime(2026, 5, 1, 10, 15, 0, DateTimeKind.Utc), every.Next(new DateTime(2026, 5, 1, 10, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(new DateTime(2026, 5, 1, 10, 15, 0, DateTimeKind.Utc), every.Next(new DateTime(2026, 5, 1, 10, 7, 3, DateTimeKind.Utc)));
        var daily = JobSchedule.DailyAt(new TimeOnly(3, 30));
        // 03:30 in Shanghai is 19:30 UTC the day before.
        Assert.Equal(new DateTime(2026, 5, 1, 19, 30, 0, DateTimeKind.Utc), daily.Next(new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(new DateTime(2026, 5, 2, 19, 30, 0, DateTimeKind.Utc), daily.Next(new DateTime(2026, 5, 1, 19, 30, 0, DateTimeKind.Utc)));
    }
}
