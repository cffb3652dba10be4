using CareLoop.Domain.Calendars;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Modules.Calendars;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>
/// The active SLA policies as the engine sees them, cached per process for a few seconds (edits on this instance
/// invalidate at once; other instances see them within <see cref="Lifetime"/>, and the tickets under an edited
/// policy are re-checked by the escalation scan).
/// </summary>
public sealed class SlaPolicyCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimedSnapshot<object>.Lifetime;

    private readonly TimedSnapshot<Snapshot> _snapshot = new(clock);

    private sealed record Snapshot(IReadOnlyList<SlaPolicyDefinition> Active, IReadOnlyDictionary<Guid, SlaPolicyDefinition> All);

    public void Invalidate() => _snapshot.Invalidate();

    public async Task<IReadOnlyList<SlaPolicyDefinition>> ActiveAsync(CareLoopDbContext db, CancellationToken ct) => (await GetAsync(db, ct)).Active;

    public async Task<SlaPolicyDefinition?> FindAsync(CareLoopDbContext db, Guid id, CancellationToken ct) =>
        (await GetAsync(db, ct)).All.GetValueOrDefault(id);

    private Task<Snapshot> GetAsync(CareLoopDbContext db, CancellationToken ct) => _snapshot.GetAsync(async () =>
    {
        var records = await db.SlaPolicies.AsNoTracking().ToListAsync(ct);
        var all = records.ToDictionary(p => p.Id, ToDefinition);
        var active = records.Where(p => p.Active).OrderBy(p => p.Position).Select(p => all[p.Id]).ToList();
        return new Snapshot(active, all);
    });

    public static SlaPolicyDefinition ToDefinition(SlaPolicy p) => new(
        p.Id, p.Name, p.Position,
        new SlaConditions(p.Conditions.Priorities, p.Conditions.Categories, p.Conditions.Channels, p.Conditions.Tiers, p.Conditions.Merchants),
        p.Targets.Select(t => new SlaTarget(t.Metric, t.Minutes, t.Calendar)).ToList());
}

/// <summary>Evaluates a ticket's SLA and keeps its cached due and next-check instants in step with its timeline.</summary>
public sealed class TicketSla(CareLoopDbContext db, SlaPolicyCache policies, CalendarService calendars, SlaCalendarCache calendarCache, TimeProvider clock)
{
    private readonly Dictionary<string, BusinessCalendar> _calendars = new(StringComparer.Ordinal);

    /// <summary>Matches the policy for the ticket's current facts and records it on the timeline when it changed.</summary>
    public async Task MatchPolicyAsync(Ticket ticket, CareLoop.Domain.Commerce.CustomerTier tier, DateTime at, string actor, CancellationToken ct)
    {
        var policy = SlaPolicyMatcher.Match(await policies.ActiveAsync(db, ct),
            new SlaSubject(ticket.Priority, ticket.Category, ticket.Channel, tier, ticket.MerchantId));
        ticket.ApplyPolicy(policy?.Id, at, actor);
    }

    /// <summary>The SLA state of a loaded ticket (with its timeline) now.</summary>
    public async Task<SlaEvaluation> EvaluateAsync(Ticket ticket, CancellationToken ct)
    {
        var known = new Dictionary<Guid, SlaPolicyDefinition?>();
        foreach (var e in ticket.Events)
        {
            if (e.Kind == TicketEventKind.PolicyApplied && Guid.TryParse(e.To, out var id) && !known.ContainsKey(id))
            {
                known[id] = await policies.FindAsync(db, id, ct);
            }
        }
        var facts = ticket.SlaFacts(id => known.GetValueOrDefault(id));
        foreach (var policy in known.Values)
        {
            foreach (var target in policy?.Targets ?? [])
            {
                await LoadCalendarAsync(target.Calendar, ct);
            }
        }
        return SlaEngine.Evaluate(facts, CalendarFor, clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>Evaluates and stores the cache fields (due, next check, at risk, breached) on the ticket.</summary>
    public async Task<SlaEvaluation> RefreshAsync(Ticket ticket, CancellationToken ct)
    {
        var evaluation = await EvaluateAsync(ticket, ct);
        ticket.CacheSla(evaluation, ticket.FiredAlerts());
        await RecordOutcomesAsync(ticket, evaluation, ct);
        return evaluation;
    }

    /// <summary>Keeps the report rows of met and breached metric runs in step (a run that is still going is not counted yet).</summary>
    private async Task RecordOutcomesAsync(Ticket ticket, SlaEvaluation evaluation, CancellationToken ct)
    {
        var decided = evaluation.Occurrences.Where(o => o.Status is SlaMetricStatus.Met or SlaMetricStatus.Breached && o.StartedAt is not null).ToList();
        if (decided.Count == 0)
        {
            return;
        }
        var existing = db.Entry(ticket).State == EntityState.Added
            ? []
            : await db.SlaOutcomes.Where(x => x.TicketId == ticket.Id).ToListAsync(ct);
        foreach (var o in decided)
        {
            var row = existing.FirstOrDefault(x => x.Metric == o.Metric && x.Occurrence == o.Occurrence);
            if (row is null)
            {
                row = new SlaOutcome { TicketId = ticket.Id, Metric = o.Metric, Occurrence = o.Occurrence };
                db.SlaOutcomes.Add(row);
            }
            row.TargetMinutes = o.TargetMinutes;
            row.Status = o.Status;
            row.StartedAt = o.StartedAt!.Value;
            row.StoppedAt = o.StoppedAt;
            row.SecondsUsed = (long)o.Used.TotalSeconds;
            row.Channel = ticket.Channel;
            row.GroupId = ticket.GroupId;
            row.AssigneeId = ticket.AssigneeId;
        }
    }

    private async Task LoadCalendarAsync(string code, CancellationToken ct)
    {
        if (_calendars.ContainsKey(code))
        {
            return;
        }
        _calendars[code] = await calendarCache.GetAsync(code, () => calendars.FindAsync(code, ct))
            ?? (BuiltInCalendars.TryGetDefinition(code, out var builtIn) ? new BusinessCalendar(builtIn!) : TwentyFourSeven);
    }

    private static readonly BusinessCalendar TwentyFourSeven = new(BuiltInCalendars.TwentyFourSevenDefinition);

    private BusinessCalendar CalendarFor(string code) => _calendars.GetValueOrDefault(code) ?? TwentyFourSeven;
}

/// <summary>
/// Calendars by code for SLA evaluation, kept for a few seconds so hot paths skip the per-request lookup. An edited
/// calendar is used by this cache within <see cref="SlaPolicyCache.Lifetime"/>.
/// </summary>
public sealed class SlaCalendarCache(TimeProvider clock)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTime LoadedAt, BusinessCalendar? Calendar)> _byCode = new(StringComparer.Ordinal);

    public async Task<BusinessCalendar?> GetAsync(string code, Func<Task<BusinessCalendar?>> load)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_byCode.TryGetValue(code, out var hit) && now - hit.LoadedAt < SlaPolicyCache.Lifetime && now >= hit.LoadedAt)
        {
            return hit.Calendar;
        }
        var calendar = await load();
        _byCode[code] = (now, calendar);
        return calendar;
    }
}
