using System.Security.Claims;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

public sealed record SlaPolicyBody(string? Name, string? Description, int? Position, bool? Active, SlaConditionsDocument? Conditions, List<SlaTargetDocument>? Targets, EscalationDocument? Escalation);
public sealed record SlaPolicyView(Guid Id, string Name, string? Description, int Position, bool Active, SlaConditionsDocument Conditions, List<SlaTargetDocument> Targets, EscalationDocument Escalation, long Version);
public sealed record GroupBody(string? Name, string? NameEn, List<string>? Skills, Guid? SupervisorId);
public sealed record GroupView(Guid Id, string Code, string Name, string? NameEn, List<string> Skills, Guid? SupervisorId, long Version);
public sealed record AgentBody(string? DisplayName, List<string>? Skills, List<string>? Groups, int? Capacity, bool? Certified, Presence? Presence);
public sealed record AgentView(Guid UserId, string DisplayName, List<string> Skills, List<Guid> Groups, int Capacity, Presence Presence, bool Certified, int OpenTickets, long Version);
public sealed record PresenceBody(Presence? Presence);
public sealed record RoutingRuleBody(string? Name, int? Position, bool? Active, SlaConditionsDocument? Conditions, string? Group, List<string>? RequiredSkills);
public sealed record RoutingRuleView(Guid Id, string Name, int Position, bool Active, SlaConditionsDocument Conditions, Guid GroupId, List<string> RequiredSkills, long Version);

/// <summary>Setup of the desk: SLA policies, groups, agents (skills, capacity, presence) and routing rules.</summary>
public sealed class ServiceDeskAdmin(CareLoopDbContext db, SlaPolicyCache policies, DeskSetupCache setup, TicketRouter router, TimeProvider clock)
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/sla-policies", (ServiceDeskAdmin a, CancellationToken ct) => a.ListPoliciesAsync(ct)).RequireAuthorization(Policies.ServiceDesk);
        api.MapPost("/sla-policies", (SlaPolicyBody body, ServiceDeskAdmin a, CancellationToken ct) => a.SavePolicyAsync(null, body, ct)).RequireAuthorization(Policies.Manage);
        api.MapPut("/sla-policies/{id:guid}", (Guid id, SlaPolicyBody body, ServiceDeskAdmin a, CancellationToken ct) => a.SavePolicyAsync(id, body, ct)).RequireAuthorization(Policies.Manage);
        api.MapDelete("/sla-policies/{id:guid}", (Guid id, ServiceDeskAdmin a, CancellationToken ct) => a.DeletePolicyAsync(id, ct)).RequireAuthorization(Policies.Manage);
        api.MapGet("/support-groups", (ServiceDeskAdmin a, CancellationToken ct) => a.ListGroupsAsync(ct)).RequireAuthorization(Policies.ServiceDesk);
        api.MapPut("/support-groups/{code}", (string code, GroupBody body, ServiceDeskAdmin a, CancellationToken ct) => a.SaveGroupAsync(code, body, ct)).RequireAuthorization(Policies.Manage);
        api.MapGet("/agents", (ServiceDeskAdmin a, CancellationToken ct) => a.ListAgentsAsync(ct)).RequireAuthorization(Policies.ServiceDesk);
        api.MapPut("/agents/{userId:guid}", (Guid userId, AgentBody body, ServiceDeskAdmin a, CancellationToken ct) => a.SaveAgentAsync(userId, body, ct)).RequireAuthorization(Policies.Manage);
        api.MapPut("/agents/me/presence", (PresenceBody body, ServiceDeskAdmin a, ClaimsPrincipal user, CancellationToken ct) => a.SetOwnPresenceAsync(user, body, ct)).RequireAuthorization(Policies.ServiceDesk);
        api.MapGet("/routing-rules", (ServiceDeskAdmin a, CancellationToken ct) => a.ListRulesAsync(ct)).RequireAuthorization(Policies.ServiceDesk);
        api.MapPost("/routing-rules", (RoutingRuleBody body, ServiceDeskAdmin a, CancellationToken ct) => a.SaveRuleAsync(null, body, ct)).RequireAuthorization(Policies.Manage);
        api.MapPut("/routing-rules/{id:guid}", (Guid id, RoutingRuleBody body, ServiceDeskAdmin a, CancellationToken ct) => a.SaveRuleAsync(id, body, ct)).RequireAuthorization(Policies.Manage);
        api.MapDelete("/routing-rules/{id:guid}", (Guid id, ServiceDeskAdmin a, CancellationToken ct) => a.DeleteRuleAsync(id, ct)).RequireAuthorization(Policies.Manage);
    }

    public async Task<Ok<List<SlaPolicyView>>> ListPoliciesAsync(CancellationToken ct) =>
        TypedResults.Ok((await db.SlaPolicies.AsNoTracking().OrderBy(p => p.Position).ToListAsync(ct)).Select(View).ToList());

    private static SlaPolicyView View(SlaPolicy p) => new(p.Id, p.Name, p.Description, p.Position, p.Active, p.Conditions, p.Targets, p.Escalation, p.Version);

    public async Task<Results<Ok<SlaPolicyView>, Created<SlaPolicyView>, ValidationProblem, NotFound<ProblemDetails>>> SavePolicyAsync(Guid? id, SlaPolicyBody body, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (errors.Required("name", body.Name)) errors.MaxLength("name", body.Name, 200);
        errors.MaxLength("description", body.Description, 2000);
        var targets = body.Targets ?? [];
        for (var i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            if (t.Minutes is < 1 or > 525_600) errors.Add($"targets[{i}].minutes", "must be 1 to 525600 minutes.");
            if (string.IsNullOrWhiteSpace(t.Calendar) || !await db.Calendars.AnyAsync(c => c.Code == t.Calendar, ct)) errors.Add($"targets[{i}].calendar", "names no calendar.");
            if (targets.Take(i).Any(o => o.Metric == t.Metric)) errors.Add($"targets[{i}].metric", "appears twice.");
        }
        if (body.Escalation?.ReassignGroupId is { } g && !await db.SupportGroups.AnyAsync(x => x.Id == g, ct)) errors.Add("escalation.reassignGroupId", "names no group.");
        if (errors.Any)
        {
            return Problems.Validation(errors);
        }
        SlaPolicy policy;
        if (id is { } existing)
        {
            var found = await db.SlaPolicies.SingleOrDefaultAsync(p => p.Id == existing, ct);
            if (found is null)
            {
                return Problems.NotFound("No such SLA policy.");
            }
            policy = found;
        }
        else
        {
            policy = new SlaPolicy { Position = (await db.SlaPolicies.MaxAsync(p => (int?)p.Position, ct) ?? 0) + 10 };
            db.SlaPolicies.Add(policy);
        }
        policy.Name = body.Name!.Trim();
        policy.Description = body.Description;
        policy.Position = body.Position ?? policy.Position;
        policy.Active = body.Active ?? policy.Active;
        policy.Conditions = body.Conditions ?? new SlaConditionsDocument();
        policy.Targets = targets;
        policy.Escalation = body.Escalation ?? new EscalationDocument();
        await db.SaveChangesAsync(ct);
        await RecheckAsync(policy.Id, ct);
        return id is null ? TypedResults.Created($"/api/v1/sla-policies/{policy.Id}", View(policy)) : TypedResults.Ok(View(policy));
    }

    public async Task<Results<NoContent, NotFound<ProblemDetails>>> DeletePolicyAsync(Guid id, CancellationToken ct)
    {
        var policy = await db.SlaPolicies.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (policy is null)
        {
            return Problems.NotFound("No such SLA policy.");
        }
        // Tickets keep their history; a deleted policy is kept inactive so their SLA still reads.
        policy.Active = false;
        await db.SaveChangesAsync(ct);
        await RecheckAsync(id, ct);
        return TypedResults.NoContent();
    }

    /// <summary>After a policy edit, the tickets under it are re-evaluated by the next escalation scan.</summary>
    private async Task RecheckAsync(Guid policyId, CancellationToken ct)
    {
        policies.Invalidate();
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Tickets.IgnoreQueryFilters()
            .Where(t => t.SlaPolicyId == policyId && t.QueueDueAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.SlaNextCheckAt, now), ct);
    }

    public async Task<Ok<List<GroupView>>> ListGroupsAsync(CancellationToken ct) =>
        TypedResults.Ok(await db.SupportGroups.AsNoTracking().OrderBy(g => g.Code)
            .Select(g => new GroupView(g.Id, g.Code, g.Name, g.NameEn, g.Skills, g.SupervisorId, g.Version)).ToListAsync(ct));

    public async Task<Results<Ok<GroupView>, Created<GroupView>, ValidationProblem>> SaveGroupAsync(string code, GroupBody body, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (code.Length > 64 || !code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) errors.Add("code", "must be 1–64 letters, digits, '-' or '_'.");
        if (errors.Required("name", body.Name)) errors.MaxLength("name", body.Name, 200);
        errors.MaxLength("nameEn", body.NameEn, 200);
        if (body.SupervisorId is { } s && !await db.Users.AnyAsync(u => u.Id == s, ct)) errors.Add("supervisorId", "names no user.");
        if (errors.Any)
        {
            return Problems.Validation(errors);
        }
        var group = await db.SupportGroups.SingleOrDefaultAsync(g => g.Code == code, ct);
        var created = group is null;
        if (group is null)
        {
            group = new SupportGroup { Code = code };
            db.SupportGroups.Add(group);
        }
        group.Name = body.Name!.Trim();
        group.NameEn = body.NameEn;
        group.Skills = Skills(body.Skills);
        group.SupervisorId = body.SupervisorId;
        await db.SaveChangesAsync(ct);
        setup.Invalidate();
        var view = new GroupView(group.Id, group.Code, group.Name, group.NameEn, group.Skills, group.SupervisorId, group.Version);
        return created ? TypedResults.Created($"/api/v1/support-groups/{code}", view) : TypedResults.Ok(view);
    }

    private static List<string> Skills(List<string>? skills) =>
        (skills ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim().ToLowerInvariant()).Distinct().ToList();

    public async Task<Ok<List<AgentView>>> ListAgentsAsync(CancellationToken ct)
    {
        var agents = await db.AgentProfiles.AsNoTracking().OrderBy(a => a.DisplayName).ToListAsync(ct);
        var load = await TicketRouter.OpenLoadAsync(db, agents.Select(a => a.UserId).ToList(), ct);
        return TypedResults.Ok(agents.Select(a => View(a, load.GetValueOrDefault(a.UserId))).ToList());
    }

    private static AgentView View(AgentProfile a, int open) => new(a.UserId, a.DisplayName, a.Skills, a.Groups, a.Capacity, a.Presence, a.Certified, open, a.Version);

    /// <summary>Creates or updates an agent's profile; groups are given by code.</summary>
    public async Task<Results<Ok<AgentView>, ValidationProblem>> SaveAgentAsync(Guid userId, AgentBody body, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) errors.Add("userId", "names no user.");
        if (body.Capacity is < 0 or > 500) errors.Add("capacity", "must be 0 to 500.");
        errors.MaxLength("displayName", body.DisplayName, 200);
        var groups = new List<Guid>();
        foreach (var (code, i) in (body.Groups ?? []).Select((c, i) => (c, i)))
        {
            var id = await db.SupportGroups.Where(g => g.Code == code).Select(g => (Guid?)g.Id).SingleOrDefaultAsync(ct);
            if (id is null) errors.Add($"groups[{i}]", "names no group.");
            else groups.Add(id.Value);
        }
        if (errors.Any)
        {
            return Problems.Validation(errors);
        }
        var profile = await db.AgentProfiles.SingleOrDefaultAsync(a => a.UserId == userId, ct);
        if (profile is null)
        {
            profile = new AgentProfile { UserId = userId, DisplayName = user!.DisplayName };
            db.AgentProfiles.Add(profile);
        }
        if (body.DisplayName is { } name) profile.DisplayName = name.Trim();
        if (body.Skills is not null) profile.Skills = Skills(body.Skills);
        if (body.Groups is not null) profile.Groups = groups.Distinct().ToList();
        if (body.Capacity is { } capacity) profile.Capacity = capacity;
        if (body.Certified is { } certified) profile.Certified = certified;
        if (body.Presence is { } presence && presence != profile.Presence)
        {
            profile.Presence = presence;
            profile.PresenceChangedAt = clock.GetUtcNow().UtcDateTime;
        }
        await db.SaveChangesAsync(ct);
        setup.InvalidateAgents();
        await router.AssignWaitingAsync(userId, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(View(profile, await OpenCountAsync(userId, ct)));
    }

    /// <summary>An agent sets their own presence; coming online hands them waiting tickets.</summary>
    public async Task<Results<Ok<AgentView>, ValidationProblem, NotFound<ProblemDetails>>> SetOwnPresenceAsync(ClaimsPrincipal user, PresenceBody body, CancellationToken ct)
    {
        if (body.Presence is null)
        {
            return Problems.Validation("presence", "is required.");
        }
        var userId = CareLoopClaims.UserIdOf(user);
        var profile = userId is null ? null : await db.AgentProfiles.SingleOrDefaultAsync(a => a.UserId == userId, ct);
        if (profile is null)
        {
            return Problems.NotFound("You have no agent profile.");
        }
        if (profile.Presence != body.Presence)
        {
            profile.Presence = body.Presence.Value;
            profile.PresenceChangedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
            setup.InvalidateAgents();
        }
        await router.AssignWaitingAsync(profile.UserId, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(View(profile, await OpenCountAsync(profile.UserId, ct)));
    }

    private Task<int> OpenCountAsync(Guid userId, CancellationToken ct) =>
        db.Tickets.IgnoreQueryFilters().CountAsync(t => t.AssigneeId == userId && t.QueueDueAt != null, ct);

    public async Task<Ok<List<RoutingRuleView>>> ListRulesAsync(CancellationToken ct) =>
        TypedResults.Ok((await db.RoutingRules.AsNoTracking().OrderBy(r => r.Position).ToListAsync(ct)).Select(View).ToList());

    private static RoutingRuleView View(RoutingRule r) => new(r.Id, r.Name, r.Position, r.Active, r.Conditions, r.GroupId, r.RequiredSkills, r.Version);

    public async Task<Results<Ok<RoutingRuleView>, Created<RoutingRuleView>, ValidationProblem, NotFound<ProblemDetails>>> SaveRuleAsync(Guid? id, RoutingRuleBody body, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (errors.Required("name", body.Name)) errors.MaxLength("name", body.Name, 200);
        Guid? groupId = null;
        if (errors.Required("group", body.Group))
        {
            groupId = await db.SupportGroups.Where(g => g.Code == body.Group).Select(g => (Guid?)g.Id).SingleOrDefaultAsync(ct);
            if (groupId is null) errors.Add("group", "names no group.");
        }
        if (errors.Any)
        {
            return Problems.Validation(errors);
        }
        RoutingRule rule;
        if (id is { } existing)
        {
            var found = await db.RoutingRules.SingleOrDefaultAsync(r => r.Id == existing, ct);
            if (found is null)
            {
                return Problems.NotFound("No such routing rule.");
            }
            rule = found;
        }
        else
        {
            rule = new RoutingRule { Position = body.Position ?? 100 };
            db.RoutingRules.Add(rule);
        }
        rule.Name = body.Name!.Trim();
        rule.Position = body.Position ?? rule.Position;
        rule.Active = body.Active ?? rule.Active;
        rule.Conditions = body.Conditions ?? new SlaConditionsDocument();
        rule.GroupId = groupId!.Value;
        rule.RequiredSkills = Skills(body.RequiredSkills);
        await db.SaveChangesAsync(ct);
        setup.Invalidate();
        return id is null ? TypedResults.Created($"/api/v1/routing-rules/{rule.Id}", View(rule)) : TypedResults.Ok(View(rule));
    }

    public async Task<Results<NoContent, NotFound<ProblemDetails>>> DeleteRuleAsync(Guid id, CancellationToken ct)
    {
        var deleted = await db.RoutingRules.Where(r => r.Id == id).ExecuteDeleteAsync(ct);
        setup.Invalidate();
        return deleted == 0 ? Problems.NotFound("No such routing rule.") : TypedResults.NoContent();
    }
}
