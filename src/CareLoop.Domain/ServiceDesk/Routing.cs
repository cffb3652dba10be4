namespace CareLoop.Domain.ServiceDesk;

/// <summary>An agent as routing sees them.</summary>
public sealed record AgentCandidate(
    Guid UserId,
    Presence Presence,
    bool Certified,
    IReadOnlyCollection<string> Skills,
    int Capacity,
    int OpenAssigned,
    DateTime? LastAssignedAt)
{
    public int Spare => Capacity - OpenAssigned;
}

/// <summary>A ticket waiting in a group's queue.</summary>
public readonly record struct WaitingTicket(Guid TicketId, TicketPriority Priority, bool Vip, DateTime CreatedAt);

/// <summary>Routing inside a group: who gets a ticket, and which waiting ticket goes first.</summary>
public static class Routing
{
    /// <summary>
    /// The online, certified agent with every required skill and the most spare capacity; ties go to the one who
    /// was assigned longest ago (round robin), then by id so the answer is stable. Null when nobody can take it.
    /// </summary>
    public static AgentCandidate? ChooseAgent(IEnumerable<AgentCandidate> candidates, IReadOnlyCollection<string> requiredSkills)
    {
        AgentCandidate? best = null;
        foreach (var c in candidates)
        {
            if (c.Presence != Presence.Online || !c.Certified || c.Spare <= 0 || !HasSkills(c, requiredSkills))
            {
                continue;
            }
            if (best is null || Better(c, best))
            {
                best = c;
            }
        }
        return best;
    }

    private static bool HasSkills(AgentCandidate c, IReadOnlyCollection<string> required)
    {
        foreach (var skill in required)
        {
            if (!c.Skills.Contains(skill, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }

    private static bool Better(AgentCandidate a, AgentCandidate b)
    {
        if (a.Spare != b.Spare)
        {
            return a.Spare > b.Spare;
        }
        var la = a.LastAssignedAt ?? DateTime.MinValue;
        var lb = b.LastAssignedAt ?? DateTime.MinValue;
        return la != lb ? la < lb : a.UserId.CompareTo(b.UserId) < 0;
    }

    /// <summary>Queue order for assignment: urgent first, then VIP, then higher priority, then oldest.</summary>
    public static IEnumerable<WaitingTicket> QueueOrder(IEnumerable<WaitingTicket> waiting) =>
        waiting.OrderByDescending(w => w.Priority == TicketPriority.Urgent)
            .ThenByDescending(w => w.Vip)
            .ThenByDescending(w => w.Priority)
            .ThenBy(w => w.CreatedAt)
            .ThenBy(w => w.TicketId);
}
