using System.Security.Claims;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Files;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;

namespace CareLoop.Server.Modules.ServiceDesk;

public sealed record ReplyRequest(string? Body, MessageVisibility? Visibility, List<Guid>? Attachments, TicketStatus? Status);

public sealed record UpdateTicketRequest(
    TicketStatus? Status, TicketPriority? Priority, TicketCategory? Category, Guid? GroupId, Guid? AssigneeId, bool? Unassign,
    List<string>? Tags, string? Subject);

public sealed record RateRequest(int? Rating, string? Comment);

public sealed record MergeRequest(string? Into);

/// <summary>The outcome of a ticket change: the ticket (or a follow-up opened instead), or a problem.</summary>
public sealed record TicketChange(TicketView? Ticket, IResult? Problem, bool FollowUp = false);

/// <summary>Changes to tickets: replies and notes, status/priority/assignment edits, ratings and merges.</summary>
public sealed class TicketActions(
    CareLoopDbContext db, TicketQueries queries, TicketSla sla, TicketRouter router, TimeProvider clock, FileRecordAccess files, CreateTicket create)
{
    public async Task<TicketChange> ReplyAsync(string idOrNumber, ReplyRequest body, ClaimsPrincipal user, CancellationToken ct)
    {
        var staff = TicketQueries.IsStaff(user);
        var errors = new ValidationErrors();
        if (errors.Required("body", body.Body)) errors.MaxLength("body", body.Body, TicketMessage.MaxBodyLength);
        var visibility = body.Visibility ?? MessageVisibility.Public;
        if (!staff && visibility == MessageVisibility.Internal) errors.Add("visibility", "internal notes are for the service desk.");
        if (!staff && body.Status is not null) errors.Add("status", "only the service desk sets the status with a reply.");
        if (body.Attachments is { Count: > CreateTicket.MaxAttachments }) errors.Add("attachments", $"must have at most {CreateTicket.MaxAttachments} files.");
        var ticket = await queries.FindAsync(idOrNumber, ct, track: true);
        if (ticket is null)
        {
            return new(null, Problems.NotFound("No such ticket."));
        }
        if (user.IsInRole(Roles.Merchant) || (!staff && !user.IsInRole(Roles.Customer) && !user.IsInRole(Roles.Integration)))
        {
            return new(null, Problems.Status(403, "Merchants read tickets about their orders; replies come from the service desk."));
        }
        var attached = await TicketInput.LoadAttachmentsAsync(db, files, body.Attachments, user, errors, "attachments", ct);
        if (errors.Any)
        {
            return new(null, Problems.Validation(errors));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var author = staff ? AuthorKind.Agent : AuthorKind.Customer;
        if (ticket.Status == TicketStatus.Closed)
        {
            if (author != AuthorKind.Customer)
            {
                return new(null, Conflict(ticket.Status, TicketStatus.Open, "A closed ticket takes no replies; the customer's reply opens a follow-up."));
            }
            return await FollowUpAsync(ticket, body, user, ct);
        }
        if (!ETagMatches(ticket))
        {
            return new(null, Stale());
        }
        var message = new TicketMessage
        {
            At = now, Visibility = visibility, AuthorKind = author, Body = body.Body!,
            Attachments = attached.Select(f => f.Id).ToList(),
        };
        if (author == AuthorKind.Customer)
        {
            message.AuthorId = ticket.CustomerId;
            message.AuthorName = await db.Customers.IgnoreQueryFilters().Where(c => c.Id == ticket.CustomerId).Select(c => c.Name).SingleAsync(ct);
        }
        else
        {
            message.AuthorId = CareLoopClaims.UserIdOf(user);
            message.AuthorName = user.FindFirst("careloop:display")?.Value ?? db.ActorName;
        }
        try
        {
            ticket.AddMessage(message, db.ActorName);
            if (body.Status is { } status)
            {
                ticket.ChangeStatus(status, now, db.ActorName);
            }
        }
        catch (IllegalTransitionException e)
        {
            return new(null, Conflict(e.From, e.To, e.Message));
        }
        foreach (var f in attached)
        {
            f.RecordType = TicketFileAccess.RecordTypeName;
            f.RecordId = ticket.Id.ToString();
        }
        db.TicketMessages.Add(message);
        return await SaveAsync(ticket, ct);
    }

    public async Task<TicketChange> UpdateAsync(string idOrNumber, UpdateTicketRequest body, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        TicketInput.CheckTags(body.Tags, errors);
        if (body.Subject is not null && errors.Required("subject", body.Subject)) errors.MaxLength("subject", body.Subject, Ticket.MaxSubjectLength);
        var ticket = await queries.FindAsync(idOrNumber, ct, track: true);
        if (ticket is null)
        {
            return new(null, Problems.NotFound("No such ticket."));
        }
        if (body.GroupId is { } g && !await db.SupportGroups.AnyAsync(x => x.Id == g, ct)) errors.Add("groupId", "names no group.");
        if (body.AssigneeId is { } a && !await db.AgentProfiles.AnyAsync(x => x.UserId == a, ct)) errors.Add("assigneeId", "names no agent.");
        if (errors.Any)
        {
            return new(null, Problems.Validation(errors));
        }
        if (!ETagMatches(ticket))
        {
            return new(null, Stale());
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var actor = db.ActorName;
        var previousAssignee = ticket.AssigneeId;
        try
        {
            if (body.Status is { } status) ticket.ChangeStatus(status, now, actor);
        }
        catch (IllegalTransitionException e)
        {
            return new(null, Conflict(e.From, e.To, e.Message));
        }
        if (body.Subject is { } subject) ticket.ChangeSubject(subject.Trim());
        if (body.Tags is not null)
        {
            var tags = TicketInput.NormaliseTags(body.Tags);
            if (!tags.SequenceEqual(ticket.Tags))
            {
                ticket.Record(TicketEventKind.TagsChanged, now, actor, string.Join(' ', ticket.Tags), string.Join(' ', tags));
                ticket.Tags = tags;
            }
        }
        var rematch = false;
        if (body.Category is { } category && category != ticket.Category)
        {
            ticket.Record(TicketEventKind.CategoryChanged, now, actor, ticket.Category.ToString(), category.ToString());
            ticket.Category = category;
            rematch = true;
        }
        if (body.Priority is { } priority && priority != ticket.Priority)
        {
            ticket.ChangePriority(priority, now, actor);
            rematch = true;
        }
        if (rematch)
        {
            // The policy is matched again; its targets count from each metric's original start.
            await sla.MatchPolicyAsync(ticket, await TicketRouter.TierOfAsync(db, ticket, ct), now, "system:sla", ct);
        }
        if (body.GroupId is not null || body.AssigneeId is not null || body.Unassign == true)
        {
            var group = body.GroupId ?? ticket.GroupId;
            var assignee = body.Unassign == true ? null : body.AssigneeId ?? (body.GroupId is not null && body.GroupId != ticket.GroupId ? null : ticket.AssigneeId);
            ticket.Assign(group, assignee, now, actor);
            if (assignee is null && group is not null && TicketLifecycle.IsUnsolved(ticket.Status))
            {
                await router.RouteAsync(ticket, await TicketRouter.TierOfAsync(db, ticket, ct), ct);
            }
        }
        var result = await SaveAsync(ticket, ct);
        if (result.Problem is null && previousAssignee is { } freed && (!TicketLifecycle.IsUnsolved(ticket.Status) || ticket.AssigneeId != freed))
        {
            // Capacity was freed: hand the agent a waiting ticket.
            await router.AssignWaitingAsync(freed, ct);
            await db.SaveChangesAsync(ct);
        }
        return result;
    }

    public async Task<TicketChange> RateAsync(string idOrNumber, RateRequest body, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (body.Rating is null or < 1 or > 5) errors.Add("rating", "must be 1 to 5.");
        errors.MaxLength("comment", body.Comment, 2000);
        var ticket = await queries.FindAsync(idOrNumber, ct, track: true);
        if (ticket is null)
        {
            return new(null, Problems.NotFound("No such ticket."));
        }
        if (!user.IsInRole(Roles.Customer))
        {
            return new(null, Problems.Status(403, "Only the customer rates a ticket."));
        }
        if (errors.Any)
        {
            return new(null, Problems.Validation(errors));
        }
        if (TicketLifecycle.IsUnsolved(ticket.Status))
        {
            return new(null, Problems.Status(409, "Only a solved or closed ticket can be rated.", new Dictionary<string, object?> { ["currentStatus"] = Wire(ticket.Status) }));
        }
        ticket.Rate(body.Rating!.Value, string.IsNullOrWhiteSpace(body.Comment) ? null : body.Comment.Trim(), clock.GetUtcNow().UtcDateTime, db.ActorName);
        return await SaveAsync(ticket, ct);
    }

    public async Task<TicketChange> MergeAsync(string idOrNumber, MergeRequest body, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Into))
        {
            return new(null, Problems.Validation("into", "is required."));
        }
        var source = await queries.FindAsync(idOrNumber, ct, track: true);
        var target = await queries.FindAsync(body.Into, ct, track: true);
        if (source is null)
        {
            return new(null, Problems.NotFound("No such ticket."));
        }
        if (target is null)
        {
            return new(null, Problems.Validation("into", "names no ticket."));
        }
        if (target.Id == source.Id || target.CustomerId != source.CustomerId)
        {
            return new(null, Problems.Validation("into", "must be another ticket of the same customer."));
        }
        if (source.Status == TicketStatus.Closed || target.Status == TicketStatus.Closed)
        {
            return new(null, Problems.Status(409, "Closed tickets cannot be merged."));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        // The merged ticket's conversation is kept: its messages are copied into the target, marked with their source.
        var messages = await db.TicketMessages.AsNoTracking().Where(m => m.TicketId == source.Id).OrderBy(m => m.At).ToListAsync(ct);
        foreach (var m in messages)
        {
            db.TicketMessages.Add(new TicketMessage
            {
                TicketId = target.Id, At = m.At, Visibility = MessageVisibility.Internal, AuthorKind = m.AuthorKind, AuthorId = m.AuthorId,
                AuthorName = m.AuthorName, Body = $"[#{source.Number}] {m.Body}", Attachments = m.Attachments,
            });
        }
        source.MergeInto(target, now, db.ActorName);
        await sla.RefreshAsync(target, ct);
        await sla.RefreshAsync(source, ct);
        await db.SaveChangesAsync(ct);
        return new(await TicketViews.ToViewAsync(db, target, await sla.EvaluateAsync(target, ct), ct), null);
    }

    private async Task<TicketChange> FollowUpAsync(Ticket closed, ReplyRequest body, ClaimsPrincipal user, CancellationToken ct)
    {
        var customer = await db.Customers.IgnoreQueryFilters().Where(c => c.Id == closed.CustomerId).Select(c => c.ExternalId).SingleAsync(ct);
        var order = closed.OrderId is { } o ? await db.Orders.IgnoreQueryFilters().Where(x => x.Id == o).Select(x => x.ExternalId).SingleOrDefaultAsync(ct) : null;
        var result = await create.HandleAsync(new CreateTicketRequest(closed.Channel, new CustomerKey(customer), order, null, closed.Category, closed.Priority,
            closed.Subject, body.Body, body.Attachments, closed.Tags), user, ct, followUpOf: closed);
        return result.Result switch
        {
            Microsoft.AspNetCore.Http.HttpResults.Created<TicketView> created => new(created.Value, null, FollowUp: true),
            var other => new(null, (IResult)other),
        };
    }

    private async Task<TicketChange> SaveAsync(Ticket ticket, CancellationToken ct)
    {
        var evaluation = await sla.RefreshAsync(ticket, ct);
        await db.SaveChangesAsync(ct);
        return new(await TicketViews.ToViewAsync(db, ticket, evaluation, ct), null);
    }


    /// <summary>If-Match, when sent, must name the ticket's current version.</summary>
    private bool ETagMatches(Ticket ticket) => ETags.Matches(IfMatch, ticket.Version);

    public StringValues IfMatch { get; set; }

    private static IResult Stale() => Problems.Status(412, "If-Match does not name the ticket's current version.");

    public static IResult Conflict(TicketStatus from, TicketStatus to, string detail) => Problems.Status(409, detail, new Dictionary<string, object?>
    {
        ["currentStatus"] = Wire(from),
        ["requestedStatus"] = Wire(to),
        ["allowed"] = TicketLifecycle.AllowedFrom(from).Select(Wire).ToArray(),
    });

    public static string Wire<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
