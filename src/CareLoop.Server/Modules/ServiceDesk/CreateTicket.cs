using System.Security.Claims;
using CareLoop.Domain.Commerce;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Modules.Commerce;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Files;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

public sealed record CustomerKey(string? ExternalId);

public sealed record CreateTicketRequest(
    TicketChannel? Channel,
    CustomerKey? Customer,
    string? OrderNumber,
    string? OrderLine,
    TicketCategory? Category,
    TicketPriority? Priority,
    string? Subject,
    string? Message,
    List<Guid>? Attachments,
    List<string>? Tags);

/// <summary>
/// Intake from every channel: the portal (a customer for themself), agents logging a call, and integrations.
/// The ticket gets a number, its policy, a group and an owner when one is available, and its SLA clocks.
/// </summary>
public sealed class CreateTicket(
    CareLoopDbContext db, TicketSla sla, TicketRouter router, TimeProvider clock, FileRecordAccess files, TicketNumbers numbers, TicketFeed feed,
    TicketIntakeWriter intake, TicketNotifications notifications, CustomerCache customers)
{
    public const int MaxAttachments = 20;

    public async Task<Results<Created<TicketView>, ValidationProblem>> HandleAsync(CreateTicketRequest body, ClaimsPrincipal user, CancellationToken ct, Ticket? followUpOf = null)
    {
        var errors = new ValidationErrors();
        if (body.Channel is null) errors.Add("channel", "is required.");
        if (errors.Required("subject", body.Subject)) errors.MaxLength("subject", body.Subject, Ticket.MaxSubjectLength);
        if (errors.Required("message", body.Message)) errors.MaxLength("message", body.Message, TicketMessage.MaxBodyLength);
        TicketInput.CheckTags(body.Tags, errors);
        if (body.Attachments is { Count: > MaxAttachments }) errors.Add("attachments", $"must have at most {MaxAttachments} files.");

        var scopeCustomer = db.ScopeCustomerId;
        Customer? customer = null;
        if (scopeCustomer is { } own)
        {
            customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == own, ct);
            if (customer is null || (body.Customer?.ExternalId is { } given && given != customer.ExternalId))
            {
                errors.Add("customer.externalId", "must be your own customer record.");
            }
        }
        else if (errors.Required("customer.externalId", body.Customer?.ExternalId))
        {
            customer = await customers.FindAsync(db, body.Customer!.ExternalId!, ct);
            if (customer is null) errors.Add("customer.externalId", "names no known customer.");
        }

        Order? order = null;
        Guid? lineId = null;
        if (!string.IsNullOrWhiteSpace(body.OrderNumber) && customer is not null)
        {
            order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.ExternalId == body.OrderNumber, ct);
            if (order is null || order.CustomerId != customer.Id)
            {
                errors.Add("orderNumber", "names no order of this customer.");
                order = null;
            }
            else if (!string.IsNullOrWhiteSpace(body.OrderLine))
            {
                lineId = order.Lines.FirstOrDefault(l => l.ExternalId == body.OrderLine)?.Id;
                if (lineId is null) errors.Add("orderLine", "names no line of this order.");
            }
        }
        else if (!string.IsNullOrWhiteSpace(body.OrderLine))
        {
            errors.Add("orderLine", "needs an orderNumber.");
        }

        var attached = await TicketInput.LoadAttachmentsAsync(db, files, body.Attachments, user, errors, "attachments", ct);
        if (errors.Any || customer is null || body.Channel is null)
        {
            return Problems.Validation(errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var actor = db.ActorName;
        var isCustomer = user.IsInRole(Roles.Customer);
        var staffAuthor = !isCustomer && CareLoopClaims.UserIdOf(user) is { } uid ? uid : (Guid?)null;

        // Everything is decided before the transaction (number, policy, group and owner, SLA, search tokens), so the
        // transaction holds the write lock only for its inserts.
        var ticket = new Ticket
        {
            Number = await numbers.NextAsync(ct),
            CustomerId = customer.Id,
            MerchantId = order?.MerchantId,
            OrderId = order?.Id,
            OrderLineId = lineId,
            Channel = body.Channel.Value,
            Category = body.Category ?? TicketCategory.Other,
            Priority = body.Priority ?? TicketPriority.Normal,
            Subject = body.Subject!.Trim(),
            Tags = TicketInput.NormaliseTags(body.Tags),
            Vip = customer.Tier == CustomerTier.Vip,
        };
        var message = new TicketMessage
        {
            TicketId = ticket.Id, At = now, Visibility = MessageVisibility.Public, AuthorKind = AuthorKind.Customer,
            AuthorId = customer.Id, AuthorName = customer.Name, Body = body.Message!,
            Attachments = attached.Select(f => f.Id).ToList(),
        };
        ticket.Open(now, actor, message);
        if (followUpOf is not null)
        {
            ticket.FollowUpOfId = followUpOf.Id;
            followUpOf.Record(TicketEventKind.FollowUpOpened, now, actor, to: ticket.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (staffAuthor is not null && ticket.Channel == TicketChannel.Phone)
        {
            ticket.Record(TicketEventKind.SystemMessage, now, actor, note: "logged_by_agent");
        }
        if (ticket.Vip && ticket.Priority < TicketPriority.Urgent)
        {
            ticket.ChangePriority(ticket.Priority + 1, now, "system:intake", "vip");
        }
        await sla.MatchPolicyAsync(ticket, customer.Tier, now, "system:sla", ct);
        var owner = await router.RouteAsync(ticket, customer.Tier, ct, touch: false, announce: false);
        var evaluation = await sla.RefreshAsync(ticket, ct);
        foreach (var f in attached)
        {
            f.RecordType = TicketFileAccess.RecordTypeName;
            f.RecordId = ticket.Id.ToString();
        }
        var acknowledgement = await notifications.AcknowledgementAsync(ticket, customer, evaluation, ct);
        var created = new NewTicket(ticket, message, new TicketSearchDocument
        {
            TicketId = ticket.Id, Number = ticket.Number, UpdatedAt = now,
            Tokens = new TicketSearchTexts
            {
                TicketId = ticket.Id, Number = ticket.Number, Subject = ticket.Subject, Order = order?.ExternalId, Phone = customer.Phone,
                CustomerName = customer.Name, Bodies = { message.Body },
            }.Tokens(),
        }, owner, now)
        {
            Outbox = acknowledgement?.Messages.ToList() ?? [],
            Inbox = acknowledgement?.Inbox.ToList() ?? [],
        };
        if (attached.Count == 0 && followUpOf is null)
        {
            await intake.WriteAsync(created);
        }
        else
        {
            // The files and the earlier ticket are tracked by this request's context (and audited as its caller's changes).
            created.Stage(db);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (owner is { } agent)
            {
                await router.TouchAsync(agent, now, ct);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await feed.PublishAsync(new TicketChanged(ticket.Id, ticket.Number, "created", ticket.AssigneeId, ticket.GroupId));
        var view = await TicketViews.ToViewAsync(db, ticket, evaluation, ct, customer, order?.ExternalId);
        return TypedResults.Created($"/api/v1/tickets/{ticket.Id}", view);
    }
}

/// <summary>Input checks shared by intake and updates.</summary>
public static class TicketInput
{
    public const int MaxTagLength = 40;

    public static void CheckTags(List<string>? tags, ValidationErrors errors)
    {
        if (tags is null)
        {
            return;
        }
        if (tags.Count > Ticket.MaxTags) errors.Add("tags", $"must have at most {Ticket.MaxTags} tags.");
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(tags[i]) || tags[i].Trim().Length > MaxTagLength || tags[i].Any(char.IsWhiteSpace))
            {
                errors.Add($"tags[{i}]", $"must be 1–{MaxTagLength} characters without spaces.");
            }
        }
    }

    public static List<string> NormaliseTags(List<string>? tags) =>
        tags is null ? [] : tags.Select(t => t.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Files to attach: each must exist, be readable by the caller (in practice: uploaded by them) and not yet be
    /// attached to another record.
    /// </summary>
    public static async Task<List<StoredFile>> LoadAttachmentsAsync(
        CareLoopDbContext db, FileRecordAccess access, List<Guid>? ids, ClaimsPrincipal user, ValidationErrors errors, string field, CancellationToken ct)
    {
        if (ids is not { Count: > 0 })
        {
            return [];
        }
        var distinct = ids.Distinct().ToList();
        var found = await db.Files.Where(f => distinct.Contains(f.Id)).ToDictionaryAsync(f => f.Id, ct);
        var result = new List<StoredFile>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (!found.TryGetValue(ids[i], out var file) || !await access.CanReadAsync(file, user, ct))
            {
                errors.Add($"{field}[{i}]", "names no file you uploaded.");
            }
            else if (file.RecordType is not null)
            {
                errors.Add($"{field}[{i}]", "is already attached to a record.");
            }
            else if (!result.Contains(file))
            {
                result.Add(file);
            }
        }
        return result;
    }
}

/// <summary>Files attached to tickets are served to whoever may see the ticket.</summary>
public sealed class TicketFileAccess(CareLoopDbContext db) : IFileRecordAccess
{
    public const string RecordTypeName = "ticket";

    public string RecordType => RecordTypeName;

    public async Task<bool> CanSeeAsync(string recordId, CancellationToken ct) =>
        Guid.TryParse(recordId, out var id) && await db.Tickets.AnyAsync(t => t.Id == id, ct);
}
