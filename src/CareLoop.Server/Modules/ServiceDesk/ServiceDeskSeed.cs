using CareLoop.Domain.Calendars;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Modules.Calendars;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>
/// What a new installation starts with: the customer-service calendar (every day 08:00–22:00, Asia/Shanghai), the
/// default SLA policies of the product brief, and a general group every ticket is routed to until rules say otherwise.
/// Seeded records have fixed ids, so two instances starting together cannot seed twice.
/// </summary>
public static class ServiceDeskSeed
{
    public const string CustomerServiceCalendar = "customer-service";
    public const string GeneralGroup = "general";
    private const string Always = BuiltInCalendars.TwentyFourSeven;

    public static async Task EnsureAsync(CareLoopDbContext db, CancellationToken ct)
    {
        if (!await db.Calendars.AnyAsync(c => c.Code == CustomerServiceCalendar, ct))
        {
            var everyDay = new[] { new LocalInterval(8 * 60, 22 * 60) };
            var definition = new CalendarDefinition("Asia/Shanghai",
                Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => (IReadOnlyList<LocalInterval>)everyDay), [], new Dictionary<DateOnly, IReadOnlyList<LocalInterval>?>());
            db.Calendars.Add(new CalendarRecord
            {
                Id = Guid.Parse("0193a000-0000-7000-8000-000000000001"),
                Code = CustomerServiceCalendar, Name = "客服工作时间 (每天 08:00–22:00)", TimeZone = definition.TimeZoneId,
                Rules = System.Text.Json.JsonSerializer.Serialize(CalendarMapping.ToRules(definition), ApiJson.Options),
            });
        }
        if (!await db.SlaPolicies.AnyAsync(ct))
        {
            db.SlaPolicies.AddRange(DefaultPolicies());
        }
        if (!await db.SupportGroups.AnyAsync(ct))
        {
            var general = new SupportGroup { Id = Guid.Parse("0193a000-0000-7000-8000-000000000100"), Code = GeneralGroup, Name = "综合客服", NameEn = "General support" };
            db.SupportGroups.Add(general);
            db.RoutingRules.Add(new RoutingRule { Id = Guid.Parse("0193a000-0000-7000-8000-000000000101"), Name = "所有工单 → 综合客服", Position = 1000, GroupId = general.Id });
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance starting at the same time seeded first.
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The brief's defaults: chat 5 min; by priority; service complaints resolved within 48 h.</summary>
    public static List<SlaPolicy> DefaultPolicies()
    {
        var cs = CustomerServiceCalendar;
        var policies = new List<SlaPolicy>
        {
            Policy(1, "在线咨询 5 分钟响应 (Chat)", new() { Channels = [TicketChannel.Chat] },
                T(SlaMetric.FirstReply, 5, Always), T(SlaMetric.NextReply, 5, Always)),
        };
        var byPriority = new (TicketPriority Priority, string Name, SlaTargetDocument[] Targets)[]
        {
            (TicketPriority.Urgent, "紧急 (Urgent)", [T(SlaMetric.FirstReply, 8 * 60, Always), T(SlaMetric.NextReply, 4 * 60, Always), T(SlaMetric.TotalResolution, 24 * 60, Always)]),
            (TicketPriority.High, "高 (High)", [T(SlaMetric.FirstReply, 12 * 60, cs), T(SlaMetric.NextReply, 8 * 60, cs), T(SlaMetric.TotalResolution, 48 * 60, cs)]),
            (TicketPriority.Normal, "普通 (Normal)", [T(SlaMetric.FirstReply, 24 * 60, cs), T(SlaMetric.NextReply, 24 * 60, cs), T(SlaMetric.TotalResolution, 72 * 60, cs)]),
            (TicketPriority.Low, "低 (Low)", [T(SlaMetric.FirstReply, 48 * 60, cs), T(SlaMetric.NextReply, 48 * 60, cs), T(SlaMetric.TotalResolution, 120 * 60, cs)]),
        };
        var n = 2;
        foreach (var (priority, name, targets) in byPriority)
        {
            // Service complaints: replies as their priority, resolution within 48 h.
            var complaint = targets.Where(t => t.Metric != SlaMetric.TotalResolution).Append(T(SlaMetric.TotalResolution, 48 * 60, cs)).ToArray();
            policies.Add(Policy(n++, $"服务投诉 · {name}", new() { Categories = [TicketCategory.ServiceComplaint], Priorities = [priority] }, complaint));
        }
        foreach (var (priority, name, targets) in byPriority)
        {
            policies.Add(Policy(n++, name, new() { Priorities = [priority] }, targets));
        }
        return policies;

        static SlaPolicy Policy(int n, string name, SlaConditionsDocument conditions, params SlaTargetDocument[] targets) => new()
        {
            Id = Guid.Parse($"0193a000-0000-7000-8000-0000000002{n:D2}"),
            Name = name, Position = n * 10, Conditions = conditions, Targets = [.. targets],
            Escalation = new EscalationDocument { NotifySupervisor = true },
        };

        static SlaTargetDocument T(SlaMetric metric, int minutes, string calendar) => new() { Metric = metric, Minutes = minutes, Calendar = calendar };
    }
}
