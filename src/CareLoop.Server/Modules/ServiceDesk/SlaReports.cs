using System.Globalization;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

public sealed record SlaReportRow(SlaMetric Metric, string? Key, string? Name, int Total, int Met, int Breached, double MetShare);

public sealed record ChatAnswerReport(int Chats, int AnsweredWithinFiveMinutes, double Share, double Target);

public sealed record SlaReport(DateTimeOffset From, DateTimeOffset To, string By, IReadOnlyList<SlaReportRow> Rows, ChatAnswerReport Chat);

/// <summary>
/// Share of SLAs met per metric, and per group, agent or channel, for metric runs that started in a period; and the
/// share of chats answered within five minutes (the brief's target: 90 %). Counts decided runs only (met or breached).
/// </summary>
public static class SlaReports
{
    public const double ChatTarget = 0.9;
    private static readonly string[] Dimensions = ["metric", "group", "agent", "channel"];

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/reports/sla", GetAsync).RequireAuthorization(Policies.Manage);

    public static async Task<Results<Ok<SlaReport>, ValidationProblem>> GetAsync(
        CareLoopDbContext db, TimeProvider clock, CancellationToken ct, string? from = null, string? to = null, string? by = null)
    {
        var errors = new ValidationErrors();
        var now = clock.GetUtcNow();
        var end = Parse(to, "to", errors) ?? now;
        var start = Parse(from, "from", errors) ?? end.AddDays(-7);
        if (start >= end) errors.Add("from", "must be before to.");
        var dimension = by ?? "metric";
        if (!Dimensions.Contains(dimension)) errors.Add("by", "must be metric, group, agent or channel.");
        if (errors.Any)
        {
            return Problems.Validation(errors);
        }
        DateTime a = start.UtcDateTime, b = end.UtcDateTime;
        var rows = db.SlaOutcomes.AsNoTracking().Where(o => o.StartedAt >= a && o.StartedAt < b);
        var counts = dimension switch
        {
            "group" => await rows.GroupBy(o => new { o.Metric, Key = o.GroupId.ToString(), o.Status })
                .Select(g => new Count(g.Key.Metric, g.Key.Key, g.Key.Status, g.Count())).ToListAsync(ct),
            "agent" => await rows.GroupBy(o => new { o.Metric, Key = o.AssigneeId.ToString(), o.Status })
                .Select(g => new Count(g.Key.Metric, g.Key.Key, g.Key.Status, g.Count())).ToListAsync(ct),
            "channel" => await rows.GroupBy(o => new { o.Metric, o.Channel, o.Status })
                .Select(g => new Count(g.Key.Metric, g.Key.Channel.ToString(), g.Key.Status, g.Count())).ToListAsync(ct),
            _ => await rows.GroupBy(o => new { o.Metric, o.Status })
                .Select(g => new Count(g.Key.Metric, null, g.Key.Status, g.Count())).ToListAsync(ct),
        };
        var names = await NamesAsync(db, dimension, counts.Select(c => c.Key ?? "").Where(k => k.Length > 0).Distinct().ToList(), ct);
        var report = counts.GroupBy(c => (c.Metric, Key: string.IsNullOrEmpty(c.Key) ? null : c.Key))
            .Select(g =>
            {
                var met = g.Where(c => c.Status == SlaMetricStatus.Met).Sum(c => c.N);
                var breached = g.Where(c => c.Status == SlaMetricStatus.Breached).Sum(c => c.N);
                var key = g.Key.Key is { } k && dimension == "channel" ? TicketActions.Wire(Enum.Parse<TicketChannel>(k)) : g.Key.Key;
                return new SlaReportRow(g.Key.Metric, key, g.Key.Key is { } id ? names.GetValueOrDefault(id) : null,
                    met + breached, met, breached, met + breached == 0 ? 0 : Math.Round((double)met / (met + breached), 4));
            })
            .OrderBy(r => r.Metric).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();

        var chats = rows.Where(o => o.Metric == SlaMetric.FirstReply && o.Channel == TicketChannel.Chat);
        var total = await chats.CountAsync(ct);
        var within = await chats.CountAsync(o => o.Status == SlaMetricStatus.Met && o.SecondsUsed <= 300, ct);
        return TypedResults.Ok(new SlaReport(start, end, dimension, report,
            new ChatAnswerReport(total, within, total == 0 ? 0 : Math.Round((double)within / total, 4), ChatTarget)));
    }

    private sealed record Count(SlaMetric Metric, string? Key, SlaMetricStatus Status, int N);

    private static async Task<Dictionary<string, string>> NamesAsync(CareLoopDbContext db, string dimension, List<string> keys, CancellationToken ct)
    {
        var ids = keys.Select(k => Guid.TryParse(k, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
        return dimension switch
        {
            "group" => await db.SupportGroups.Where(g => ids.Contains(g.Id)).ToDictionaryAsync(g => g.Id.ToString(), g => g.Name, ct),
            "agent" => await db.AgentProfiles.Where(p => ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId.ToString(), p => p.DisplayName, ct),
            _ => [],
        };
    }

    private static DateTimeOffset? Parse(string? text, string field, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) && text.Contains('T', StringComparison.Ordinal))
        {
            return value;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
        }
        errors.Add(field, "must be an ISO-8601 instant with offset or a date (yyyy-MM-dd, Asia/Shanghai).");
        return null;
    }
}
