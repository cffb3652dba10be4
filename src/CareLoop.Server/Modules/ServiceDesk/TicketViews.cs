using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CareLoop.Server.Modules.ServiceDesk;

public sealed record SlaPolicyRef(Guid Id, string Name);

public sealed record SlaMetricView(
    SlaMetric Metric, int TargetMinutes, string Calendar, DateTimeOffset? Due, SlaMetricStatus Status, bool AtRisk, long BusinessMinutesUsed, int Occurrence);

/// <summary>The <c>sla</c> object of a ticket and of <c>GET /api/v1/tickets/{id}/sla</c>.</summary>
public sealed record SlaView(SlaPolicyRef? Policy, IReadOnlyList<SlaMetricView> Metrics)
{
    public static SlaView From(SlaEvaluation e) => new(
        e.Policy is { } p ? new SlaPolicyRef(p.Id, p.Name) : null,
        e.Metrics.Select(m => new SlaMetricView(m.Metric, m.TargetMinutes, m.Calendar, m.Due?.AsUtcOffset(), m.Status, m.AtRisk, m.MinutesUsed, m.Occurrence)).ToList());
}

public sealed record PersonRef(Guid Id, string Name);
public sealed record GroupRef(Guid Id, string Code, string Name);
public sealed record CustomerRef(Guid Id, string ExternalId, string Name, CareLoop.Domain.Commerce.CustomerTier Tier);
public sealed record CsatView(int Rating, string? Comment, DateTimeOffset At);

public sealed record TicketView(
    Guid Id,
    long Number,
    TicketStatus Status,
    TicketChannel Channel,
    TicketCategory Category,
    TicketPriority Priority,
    string Subject,
    IReadOnlyList<string> Tags,
    CustomerRef Customer,
    string? OrderNumber,
    Guid? OrderLineId,
    PersonRef? Assignee,
    GroupRef? Group,
    bool Vip,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? SolvedAt,
    DateTimeOffset? ClosedAt,
    Guid? FollowUpOf,
    Guid? MergedInto,
    CsatView? Csat,
    IReadOnlyList<TicketStatus> AllowedStatuses,
    long Version,
    SlaView Sla);

/// <summary>A row of a queue.</summary>
public sealed record TicketListItem(
    Guid Id, long Number, TicketStatus Status, TicketPriority Priority, TicketChannel Channel, TicketCategory Category,
    string Subject, Guid CustomerId, string CustomerName, Guid? AssigneeId, Guid? GroupId, bool Vip,
    DateTimeOffset? SlaDue, bool SlaAtRisk, bool SlaBreached, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record MessageView(
    Guid Id, DateTimeOffset At, MessageVisibility Visibility, AuthorKind AuthorKind, string AuthorName, string Body, IReadOnlyList<AttachmentView> Attachments);

public sealed record AttachmentView(Guid Id, string Name, string ContentType, long Size, bool HasThumbnail);

public sealed record TimelineEntry(int Seq, DateTimeOffset At, TicketEventKind Kind, string Actor, string? From, string? To, Guid? MessageId, string? Note);

public static class TicketViews
{
    /// <summary>The API view; pass the customer and order number when they are at hand to save their queries.</summary>
    public static async Task<TicketView> ToViewAsync(CareLoopDbContext db, Ticket t, SlaEvaluation sla, CancellationToken ct,
        CareLoop.Domain.Commerce.Customer? loaded = null, string? orderNumber = null)
    {
        var customer = loaded is not null
            ? new CustomerRef(loaded.Id, loaded.ExternalId, loaded.Name, loaded.Tier)
            : await db.Customers.IgnoreQueryFilters().Where(c => c.Id == t.CustomerId)
                .Select(c => new CustomerRef(c.Id, c.ExternalId, c.Name, c.Tier)).SingleAsync(ct);
        var order = orderNumber ?? (t.OrderId is { } o ? await db.Orders.IgnoreQueryFilters().Where(x => x.Id == o).Select(x => x.ExternalId).SingleOrDefaultAsync(ct) : null);
        var assignee = t.AssigneeId is { } a
            ? await db.AgentProfiles.Where(p => p.UserId == a).Select(p => new PersonRef(p.UserId, p.DisplayName)).SingleOrDefaultAsync(ct)
              ?? await db.Users.Where(u => u.Id == a).Select(u => new PersonRef(u.Id, u.DisplayName)).SingleOrDefaultAsync(ct)
            : null;
        var group = t.GroupId is { } g
            ? (await db.GetService<DeskSetupCache>().GroupsAsync(db, ct)).GetValueOrDefault(g) is { } cached ? new GroupRef(cached.Id, cached.Code, cached.Name) : null
            : null;
        return new TicketView(
            t.Id, t.Number, t.Status, t.Channel, t.Category, t.Priority, t.Subject, t.Tags, customer, order, t.OrderLineId, assignee, group, t.Vip,
            t.CreatedAt.AsUtcOffset(), t.UpdatedAt.AsUtcOffset(), t.SolvedAt?.AsUtcOffset(), t.ClosedAt?.AsUtcOffset(),
            t.FollowUpOfId, t.MergedIntoId,
            t.CsatRating is { } r ? new CsatView(r, t.CsatComment, t.CsatAt!.Value.AsUtcOffset()) : null,
            TicketLifecycle.AllowedFrom(t.Status), t.Version, SlaView.From(sla));
    }
}
