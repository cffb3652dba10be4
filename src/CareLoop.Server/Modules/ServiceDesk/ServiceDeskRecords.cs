using CareLoop.Domain.Common;
using CareLoop.Domain.ServiceDesk;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>A stored SLA policy. Conditions and targets are JSON documents (see <see cref="SlaPolicyDocument"/>).</summary>
public sealed class SlaPolicy : Entity
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }

    /// <summary>Matching order: the first active policy (lowest position) whose conditions match applies.</summary>
    public int Position { get; set; }
    public bool Active { get; set; } = true;
    public SlaConditionsDocument Conditions { get; set; } = new();
    public List<SlaTargetDocument> Targets { get; set; } = [];
    public EscalationDocument Escalation { get; set; } = new();
}

public sealed class SlaConditionsDocument
{
    public List<TicketPriority> Priorities { get; set; } = [];
    public List<TicketCategory> Categories { get; set; } = [];
    public List<TicketChannel> Channels { get; set; } = [];
    public List<CareLoop.Domain.Commerce.CustomerTier> Tiers { get; set; } = [];
    public List<Guid> Merchants { get; set; } = [];
}

public sealed class SlaTargetDocument
{
    public SlaMetric Metric { get; set; }
    public int Minutes { get; set; }
    public string Calendar { get; set; } = "";
}

/// <summary>What happens when a metric of a ticket under the policy breaches.</summary>
public sealed class EscalationDocument
{
    /// <summary>Raise the ticket's priority one step (urgent stays urgent).</summary>
    public bool RaisePriority { get; set; }

    /// <summary>Notify the supervisor of the ticket's group (in-app and e-mail).</summary>
    public bool NotifySupervisor { get; set; }

    /// <summary>Move the ticket to this group (and route it there).</summary>
    public Guid? ReassignGroupId { get; set; }

    /// <summary>Also act when a metric becomes at risk (by default only breaches escalate; at-risk is shown and notified).</summary>
    public bool OnAtRisk { get; set; }
}

/// <summary>A queue of tickets handled by a team, with the skills its tickets need.</summary>
public sealed class SupportGroup : Entity
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string? NameEn { get; set; }
    public List<string> Skills { get; set; } = [];

    /// <summary>The user notified when a ticket of the group escalates.</summary>
    public Guid? SupervisorId { get; set; }
}

/// <summary>An agent's service-desk profile: skills, capacity, presence and group memberships.</summary>
public sealed class AgentProfile : Entity
{
    public Guid UserId { get; set; }
    public string DisplayName { get; set; } = "";
    public List<string> Skills { get; set; } = [];
    public List<Guid> Groups { get; set; } = [];

    /// <summary>How many unsolved tickets routing may give the agent at once.</summary>
    public int Capacity { get; set; } = 10;
    public Presence Presence { get; set; } = Presence.Offline;
    public DateTime? PresenceChangedAt { get; set; }

    /// <summary>Agents not yet certified (training) get no routed tickets.</summary>
    public bool Certified { get; set; } = true;
    public DateTime? LastAssignedAt { get; set; }
}

/// <summary>Maps tickets to a group by category, channel, tier and merchant; the first matching rule wins.</summary>
public sealed class RoutingRule : Entity
{
    public string Name { get; set; } = "";
    public int Position { get; set; }
    public bool Active { get; set; } = true;
    public SlaConditionsDocument Conditions { get; set; } = new();
    public Guid GroupId { get; set; }
    public List<string> RequiredSkills { get; set; } = [];
}

/// <summary>A reply template with placeholders such as {{customer.name}} and {{ticket.number}}, in Chinese and English.</summary>
public sealed class Macro : Entity
{
    public string Name { get; set; } = "";
    public string BodyZh { get; set; } = "";
    public string? BodyEn { get; set; }

    /// <summary>Optionally also set the ticket's status when applied.</summary>
    public TicketStatus? SetStatus { get; set; }
}

/// <summary>An SLA alert fired by the escalation scan; unique per (ticket, metric, occurrence, kind), so it fires once.</summary>
public sealed class SlaAlert
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TicketId { get; set; }
    public SlaMetric Metric { get; set; }
    public int Occurrence { get; set; }
    public SlaAlertKind Kind { get; set; }
    public DateTime At { get; set; }

    /// <summary>The instant the threshold was crossed (not when the scan saw it).</summary>
    public DateTime DueAt { get; set; }
    public Guid? GroupId { get; set; }
    public Guid? AssigneeId { get; set; }
    public string Actions { get; set; } = "";
}

/// <summary>Per-occurrence SLA outcome for reports, upserted whenever the ticket's SLA is recomputed.</summary>
public sealed class SlaOutcome
{
    public Guid TicketId { get; set; }
    public SlaMetric Metric { get; set; }
    public int Occurrence { get; set; }
    public int TargetMinutes { get; set; }
    public SlaMetricStatus Status { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? StoppedAt { get; set; }
    /// <summary>Business seconds used (the chat target "answered within 5 minutes" needs more than whole minutes).</summary>
    public long SecondsUsed { get; set; }
    public TicketChannel Channel { get; set; }
    public Guid? GroupId { get; set; }
    public Guid? AssigneeId { get; set; }
}

/// <summary>Named counters (ticket numbers on SQLite; PostgreSQL uses a sequence).</summary>
public sealed class Counter
{
    public string Name { get; set; } = "";
    public long Value { get; set; }
}
