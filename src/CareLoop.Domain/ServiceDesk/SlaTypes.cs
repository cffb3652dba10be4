using CareLoop.Domain.Commerce;

namespace CareLoop.Domain.ServiceDesk;

/// <summary>The SLA metrics a policy can set targets for.</summary>
public enum SlaMetric { FirstReply, NextReply, PeriodicUpdate, AgentWorkTime, RequesterWaitTime, TotalResolution }

/// <summary>
/// A metric's state: inactive (not started), active (running and counting), paused (running, not counting in the
/// ticket's status), met (stopped within target), breached (target used up, running or stopped).
/// </summary>
public enum SlaMetricStatus { Inactive, Active, Paused, Met, Breached }

/// <summary>A target of a policy: this many business minutes of the named calendar (a code, or <c>24x7</c>).</summary>
public sealed record SlaTarget(SlaMetric Metric, int Minutes, string Calendar);

/// <summary>The conditions under which a policy applies; an empty list means "any".</summary>
public sealed record SlaConditions(
    IReadOnlyList<TicketPriority> Priorities,
    IReadOnlyList<TicketCategory> Categories,
    IReadOnlyList<TicketChannel> Channels,
    IReadOnlyList<CustomerTier> Tiers,
    IReadOnlyList<Guid> Merchants)
{
    public static SlaConditions Any { get; } = new([], [], [], [], []);

    public bool Matches(SlaSubject t) =>
        (Priorities.Count == 0 || Priorities.Contains(t.Priority)) &&
        (Categories.Count == 0 || Categories.Contains(t.Category)) &&
        (Channels.Count == 0 || Channels.Contains(t.Channel)) &&
        (Tiers.Count == 0 || Tiers.Contains(t.Tier)) &&
        (Merchants.Count == 0 || (t.MerchantId is { } m && Merchants.Contains(m)));
}

/// <summary>What policies are matched on.</summary>
public readonly record struct SlaSubject(TicketPriority Priority, TicketCategory Category, TicketChannel Channel, CustomerTier Tier, Guid? MerchantId);

/// <summary>An SLA policy as the engine sees it: identity and targets. Position orders matching (lowest first).</summary>
public sealed record SlaPolicyDefinition(Guid Id, string Name, int Position, SlaConditions Conditions, IReadOnlyList<SlaTarget> Targets)
{
    public SlaTarget? TargetFor(SlaMetric metric)
    {
        foreach (var t in Targets)
        {
            if (t.Metric == metric)
            {
                return t;
            }
        }
        return null;
    }
}

/// <summary>Picks the policy for a ticket: the first by position whose conditions match.</summary>
public static class SlaPolicyMatcher
{
    public static SlaPolicyDefinition? Match(IEnumerable<SlaPolicyDefinition> policies, SlaSubject subject) =>
        policies.OrderBy(p => p.Position).FirstOrDefault(p => p.Conditions.Matches(subject));
}

/// <summary>What happened to a ticket, as far as SLA clocks care. Instants are UTC.</summary>
public enum SlaFactKind
{
    /// <summary>The ticket was created in <see cref="SlaFact.Status"/>; <see cref="SlaFact.WithCustomerMessage"/> starts first_reply.</summary>
    Created,
    StatusChanged,
    /// <summary>A public message from the customer.</summary>
    CustomerMessage,
    /// <summary>A public reply from a person on the service side (bot replies are not facts).</summary>
    AgentReply,
    /// <summary>A policy (or none) now applies; its targets count from each metric's original start.</summary>
    PolicyApplied,
}

public readonly record struct SlaFact(DateTime At, SlaFactKind Kind, TicketStatus Status = TicketStatus.New, SlaPolicyDefinition? Policy = null, bool WithCustomerMessage = false)
{
    public static SlaFact Created(DateTime at, TicketStatus status, bool withCustomerMessage) => new(at, SlaFactKind.Created, status, WithCustomerMessage: withCustomerMessage);
    public static SlaFact StatusChanged(DateTime at, TicketStatus to) => new(at, SlaFactKind.StatusChanged, to);
    public static SlaFact CustomerMessage(DateTime at) => new(at, SlaFactKind.CustomerMessage);
    public static SlaFact AgentReply(DateTime at) => new(at, SlaFactKind.AgentReply);
    public static SlaFact PolicyApplied(DateTime at, SlaPolicyDefinition? policy) => new(at, SlaFactKind.PolicyApplied, Policy: policy);
}

/// <summary>
/// One run of a metric (first_reply has one; next_reply and periodic_update one per start; the ticket-long metrics one
/// that resumes on reopen). Due and the at-risk instant are null unless the run is counting at the time of evaluation.
/// </summary>
public sealed record SlaOccurrence(
    SlaMetric Metric,
    int Occurrence,
    int TargetMinutes,
    string Calendar,
    SlaMetricStatus Status,
    DateTime? StartedAt,
    DateTime? StoppedAt,
    TimeSpan Used,
    DateTime? Due,
    DateTime? AtRiskAt,
    DateTime? BreachedAt,
    bool AtRisk)
{
    /// <summary>Whole business minutes used.</summary>
    public long MinutesUsed => (long)Used.TotalMinutes;

    public bool IsRunning => StoppedAt is null;
}

/// <summary>The SLA state of a ticket at an instant.</summary>
public sealed record SlaEvaluation(SlaPolicyDefinition? Policy, IReadOnlyList<SlaOccurrence> Metrics, IReadOnlyList<SlaOccurrence> Occurrences)
{
    public static SlaEvaluation None { get; } = new(null, [], []);

    /// <summary>The earliest due instant of a counting metric (what queues sort by), or null.</summary>
    public DateTime? EarliestDue => Metrics.Where(m => m.Due is not null).Min(m => m.Due);

    public bool AnyBreached => Metrics.Any(m => m.Status == SlaMetricStatus.Breached);

    public bool AnyAtRisk => Metrics.Any(m => m.AtRisk);
}

/// <summary>What the escalation scan records: metric run × kind, each at most once.</summary>
public enum SlaAlertKind { AtRisk, Breached }

public readonly record struct SlaAlertKey(SlaMetric Metric, int Occurrence, SlaAlertKind Kind)
{
    /// <summary>Compact text form, e.g. <c>FirstReply#1:Breached</c>.</summary>
    public override string ToString() => $"{Metric}#{Occurrence}:{Kind}";
}
