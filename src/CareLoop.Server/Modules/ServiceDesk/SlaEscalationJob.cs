using System.Globalization;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Jobs;
using CareLoop.Server.Platform.Notifications;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>
/// The at-risk/breach scan. It reads only tickets whose cached next check instant has passed (an indexed range), so
/// its cost follows the number of tickets coming due, not the number open. Each (ticket, metric, occurrence, kind)
/// alert is stored once (a unique index) in the same transaction as its actions and the ticket's version bump, so
/// with several instances an alert and its escalation happen exactly once.
/// </summary>
public sealed class SlaEscalationJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SlaEscalationJob> log) : IScheduledJob
{
    public const string Name = "sla-escalation";
    public const int BatchSize = 200;

    public async Task RunAsync(JobRunContext context, CancellationToken ct)
    {
        var seen = new HashSet<Guid>();
        while (!ct.IsCancellationRequested)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            List<Guid> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
                due = await DueAsync(db, now, BatchSize, ct);
            }
            due.RemoveAll(id => !seen.Add(id));
            if (due.Count == 0)
            {
                return;
            }
            foreach (var id in due)
            {
                await ProcessAsync(id, ct);
            }
        }
    }

    /// <summary>Tickets whose next check instant has passed, earliest first (the scan's one query).</summary>
    public static Task<List<Guid>> DueAsync(CareLoopDbContext db, DateTime now, int take, CancellationToken ct) =>
        db.Tickets.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.SlaNextCheckAt != null && t.SlaNextCheckAt <= now)
            .OrderBy(t => t.SlaNextCheckAt).Select(t => t.Id).Take(take).ToListAsync(ct);

    private async Task ProcessAsync(Guid ticketId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<CareLoopDbContext>();
        var sla = sp.GetRequiredService<TicketSla>();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var ticket = await db.Tickets.IgnoreQueryFilters().Include(t => t.Events).SingleOrDefaultAsync(t => t.Id == ticketId, ct);
            if (ticket is null)
            {
                return;
            }
            var now = clock.GetUtcNow().UtcDateTime;
            var evaluation = await sla.EvaluateAsync(ticket, ct);
            var fired = ticket.FiredAlerts();
            var alerts = SlaEngine.DueAlerts(evaluation, fired, now);
            foreach (var key in alerts)
            {
                var occurrence = evaluation.Occurrences.First(o => o.Metric == key.Metric && o.Occurrence == key.Occurrence);
                var actions = await EscalateAsync(sp, db, sla, ticket, evaluation, occurrence, key, now, ct);
                db.SlaAlerts.Add(new SlaAlert
                {
                    TicketId = ticket.Id, Metric = key.Metric, Occurrence = key.Occurrence, Kind = key.Kind, At = now,
                    DueAt = (key.Kind == SlaAlertKind.AtRisk ? occurrence.AtRiskAt : occurrence.BreachedAt) ?? now,
                    GroupId = ticket.GroupId, AssigneeId = ticket.AssigneeId, Actions = string.Join(',', actions),
                });
                ticket.MarkFired(key);
            }
            var after = await sla.EvaluateAsync(ticket, ct);
            ticket.CacheSla(after, ticket.FiredAlerts());
            // Bump the version even when nothing fired, so two instances racing on this ticket conflict.
            db.Entry(ticket).Property(t => t.SlaNextCheckAt).IsModified = true;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            if (alerts.Count > 0)
            {
                ServiceDeskLog.AlertsFired(log, ticket.Number, string.Join(", ", alerts));
            }
        }
        catch (DbUpdateException e)
        {
            // Another instance handled this ticket at the same time (unique alert or version conflict): its work stands.
            ServiceDeskLog.ScanConflict(log, ticketId, e.GetType().Name);
        }
    }

    private static async Task<List<string>> EscalateAsync(
        IServiceProvider sp, CareLoopDbContext db, TicketSla sla, Ticket ticket, SlaEvaluation evaluation, SlaOccurrence occurrence,
        SlaAlertKey key, DateTime now, CancellationToken ct)
    {
        const string actor = "system:sla";
        var metric = TicketActions.Wire(key.Metric);
        ticket.Record(key.Kind == SlaAlertKind.AtRisk ? TicketEventKind.SlaAtRisk : TicketEventKind.SlaBreached, now, actor,
            to: metric, note: occurrence.Occurrence.ToString(CultureInfo.InvariantCulture));
        var actions = new List<string>();
        var policy = evaluation.Policy is { } p ? await db.SlaPolicies.AsNoTracking().SingleOrDefaultAsync(x => x.Id == p.Id, ct) : null;
        var escalation = policy?.Escalation;
        var acts = escalation is not null && occurrence.IsRunning && TicketLifecycle.IsUnsolved(ticket.Status)
            && (key.Kind == SlaAlertKind.Breached || escalation.OnAtRisk);
        if (!acts)
        {
            return actions;
        }
        CareLoop.Domain.Commerce.CustomerTier? tier = null;
        if (escalation!.RaisePriority && ticket.Priority < TicketPriority.Urgent)
        {
            ticket.ChangePriority(ticket.Priority + 1, now, actor, $"sla_{metric}");
            tier ??= await TicketRouter.TierOfAsync(db, ticket, ct);
            await sla.MatchPolicyAsync(ticket, tier.Value, now, actor, ct);
            actions.Add("raise_priority");
        }
        // The supervisor of the group the ticket breached in (before any reassignment).
        if (escalation.NotifySupervisor && ticket.GroupId is { } groupId
            && await db.SupportGroups.Where(g => g.Id == groupId).Select(g => g.SupervisorId).SingleOrDefaultAsync(ct) is { } supervisor)
        {
            await sp.GetRequiredService<Notifier>().NotifyAsync(db, new NotificationRequest(ServiceDeskTemplates.Escalated,
                NotificationRecipient.User(supervisor), NotificationCategory.Transactional,
                new Dictionary<string, string?>
                {
                    ["ticketNo"] = ticket.Number.ToString(CultureInfo.InvariantCulture),
                    ["subject"] = ticket.Subject,
                    ["metric"] = metric,
                    ["kind"] = TicketActions.Wire(key.Kind),
                })
            {
                AggregateKey = $"ticket:{ticket.Id}",
                Link = $"/desk/tickets/{ticket.Number}",
                Channels = [NotificationChannel.InApp, NotificationChannel.Email],
            }, ct);
            actions.Add("notify_supervisor");
        }
        if (escalation.ReassignGroupId is { } target && target != ticket.GroupId && await db.SupportGroups.AnyAsync(g => g.Id == target, ct))
        {
            ticket.Assign(target, null, now, actor, $"sla_{metric}");
            tier ??= await TicketRouter.TierOfAsync(db, ticket, ct);
            await sp.GetRequiredService<TicketRouter>().RouteAsync(ticket, tier.Value, ct);
            actions.Add("reassign_group");
        }
        if (actions.Count > 0)
        {
            ticket.Record(TicketEventKind.Escalated, now, actor, to: string.Join(',', actions), note: metric);
        }
        return actions;
    }
}

/// <summary>Closes tickets solved more than <c>serviceDesk.autoCloseDays</c> days ago.</summary>
public sealed class AutoCloseJob(CareLoopDbContext db, Platform.Settings.SettingsStore settings, TimeProvider clock) : IScheduledJob
{
    public const string Name = "ticket-auto-close";

    public async Task RunAsync(JobRunContext context, CancellationToken ct)
    {
        var days = await settings.GetIntAsync(ServiceDeskSettings.AutoCloseDays, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now.AddDays(-days);
        while (!ct.IsCancellationRequested)
        {
            var batch = await db.Tickets.IgnoreQueryFilters().Include(t => t.Events)
                .Where(t => t.Status == TicketStatus.Solved && t.SolvedAt <= cutoff).OrderBy(t => t.SolvedAt).Take(100).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return;
            }
            foreach (var t in batch)
            {
                t.ChangeStatus(TicketStatus.Closed, now, "system:auto-close");
                t.SlaNextCheckAt = null;
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
    }
}
