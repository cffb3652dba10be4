using CareLoop.Domain.Calendars;

namespace CareLoop.Domain.ServiceDesk;

/// <summary>
/// The SLA engine: a pure function of a ticket's history (<see cref="SlaFact"/>s in order), the calendars and the
/// instant of evaluation. Every metric run keeps the wall-clock segments during which it counted; business minutes
/// are measured on the target's calendar only when evaluated, so a changed policy or calendar re-measures the same
/// history from each metric's original start, and nothing is ever accumulated that could drift.
/// </summary>
/// <remarks>
/// What starts, counts and stops each metric (see the service-desk README for the table):
/// first_reply starts when the ticket is created with a customer message and stops at the first public agent reply;
/// next_reply starts at a customer message when no reply metric runs and stops at the next public agent reply;
/// periodic_update starts at each public agent reply and stops at the next one; agent_work_time, requester_wait_time
/// and total_resolution start at creation and stop when solved, resuming on reopen with the time they had used.
/// Solving stops every running metric. A stopped run is met when it used no more than its target.
/// </remarks>
public static class SlaEngine
{
    /// <summary>Share of a target after which a metric is at risk.</summary>
    public const double AtRiskShare = 0.75;

    private static readonly SlaMetric[] Metrics = Enum.GetValues<SlaMetric>();

    public static SlaEvaluation Evaluate(IReadOnlyList<SlaFact> facts, Func<string, BusinessCalendar> calendars, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(calendars);
        var runs = Replay(facts, out var policy);
        if (policy is null)
        {
            return SlaEvaluation.None;
        }

        var occurrences = new List<SlaOccurrence>(runs.Count);
        var latest = new SlaOccurrence?[Metrics.Length];
        foreach (var run in runs)
        {
            var target = (run.StoppedAt is null ? null : run.PolicyAtStop?.TargetFor(run.Metric)) ?? policy.TargetFor(run.Metric);
            if (target is null)
            {
                continue;
            }
            var o = Measure(run, target, calendars(target.Calendar), now);
            occurrences.Add(o);
            latest[(int)run.Metric] = o;
        }

        var metrics = new List<SlaOccurrence>();
        foreach (var metric in Metrics)
        {
            if (policy.TargetFor(metric) is not { } target)
            {
                continue;
            }
            metrics.Add(latest[(int)metric] is { } o
                ? o
                : new SlaOccurrence(metric, 0, target.Minutes, target.Calendar, SlaMetricStatus.Inactive, null, null, TimeSpan.Zero, null, null, null, false));
        }
        return new SlaEvaluation(policy, metrics, occurrences);
    }

    /// <summary>
    /// The alerts that are due at <paramref name="now"/> and not yet in <paramref name="fired"/>: at-risk for running
    /// metrics past 75 % of their target, breached for any run past its target.
    /// </summary>
    public static IReadOnlyList<SlaAlertKey> DueAlerts(SlaEvaluation evaluation, IReadOnlySet<SlaAlertKey> fired, DateTime now)
    {
        var due = new List<SlaAlertKey>();
        foreach (var o in evaluation.Occurrences)
        {
            if (o.IsRunning && o.AtRiskAt is { } risk && risk <= now && Add(o, SlaAlertKind.AtRisk, fired, due))
            {
                continue;
            }
            if (o.Status == SlaMetricStatus.Breached)
            {
                Add(o, SlaAlertKind.Breached, fired, due);
            }
        }
        return due;

        static bool Add(SlaOccurrence o, SlaAlertKind kind, IReadOnlySet<SlaAlertKey> fired, List<SlaAlertKey> due)
        {
            var key = new SlaAlertKey(o.Metric, o.Occurrence, kind);
            if (!fired.Contains(key))
            {
                due.Add(key);
            }
            return false;
        }
    }

    /// <summary>
    /// The next instant the escalation scan must look at this ticket: the earliest at-risk or breach instant of a run
    /// that is not yet in <paramref name="fired"/> (possibly already past), or null when nothing can come due.
    /// </summary>
    public static DateTime? NextCheck(SlaEvaluation evaluation, IReadOnlySet<SlaAlertKey> fired)
    {
        DateTime? next = null;
        foreach (var o in evaluation.Occurrences)
        {
            if (o.IsRunning && o.AtRiskAt is { } risk && !fired.Contains(new(o.Metric, o.Occurrence, SlaAlertKind.AtRisk)))
            {
                next = Min(next, risk);
            }
            if (o.BreachedAt is { } breach && (o.IsRunning || o.Status == SlaMetricStatus.Breached)
                && !fired.Contains(new(o.Metric, o.Occurrence, SlaAlertKind.Breached)))
            {
                next = Min(next, breach);
            }
        }
        return next;

        static DateTime Min(DateTime? a, DateTime b) => a is { } x && x < b ? x : b;
    }

    private sealed class Run(SlaMetric metric, int occurrence, DateTime startedAt)
    {
        public SlaMetric Metric { get; } = metric;
        public int Occurrence { get; } = occurrence;
        public DateTime StartedAt { get; } = startedAt;
        public DateTime? StoppedAt { get; set; }
        public SlaPolicyDefinition? PolicyAtStop { get; set; }

        /// <summary>Wall-clock spans during which the run counted; the last one is open (To null) while it counts.</summary>
        public List<(DateTime From, DateTime? To)> Segments { get; } = [];

        public bool Counting => Segments.Count > 0 && Segments[^1].To is null;

        public void Count(bool counting, DateTime at)
        {
            if (counting && !Counting)
            {
                Segments.Add((at, null));
            }
            else if (!counting && Counting)
            {
                Segments[^1] = (Segments[^1].From, at);
            }
        }
    }

    private static List<Run> Replay(IReadOnlyList<SlaFact> facts, out SlaPolicyDefinition? policy)
    {
        var all = new List<Run>();
        var running = new Run?[Metrics.Length];
        var last = new Run?[Metrics.Length];
        var counts = new int[Metrics.Length];
        var status = TicketStatus.New;
        policy = null;
        var currentPolicy = (SlaPolicyDefinition?)null;

        foreach (var fact in facts)
        {
            var at = fact.At;
            switch (fact.Kind)
            {
                case SlaFactKind.Created:
                    status = fact.Status;
                    if (fact.WithCustomerMessage)
                    {
                        Start(SlaMetric.FirstReply, at);
                    }
                    Start(SlaMetric.AgentWorkTime, at);
                    Start(SlaMetric.RequesterWaitTime, at);
                    Start(SlaMetric.TotalResolution, at);
                    if (!TicketLifecycle.IsUnsolved(status))
                    {
                        StopAll(at);
                    }
                    break;
                case SlaFactKind.StatusChanged:
                    var wasUnsolved = TicketLifecycle.IsUnsolved(status);
                    status = fact.Status;
                    if (wasUnsolved && !TicketLifecycle.IsUnsolved(status))
                    {
                        StopAll(at);
                    }
                    else if (!wasUnsolved && TicketLifecycle.IsUnsolved(status))
                    {
                        Resume(SlaMetric.AgentWorkTime);
                        Resume(SlaMetric.RequesterWaitTime);
                        Resume(SlaMetric.TotalResolution);
                    }
                    break;
                case SlaFactKind.CustomerMessage:
                    if (running[(int)SlaMetric.FirstReply] is null && running[(int)SlaMetric.NextReply] is null)
                    {
                        Start(SlaMetric.NextReply, at);
                    }
                    break;
                case SlaFactKind.AgentReply:
                    Stop(SlaMetric.FirstReply, at);
                    Stop(SlaMetric.NextReply, at);
                    Stop(SlaMetric.PeriodicUpdate, at);
                    if (TicketLifecycle.IsUnsolved(status))
                    {
                        Start(SlaMetric.PeriodicUpdate, at);
                    }
                    break;
                case SlaFactKind.PolicyApplied:
                    currentPolicy = fact.Policy;
                    break;
            }
            foreach (var run in running)
            {
                run?.Count(Counts(run.Metric, status), at);
            }
        }
        policy = currentPolicy;
        return all;

        void Start(SlaMetric metric, DateTime at)
        {
            var run = new Run(metric, ++counts[(int)metric], at);
            running[(int)metric] = run;
            last[(int)metric] = run;
            all.Add(run);
        }

        void Stop(SlaMetric metric, DateTime at)
        {
            if (running[(int)metric] is { } run)
            {
                run.Count(false, at);
                run.StoppedAt = at;
                run.PolicyAtStop = currentPolicy;
                running[(int)metric] = null;
            }
        }

        void StopAll(DateTime at)
        {
            foreach (var metric in Metrics)
            {
                Stop(metric, at);
            }
        }

        void Resume(SlaMetric metric)
        {
            if (running[(int)metric] is null && last[(int)metric] is { } run)
            {
                run.StoppedAt = null;
                run.PolicyAtStop = null;
                running[(int)metric] = run;
            }
        }
    }

    /// <summary>Whether a running metric counts while the ticket is in <paramref name="status"/>.</summary>
    public static bool Counts(SlaMetric metric, TicketStatus status) => metric switch
    {
        SlaMetric.AgentWorkTime => status is TicketStatus.New or TicketStatus.Open,
        SlaMetric.RequesterWaitTime => status is TicketStatus.New or TicketStatus.Open or TicketStatus.OnHold,
        _ => TicketLifecycle.IsUnsolved(status),
    };

    private static SlaOccurrence Measure(Run run, SlaTarget target, BusinessCalendar calendar, DateTime now)
    {
        var targetSpan = TimeSpan.FromMinutes(target.Minutes);
        var riskSpan = TimeSpan.FromTicks((long)(targetSpan.Ticks * AtRiskShare));
        var used = TimeSpan.Zero;
        foreach (var (from, to) in run.Segments)
        {
            var end = to ?? now;
            if (end > from)
            {
                used += calendar.BusinessTimeBetween(Utc(from), Utc(end));
            }
        }
        var breachedAt = WhenUsed(run, calendar, targetSpan);
        var atRiskAt = WhenUsed(run, calendar, riskSpan);
        var counting = run.Counting;
        SlaMetricStatus status;
        if (run.StoppedAt is not null)
        {
            status = used > targetSpan ? SlaMetricStatus.Breached : SlaMetricStatus.Met;
        }
        else
        {
            // A running run is breached once its target is used up, whether it counts now or is paused (a run paused
            // with exactly its target used is breached, as it was just before the pause).
            status = breachedAt is { } b && now >= b ? SlaMetricStatus.Breached
                : counting ? SlaMetricStatus.Active : SlaMetricStatus.Paused;
        }
        var atRisk = run.StoppedAt is null && status != SlaMetricStatus.Breached && used >= riskSpan;
        return new SlaOccurrence(run.Metric, run.Occurrence, target.Minutes, target.Calendar, status, run.StartedAt, run.StoppedAt,
            used, counting ? breachedAt : null, atRiskAt, breachedAt, atRisk);
    }

    /// <summary>The instant the run's counted business time reaches <paramref name="threshold"/>, or null if it never does.</summary>
    private static DateTime? WhenUsed(Run run, BusinessCalendar calendar, TimeSpan threshold)
    {
        var cumulative = TimeSpan.Zero;
        foreach (var (from, to) in run.Segments)
        {
            var remaining = threshold - cumulative;
            if (to is null)
            {
                try
                {
                    return calendar.AddBusinessTime(Utc(from), remaining).UtcDateTime;
                }
                catch (NoWorkingTimeException)
                {
                    return null;
                }
            }
            var span = to.Value > from ? calendar.BusinessTimeBetween(Utc(from), Utc(to.Value)) : TimeSpan.Zero;
            if (span >= remaining && span > TimeSpan.Zero)
            {
                return calendar.AddBusinessTime(Utc(from), remaining).UtcDateTime;
            }
            cumulative += span;
        }
        return null;
    }

    private static DateTimeOffset Utc(DateTime instant) => new(DateTime.SpecifyKind(instant, DateTimeKind.Utc));
}
