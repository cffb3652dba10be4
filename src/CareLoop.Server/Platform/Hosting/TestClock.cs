using CareLoop.Server.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CareLoop.Server.Platform.Hosting;

/// <summary>The system clock moved forward by an offset that only the test hook changes.</summary>
public sealed class AdjustableClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

public sealed record ClockAdvanceBody(double? Minutes);

public sealed record ClockResponse(DateTimeOffset Now, double OffsetMinutes);

/// <summary>
/// The test-only clock hook: with <c>Testing:ClockHook=true</c> (never in production) the server's
/// <see cref="TimeProvider"/> is an <see cref="AdjustableClock"/> and <c>POST /api/v1/testing/clock/advance</c>
/// moves it forward, so end-to-end tests and contract checks can reach deadlines without waiting. Without the
/// setting the endpoints do not exist. In-process tests replace the clock with a FakeTimeProvider instead.
/// </summary>
public static class TestClockHook
{
    public const string Setting = "Testing:ClockHook";

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue(Setting, false);

    public static IServiceCollection AddTestClockHook(this IServiceCollection services)
    {
        services.AddSingleton<AdjustableClock>();
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<AdjustableClock>());
        return services;
    }

    public static IEndpointRouteBuilder MapTestClockHook(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/testing/clock").WithTags("Testing").RequireAuthorization(Policies.Admin);
        group.MapGet("/", (AdjustableClock clock) => TypedResults.Ok(new ClockResponse(clock.GetUtcNow(), clock.Offset.TotalMinutes)));
        group.MapPost("/advance", Results<Ok<ClockResponse>, ValidationProblem> (ClockAdvanceBody body, AdjustableClock clock) =>
        {
            if (body.Minutes is not { } minutes || minutes <= 0 || minutes > 60 * 24 * 3660)
            {
                return Api.Problems.Validation("minutes", "must be a positive number of minutes (at most ten years); the clock only moves forward.");
            }
            clock.Advance(TimeSpan.FromMinutes(minutes));
            return TypedResults.Ok(new ClockResponse(clock.GetUtcNow(), clock.Offset.TotalMinutes));
        });
        return app;
    }
}
