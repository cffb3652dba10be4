using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CareLoop.Server.Platform.Jobs;

/// <summary>
/// When a job is due. Due instants are a pure function of the schedule, so every instance computes the same ones:
/// intervals are counted from 1970-01-01T00:00:00Z, daily times in the schedule's time zone.
/// </summary>
public abstract record JobSchedule
{
    /// <summary>The first due instant strictly after <paramref name="after"/> (UTC).</summary>
    public abstract DateTime Next(DateTime after);

    public abstract string Describe();

    public static JobSchedule Every(TimeSpan interval) => new IntervalSchedule(interval);

    public static JobSchedule DailyAt(TimeOnly time, string timeZone = "Asia/Shanghai") => new DailySchedule(time, timeZone);
}

public sealed record IntervalSchedule(TimeSpan Interval) : JobSchedule
{
    public override DateTime Next(DateTime after)
    {
        var ticks = Interval.Ticks;
        var n = (after.Ticks / ticks) + 1;
        return new DateTime(n * ticks, DateTimeKind.Utc);
    }

    public override string Describe() => "every " + System.Xml.XmlConvert.ToString(Interval);
}

public sealed record DailySchedule(TimeOnly Time, string TimeZone) : JobSchedule
{
    public override DateTime Next(DateTime after)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(after, DateTimeKind.Utc), zone);
        for (var day = DateOnly.FromDateTime(local); ; day = day.AddDays(1))
        {
            var candidate = day.ToDateTime(Time, DateTimeKind.Unspecified);
            if (zone.IsInvalidTime(candidate)) continue;
            var utc = TimeZoneInfo.ConvertTimeToUtc(candidate, zone);
            if (utc > after) return utc;
        }
    }

    public override string Describe() => $"daily at {Time:HH\\:mm} ({TimeZone})";
}

/// <summary>A scheduled job. Resolved in a fresh scope for every run; it must tolerate being run again for a due
/// instant whose earlier run was cut short by a crash (runs are at least once per due instant, exactly once unless an
/// instance dies mid-run).</summary>
public interface IScheduledJob
{
    Task RunAsync(JobRunContext context, CancellationToken ct);
}

public sealed record JobRunContext(string Name, DateTime DueAt, JobTrigger Trigger, long RunId);

public enum JobTrigger { Schedule, Manual, Recovery }

public enum JobRunStatus { Running, Succeeded, Failed }

/// <summary>A job's schedule state, shared by every instance: the next due instant is claimed by compare-and-set.</summary>
public sealed class JobState
{
    public string Name { get; set; } = "";

    public DateTime NextDueAt { get; set; }

    public DateTime? LastStartedAt { get; set; }

    public DateTime? LastFinishedAt { get; set; }

    public JobRunStatus? LastStatus { get; set; }

    public string? LastError { get; set; }

    public int ConsecutiveFailures { get; set; }

    public long TotalRuns { get; set; }

    public long TotalFailures { get; set; }
}

/// <summary>One run of a job for one due instant; (name, due, manual) is unique, so no due instant runs twice.</summary>
public sealed class JobRun
{
    public long Id { get; set; }

    public string Name { get; set; } = "";

    public DateTime DueAt { get; set; }

    public JobTrigger Trigger { get; set; }

    /// <summary>Manual runs are keyed apart from scheduled ones, so a "run now" never takes a scheduled due instant.</summary>
    public bool Manual { get; set; }

    public JobRunStatus Status { get; set; }

    public string Instance { get; set; } = "";

    public DateTime StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>While running, the instance renews this; a run whose lease passed was cut short and is run again.</summary>
    public DateTime LeaseUntil { get; set; }

    public int Attempt { get; set; } = 1;

    public string? Error { get; set; }
}

internal sealed class JobStateConfiguration : IEntityTypeConfiguration<JobState>
{
    public void Configure(EntityTypeBuilder<JobState> b)
    {
        b.ToTable("jobs");
        b.HasKey(x => x.Name);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.LastError).HasMaxLength(2000);
    }
}

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> b)
    {
        b.ToTable("job_runs");
        b.Property(x => x.Id).ValueGeneratedOnAdd();
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Instance).HasMaxLength(100);
        b.Property(x => x.Error).HasMaxLength(2000);
        b.HasIndex(x => new { x.Name, x.DueAt, x.Manual }).IsUnique();
        b.HasIndex(x => new { x.Status, x.LeaseUntil });
        b.HasIndex(x => x.StartedAt);
    }
}
