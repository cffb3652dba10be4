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
public sealed class TicketRouter(CareLoopDbContext db, TimeProvider clock, DeskSetupCache setup)
{
    public const string Actor = "system:routing";

    /// <summary>
    /// Puts a ticket in its group (first matching rule) and assigns an agent when one is available; returns that agent.
    /// With <paramref name="touch"/> false the caller records the assignment time (<see cref="TouchAsync"/>) in its own
    /// transaction.
    /// </summary>
    public async Task<Guid?> RouteAsync(Ticket ticket, CustomerTier tier, CancellationToken ct, bool touch = true, bool announce = true)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        IReadOnlyList<string> skills = [];
        if (ticket.GroupId is null)
        {
            var subject = new SlaSubject(ticket.Priority, ticket.Category, ticket.Channel, tier, ticket.MerchantId);
            var rules = await setup.RulesAsync(db, ct);
            var rule = rules.FirstOrDefault(r => Conditions(r.Conditions).Matches(subject));
            if (rule is null)
            {
                return null;
            }
            skills = rule.RequiredSkills;
            ticket.Assign(rule.GroupId, null, now, Actor, rule.Name, announce);
        }
        if (ticket.AssigneeId is null && ticket.GroupId is { } groupId)
        {
            var group = (await setup.GroupsAsync(db, ct)).GetValueOrDefault(groupId)?.Skills ?? [];
            var agent = await ChooseAsync(groupId, skills.Concat(group).Distinct(StringComparer.OrdinalIgnoreCase).ToList(), ct);
            if (agent is not null)
            {
                ticket.Assign(groupId, agent.UserId, now, Actor, announce: announce);
                if (touch)
                {
                    await TouchAsync(agent.UserId, now, ct);
                }
                return agent.UserId;
            }
        }
        return null;
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
        var agents = (await setup.OnlineAgentsAsync(db, ct)).Where(a => a.Groups.Contains(groupId)).ToList();
        if (agents.Count == 0)
        {
            return null;
        }
        var load = await OpenLoadAsync(db, agents.Select(a => a.UserId).ToList(), ct);
        return Routing.ChooseAgent(
            agents.Select(a => new AgentCandidate(a.UserId, a.Presence, a.Certified, a.Skills, a.Capacity, load.GetValueOrDefault(a.UserId), a.LastAssignedAt)),
            skills);
    }

    /// <summary>The tier of the ticket's customer (policies and routing rules match on it).</summary>
    public static Task<CustomerTier> TierOfAsync(CareLoopDbContext db, Ticket ticket, CancellationToken ct) =>
        db.Customers.IgnoreQueryFilters().Where(c => c.Id == ticket.CustomerId).Select(c => c.Tier).SingleAsync(ct);

    /// <summary>Unsolved tickets assigned to each of the agents (absent: none).</summary>
    public static Task<Dictionary<Guid, int>> OpenLoadAsync(CareLoopDbContext db, List<Guid> agents, CancellationToken ct) =>
        db.Tickets.IgnoreQueryFilters()
            .Where(t => t.AssigneeId != null && agents.Contains(t.AssigneeId.Value) && t.QueueDueAt != null)
            .GroupBy(t => t.AssigneeId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);

    /// <summary>Records when the agent was last given a ticket (round robin among equals).</summary>
    public Task TouchAsync(Guid userId, DateTime now, CancellationToken ct) => TouchAsync(db, userId, now, ct);

    /// <inheritdoc cref="TouchAsync(Guid, DateTime, CancellationToken)"/>
    public static Task TouchAsync(CareLoopDbContext db, Guid userId, DateTime now, CancellationToken ct) =>
        db.AgentProfiles.Where(a => a.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(a => a.LastAssignedAt, now), ct);

    public static SlaConditions Conditions(SlaConditionsDocument d) => new(d.Priorities, d.Categories, d.Channels, d.Tiers, d.Merchants);
}

/// <summary>
/// Routing rules and groups, cached per process for a few seconds like the SLA policies (edits on this instance
/// invalidate at once; other instances see them within <see cref="SlaPolicyCache.Lifetime"/>).
/// </summary>
public sealed class DeskSetupCache(TimeProvider clock)
{
    private readonly TimedSnapshot<Snapshot> _snapshot = new(clock);

    private sealed record Snapshot(IReadOnlyList<RoutingRule> Rules, IReadOnlyDictionary<Guid, SupportGroup> Groups);

    private readonly TimedSnapshot<IReadOnlyList<AgentProfile>> _agents = new(clock);

    public void Invalidate() => _snapshot.Invalidate();

    /// <summary>Forgets the online agents (an agent's presence, groups, skills or capacity changed on this instance).</summary>
    public void InvalidateAgents() => _agents.Invalidate();

    /// <summary>
    /// The online, certified agents, asked for every new ticket. Changes on this instance are seen at once; a presence
    /// change on another instance within <see cref="TimedSnapshot{T}.Lifetime"/>. Their open load is always read fresh.
    /// </summary>
    public Task<IReadOnlyList<AgentProfile>> OnlineAgentsAsync(CareLoopDbContext db, CancellationToken ct) => _agents.GetAsync(async () =>
        (IReadOnlyList<AgentProfile>)await db.AgentProfiles.AsNoTracking().Where(a => a.Presence == Presence.Online && a.Certified).ToListAsync(ct));

    public async Task<IReadOnlyList<RoutingRule>> RulesAsync(CareLoopDbContext db, CancellationToken ct) => (await GetAsync(db, ct)).Rules;

    public async Task<IReadOnlyDictionary<Guid, SupportGroup>> GroupsAsync(CareLoopDbContext db, CancellationToken ct) => (await GetAsync(db, ct)).Groups;

    private Task<Snapshot> GetAsync(CareLoopDbContext db, CancellationToken ct) => _snapshot.GetAsync(async () =>
    {
        var rules = await db.RoutingRules.AsNoTracking().Where(r => r.Active).OrderBy(r => r.Position).ToListAsync(ct);
        var groups = await db.SupportGroups.AsNoTracking().ToDictionaryAsync(g => g.Id, ct);
        return new Snapshot(rules, groups);
    });
}
