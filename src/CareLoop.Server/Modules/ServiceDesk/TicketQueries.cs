using System.Globalization;
using System.Security.Claims;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>Queue filters (query string of <c>GET /api/v1/tickets</c>).</summary>
public sealed record TicketFilter(
    string? View, Guid? Group, IReadOnlyList<TicketStatus> Statuses, TicketPriority? Priority, TicketChannel? Channel, TicketCategory? Category,
    string? Customer, Guid? Assignee);

/// <summary>Reads tickets for the caller: merchants and customers only ever reach their own (query filters).</summary>
public sealed class TicketQueries(CareLoopDbContext db, TicketSla sla)
{
    /// <summary>A ticket by id or number, with its timeline, or null when it does not exist for this caller.</summary>
    public async Task<Ticket?> FindAsync(string idOrNumber, CancellationToken ct, bool track = false)
    {
        IQueryable<Ticket> q = db.Tickets.Include(t => t.Events);
        if (!track) q = q.AsNoTracking();
        if (Guid.TryParse(idOrNumber, out var id))
        {
            return await q.SingleOrDefaultAsync(t => t.Id == id, ct);
        }
        var text = idOrNumber.TrimStart('#');
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? await q.SingleOrDefaultAsync(t => t.Number == number, ct)
            : null;
    }

    public async Task<TicketView?> GetAsync(string idOrNumber, CancellationToken ct)
    {
        var ticket = await FindAsync(idOrNumber, ct);
        return ticket is null ? null : await TicketViews.ToViewAsync(db, ticket, await sla.EvaluateAsync(ticket, ct), ct);
    }

    /// <summary>
    /// The queue: unsolved tickets (or the statuses asked for) ordered by SLA due (none last), then number, paged by
    /// cursor on that order. Served by the (group|assignee, status, due) indexes.
    /// </summary>
    public async Task<Page<TicketListItem>> ListAsync(TicketFilter f, int limit, string? after, ClaimsPrincipal user, CancellationToken ct)
    {
        var q = db.Tickets.AsNoTracking();
        // Unsolved (the default) is "has a queue key"; explicit statuses may include solved and closed tickets.
        var unsolvedOnly = f.Statuses.Count == 0 || f.Statuses.All(TicketLifecycle.IsUnsolved);
        q = f.Statuses.Count == 0 ? q.Where(t => t.QueueDueAt != null) : q.Where(t => f.Statuses.Contains(t.Status));
        switch (f.View)
        {
            case "mine":
                var me = CareLoopClaims.UserIdOf(user) ?? Guid.Empty;
                q = q.Where(t => t.AssigneeId == me);
                break;
            case "unassigned":
                q = q.Where(t => t.AssigneeId == null);
                break;
        }
        if (f.Assignee is { } a) q = q.Where(t => t.AssigneeId == a);
        if (f.Group is { } g) q = q.Where(t => t.GroupId == g);
        if (f.Priority is { } p) q = q.Where(t => t.Priority == p);
        if (f.Channel is { } c) q = q.Where(t => t.Channel == c);
        if (f.Category is { } cat) q = q.Where(t => t.Category == cat);
        if (!string.IsNullOrEmpty(f.Customer))
        {
            var customerId = await db.Customers.Where(x => x.ExternalId == f.Customer).Select(x => (Guid?)x.Id).SingleOrDefaultAsync(ct) ?? Guid.Empty;
            q = q.Where(t => t.CustomerId == customerId);
        }
        // Order: queue key (SLA due; none last; solved and closed after all open ones), then number.
        // Cursor: "<key ticks, or 0 for solved/closed>:<number>".
        if (after is not null && TryCursor(after, out var keyTicks, out var number))
        {
            if (keyTicks == 0)
            {
                q = q.Where(t => t.QueueDueAt == null && t.Number > number);
            }
            else
            {
                var key = new DateTime(keyTicks, DateTimeKind.Utc);
                q = q.Where(t => t.QueueDueAt == null || t.QueueDueAt > key || (t.QueueDueAt == key && t.Number > number));
            }
        }
        var ordered = unsolvedOnly
            ? q.OrderBy(t => t.QueueDueAt).ThenBy(t => t.Number)
            : q.OrderBy(t => t.QueueDueAt == null).ThenBy(t => t.QueueDueAt).ThenBy(t => t.Number);
        // One statement: the page and each row's customer name (a primary-key lookup per row). The customers set keeps
        // its query filter: IgnoreQueryFilters anywhere in a query lifts the filters of the whole query, tickets' too.
        // Whoever may see a ticket may see its customer (their own, or a customer of their merchant).
        var customers = db.Customers;
        var rows = await ordered.Take(limit + 1)
            .Select(t => new
            {
                t.Id, t.Number, t.Status, t.Priority, t.Channel, t.Category, t.Subject, t.CustomerId, t.AssigneeId, t.GroupId, t.Vip,
                t.SlaDueAt, t.SlaAtRisk, t.SlaBreached, t.CreatedAt, t.UpdatedAt, t.QueueDueAt,
                CustomerName = customers.Where(c => c.Id == t.CustomerId).Select(c => c.Name).FirstOrDefault(),
            }).ToListAsync(ct);
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        var items = rows.Select(r => new TicketListItem(r.Id, r.Number, r.Status, r.Priority, r.Channel, r.Category, r.Subject, r.CustomerId,
            r.CustomerName ?? "", r.AssigneeId, r.GroupId, r.Vip, r.SlaDueAt?.AsUtcOffset(), r.SlaAtRisk, r.SlaBreached,
            r.CreatedAt.AsUtcOffset(), r.UpdatedAt.AsUtcOffset())).ToList();
        var last = rows.LastOrDefault();
        var next = more && last is not null
            ? Paging.Encode(string.Create(CultureInfo.InvariantCulture, $"{last.QueueDueAt?.Ticks ?? 0}:{last.Number}"))
            : null;
        return new Page<TicketListItem>(items, next);
    }

    private static bool TryCursor(string text, out long dueTicks, out long number)
    {
        var parts = text.Split(':');
        dueTicks = 0;
        number = 0;
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out dueTicks)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>The conversation: customers and merchants see public messages only.</summary>
    public async Task<List<MessageView>> MessagesAsync(Ticket ticket, bool staff, CancellationToken ct)
    {
        var q = db.TicketMessages.AsNoTracking().Where(m => m.TicketId == ticket.Id);
        if (!staff) q = q.Where(m => m.Visibility == MessageVisibility.Public);
        var messages = await q.OrderBy(m => m.At).ThenBy(m => m.Id).ToListAsync(ct);
        var fileIds = messages.SelectMany(m => m.Attachments).Distinct().ToList();
        var files = fileIds.Count == 0 ? [] : await db.Files.AsNoTracking().Where(f => fileIds.Contains(f.Id))
            .ToDictionaryAsync(f => f.Id, f => new AttachmentView(f.Id, f.Name, f.ContentType, f.Size, f.ThumbnailKey != null), ct);
        return messages.Select(m => new MessageView(m.Id, m.At.AsUtcOffset(), m.Visibility, m.AuthorKind, m.AuthorName, m.Body,
            m.Attachments.Where(files.ContainsKey).Select(id => files[id]).ToList())).ToList();
    }

    public static bool IsStaff(ClaimsPrincipal user) => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Supervisor) || user.IsInRole(Roles.Agent);
}
