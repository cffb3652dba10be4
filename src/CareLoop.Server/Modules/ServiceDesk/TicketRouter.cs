using CareLoop.Domain.Commerce;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>
/// Routing: rules put a ticket in a group; inside the group it goes to the online, certified agent with the needed
/// skills and the most spare capacity (ties round robin). With nobody available it waits in the group queue and is
/// handed out when an agent comes online or frees capacity (urgent and VIP first).
/// </summary>
public sealed class TicketRouter(CareLoopDbContext db, TimeProvider clock)
{
    public const string Actor = "system:routing";

    /// <summary>Puts a new ticket in its group (first matching rule) and assigns an agent when one is available.</summary>
    public async Task RouteAsync(Ticket ticket, CustomerTier tier, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        IReadOnlyList<string> skills = [];
        if (ticket.GroupId is null)
        {
            var subject = new SlaSubject(ticket.Priority, ticket.Category, ticket.Channel, tier, ticket.MerchantId);
            var rules = await db.RoutingRules.AsNoTracking().Where(r => r.Active).OrderBy(r => r.Position).ToListAsync(ct);
            var rule = rules.FirstOrDefault(r => Conditions(r.Conditions).Matches(subject));
            if (rule is null)
            {
                return;
            }
            skills = rule.RequiredSkills;
            ticket.Assign(rule.GroupId, null, now, Actor, rule.Name);
        }
        if (ticket.AssigneeId is null && ticket.GroupId is { } groupId)
        {
            var group = await db.SupportGroups.AsNoTracking().Where(g => g.Id == groupId).Select(g => g.Skills).SingleOrDefaultAsync(ct) ?? [];
            var agent = await ChooseAsync(groupId, skills.Concat(group).Distinct(StringComparer.OrdinalIgnoreCase).ToList(), ct);
            if (agent is not null)
            {
                ticket.Assign(groupId, agent.UserId, now, Actor);
                await TouchAsync(agent.UserId, now, ct);
            }
        }
    }

    /// <summary>Hands waiting tickets of the agent's groups to the agent while they have spare capacity.</summary>
    public async Task<int> AssignWaitingAsync(Guid userId, CancellationToken ct)
    {
        var profile = await db.AgentProfiles.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == userId, ct);
        if (profile is null || profile.Presence != Presence.Online || !profile.Certified || profile.Groups.Count == 0)
        {
            return 0;
        }
        var open = await db.Tickets.IgnoreQueryFilters().CountAsync(t => t.AssigneeId == userId && t.QueueDueAt != null, ct);
        var spare = profile.Capacity - open;
        if (spare <= 0)
        {
            return 0;
        }
        var groups = await db.SupportGroups.AsNoTracking().Where(g => profile.Groups.Contains(g.Id)).ToListAsync(ct);
        var eligible = groups.Where(g => g.Skills.All(s => profile.Skills.Contains(s, StringComparer.OrdinalIgnoreCase))).Select(g => g.Id).ToList();
        var waiting = await db.Tickets.IgnoreQueryFilters()
            .Where(t => t.AssigneeId == null && t.GroupId != null && eligible.Contains(t.GroupId.Value)
                        && t.QueueDueAt != null && t.MergedIntoId == null)
            .OrderByDescending(t => t.Priority).ThenBy(t => t.CreatedAt).Take(spare * 4 + 20)
            .Select(t => new WaitingTicket(t.Id, t.Priority, t.Vip, t.CreatedAt)).ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var assigned = 0;
        foreach (var w in Routing.QueueOrder(waiting).Take(spare))
        {
            var ticket = await db.Tickets.IgnoreQueryFilters().SingleAsync(t => t.Id == w.TicketId, ct);
            ticket.Assign(ticket.GroupId, userId, now, Actor);
            assigned++;
        }
        if (assigned > 0)
        {
            await db.AgentProfiles.Where(a => a.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastAssignedAt, now), ct);
        }
        return assigned;
    }

    private async Task<AgentCandidate?> ChooseAsync(Guid groupId, IReadOnlyCollection<string> skills, CancellationToken ct)
    {
        var agents = await db.AgentProfiles.AsNoTracking()
            .Where(a => a.Presence == Presence.Online && a.Certified && a.Groups.Contains(groupId))
            .ToListAsync(ct);
        if (agents.Count == 0)
        {
            return null;
        }
        var ids = agents.Select(a => a.UserId).ToList();
        var load = await db.Tickets.IgnoreQueryFilters()
            .Where(t => t.AssigneeId != null && ids.Contains(t.AssigneeId.Value) && t.QueueDueAt != null)
            .GroupBy(t => t.AssigneeId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return Routing.ChooseAgent(
            agents.Select(a => new AgentCandidate(a.UserId, a.Presence, a.Certified, a.Skills, a.Capacity, load.GetValueOrDefault(a.UserId), a.LastAssignedAt)),
            skills);
    }

    private Task TouchAsync(Guid userId, DateTime now, CancellationToken ct) =>
        db.AgentProfiles.Where(a => a.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastAssignedAt, now), ct);

    public static SlaConditions Conditions(SlaConditionsDocument d) => new(d.Priorities, d.Categories, d.Channels, d.Tiers, d.Merchants);
}
