using System.Net;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Hosting;
using CareLoop.Server.Platform.Jobs;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CareLoop.Server.Tests.Platform;

/// <summary>A server whose clock is the real one plus what the test-only hook adds (as an end-to-end test would run it).</summary>
public sealed class ClockHookServer : SqliteServer
{
    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration[TestClockHook.Setting] = "true";
        builder.Services.AddTestClockHook();
        JobsTestSetup.Configure(builder);
    }
}

public sealed class ClockHookTests(ClockHookServer fixture) : IClassFixture<ClockHookServer>
{
    [Fact]
    public async Task MovingTheClockThroughTheHook_MakesAScheduledDeadlineFire()
    {
        var server = fixture.Server;
        var admin = await server.ClientAsync(Roles.Admin);
        DateTime? due = null;
        for (var i = 0; i < 200 && due is null; i++)
        {
            due = await server.WithDbAsync(db => db.JobStates.Where(s => s.Name == "test-failing").Select(s => (DateTime?)s.NextDueAt).SingleOrDefaultAsync());
            if (due is null) await Task.Delay(25);
        }
        Assert.NotNull(due);
        // The 30-minute job is not due for minutes yet; move the server's clock past it instead of waiting.
        await (await admin.PostJsonAsync("/api/v1/testing/clock/advance", new { minutes = 31 })).ExpectAsync(HttpStatusCode.OK);
        JobRun? run = null;
        for (var i = 0; i < 400 && run is not { Status: not JobRunStatus.Running }; i++)
        {
            run = await server.WithDbAsync(db => db.JobRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Name == "test-failing" && r.DueAt == due));
            await Task.Delay(25);
        }
        Assert.Equal(JobRunStatus.Failed, run?.Status);

        var clock = await (await admin.GetAsync("/api/v1/testing/clock")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(31, clock!["offsetMinutes"]!.GetValue<double>());
        await (await admin.PostJsonAsync("/api/v1/testing/clock/advance", new { minutes = -5 })).ExpectFieldErrorAsync("minutes");
        var agent = await server.ClientAsync(Roles.Agent);
        await (await agent.PostJsonAsync("/api/v1/testing/clock/advance", new { minutes = 5 })).ExpectAsync(HttpStatusCode.Forbidden);
    }
}

public sealed class ClockHookAbsentTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    [Fact]
    public async Task WithoutTheSetting_TheHookDoesNotExist()
    {
        var admin = await fixture.Server.ClientAsync(Roles.Admin);
        var response = await admin.PostJsonAsync("/api/v1/testing/clock/advance", new { minutes = 5 });
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
    }
}
