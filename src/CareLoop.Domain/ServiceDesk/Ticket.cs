using CareLoop.Domain.Common;

namespace CareLoop.Domain.ServiceDesk;

/// <summary>
/// A customer's request, from any channel, with one owner (责任到人). Its timeline (<see cref="Events"/>) is the
/// history the SLA engine reads; the Sla* fields are a cache of that engine's answer for queue queries.
/// </summary>
public sealed class Ticket : Entity
{
    public const int MaxSubjectLength = 200;
    public const int MaxTags = 20;

    public long Number { get; set; }
    public Guid CustomerId { get; set; }

    /// <summary>The order's merchant (merchants see tickets about their orders only).</summary>
    public Guid? MerchantId { get; set; }
    public Guid? OrderId { get; set; }
    public Guid? OrderLineId { get; set; }
    public TicketChannel Channel { get; set; }
    public TicketCategory Category { get; set; } = TicketCategory.Other;
    public TicketPriority Priority { get; set; } = TicketPriority.Normal;

    /// <summary>The requester was a VIP when the ticket came in (their tickets are served first).</summary>
    public bool Vip { get; set; }
    public TicketStatus Status { get; private set; } = TicketStatus.New;
    public string Subject { get; set; } = "";
    public List<string> Tags { get; set; } = [];

    /// <summary>The agent (user id) who owns the ticket.</summary>
    public Guid? AssigneeId { get; private set; }
    public Guid? GroupId { get; private set; }

    public Guid? SlaPolicyId { get; private set; }

    /// <summary>Cache: earliest due instant of a counting SLA metric.</summary>
    public DateTime? SlaDueAt
    {
        get => _slaDueAt;
        set
        {
            _slaDueAt = value;
            Requeue();
        }
    }

    private DateTime? _slaDueAt;

    /// <summary>Latest instant a queue sort key can hold: unsolved tickets without a due instant sort last.</summary>
    public static readonly DateTime NoDue = new(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// The queue's sort key: the SLA due instant (or <see cref="NoDue"/>) while unsolved, null once solved or closed.
    /// One non-null column makes "a group's open tickets by due" a single index range.
    /// </summary>
    public DateTime? QueueDueAt { get; private set; } = NoDue;

    private void Requeue() => QueueDueAt = TicketLifecycle.IsUnsolved(Status) ? _slaDueAt ?? NoDue : null;

    /// <summary>Cache: when the escalation scan must next look at the ticket (an indexed range).</summary>
    public DateTime? SlaNextCheckAt { get; set; }
    public bool SlaAtRisk { get; set; }
    public bool SlaBreached { get; set; }

    /// <summary>Alerts already fired, as <see cref="SlaAlertKey"/> texts separated by ';' (a cache of the alerts table).</summary>
    public string SlaFired { get; set; } = "";

    public DateTime? SolvedAt { get; private set; }
    public DateTime? ClosedAt { get; private set; }
    public DateTime LastActivityAt { get; set; }

    /// <summary>A ticket opened by a reply to this closed one.</summary>
    public Guid? FollowUpOfId { get; set; }
    public Guid? MergedIntoId { get; private set; }

    public int? CsatRating { get; private set; }
    public string? CsatComment { get; private set; }
    public DateTime? CsatAt { get; private set; }

    /// <summary>Timeline entries so far (the next one gets this number + 1).</summary>
    public int EventCount { get; set; }

    /// <summary>The timeline, when loaded. New entries are added through the methods below.</summary>
    public List<TicketEvent> Events { get; set; } = [];

    /// <summary>Entries added since the ticket was loaded (the caller stores them).</summary>
    public List<TicketEvent> NewEvents { get; } = [];

    public TicketEvent Record(TicketEventKind kind, DateTime at, string actor, string? from = null, string? to = null, Guid? messageId = null, string? note = null)
    {
        var e = new TicketEvent
        {
            TicketId = Id, Seq = ++EventCount, At = at, Kind = kind, Actor = actor, From = from, To = to, MessageId = messageId, Note = note,
        };
        Events.Add(e);
        NewEvents.Add(e);
        LastActivityAt = at;
        return e;
    }

    /// <summary>
    /// Records the creation (and the customer's first message, when there is one). Only a public customer message is
    /// linked: it is what starts the first-reply SLA (an agent logging a call, or a note, does not).
    /// </summary>
    public void Open(DateTime at, string actor, TicketMessage? firstMessage)
    {
        CreatedAt = at;
        var customerMessage = firstMessage is { AuthorKind: AuthorKind.Customer, Visibility: MessageVisibility.Public } ? firstMessage.Id : (Guid?)null;
        Record(TicketEventKind.Created, at, actor, to: Status.ToString(), messageId: customerMessage);
        Raise(new TicketCreated(Id, Number, CustomerId, MerchantId, Channel, Category, Priority));
    }

    /// <summary>Moves the ticket to <paramref name="to"/>; throws <see cref="IllegalTransitionException"/> when not allowed.</summary>
    public void ChangeStatus(TicketStatus to, DateTime at, string actor, string? note = null)
    {
        if (to == Status)
        {
            return;
        }
        if (!TicketLifecycle.CanMove(Status, to))
        {
            throw new IllegalTransitionException(Status, to);
        }
        var from = Status;
        Status = to;
        Requeue();
        if (to == TicketStatus.Solved)
        {
            SolvedAt = at;
        }
        else if (to == TicketStatus.Closed)
        {
            ClosedAt = at;
        }
        else if (from == TicketStatus.Solved)
        {
            SolvedAt = null;
        }
        Record(TicketEventKind.StatusChanged, at, actor, from.ToString(), to.ToString(), note: note);
        Raise(new TicketStatusChanged(Id, Number, from, to));
    }

    /// <summary>
    /// Adds a message: a customer's public message reopens a pending, on-hold or solved ticket; an agent's public reply
    /// opens a new ticket. Closed tickets take no messages (the caller opens a follow-up).
    /// </summary>
    public void AddMessage(TicketMessage message, string actor)
    {
        if (Status == TicketStatus.Closed)
        {
            throw new IllegalTransitionException(Status, TicketStatus.Open);
        }
        message.TicketId = Id;
        var kind = (message.Visibility, message.AuthorKind) switch
        {
            (MessageVisibility.Internal, _) => TicketEventKind.InternalNote,
            (_, AuthorKind.Customer) => TicketEventKind.CustomerMessage,
            (_, AuthorKind.Bot) => TicketEventKind.BotReply,
            (_, AuthorKind.System) => TicketEventKind.SystemMessage,
            _ => TicketEventKind.AgentReply,
        };
        Record(kind, message.At, actor, messageId: message.Id);
        if (kind == TicketEventKind.CustomerMessage && TicketLifecycle.AfterCustomerMessage(Status) is { } next && next != Status)
        {
            ChangeStatus(next, message.At, actor, "customer_reply");
        }
        else if (kind == TicketEventKind.AgentReply && Status == TicketStatus.New)
        {
            ChangeStatus(TicketStatus.Open, message.At, actor);
        }
        if (message.Visibility == MessageVisibility.Public)
        {
            Raise(new TicketMessageAdded(Id, Number, CustomerId, message.Id, message.AuthorKind));
        }
        else
        {
            Raise(new TicketNoteAdded(Id, Number, message.Id));
        }
    }

    public void ChangePriority(TicketPriority to, DateTime at, string actor, string? reason = null)
    {
        if (to == Priority)
        {
            return;
        }
        var from = Priority;
        Priority = to;
        Record(TicketEventKind.PriorityChanged, at, actor, from.ToString(), to.ToString(), note: reason);
    }

    /// <summary>Records that <paramref name="policyId"/> (or none) now applies; the SLA engine re-measures from each metric's start.</summary>
    public void ApplyPolicy(Guid? policyId, DateTime at, string actor)
    {
        if (policyId == SlaPolicyId && EventCount > 1)
        {
            return;
        }
        var from = SlaPolicyId;
        SlaPolicyId = policyId;
        Record(TicketEventKind.PolicyApplied, at, actor, from?.ToString(), policyId?.ToString());
    }

    /// <summary>
    /// Moves the ticket to a group and/or owner. <paramref name="announce"/> false skips the <see cref="TicketAssigned"/>
    /// event (a ticket routed while it is being opened is announced by <see cref="TicketCreated"/>).
    /// </summary>
    public void Assign(Guid? groupId, Guid? assigneeId, DateTime at, string actor, string? note = null, bool announce = true)
    {
        if (groupId != GroupId)
        {
            Record(TicketEventKind.GroupChanged, at, actor, GroupId?.ToString(), groupId?.ToString(), note: note);
            GroupId = groupId;
        }
        if (assigneeId != AssigneeId)
        {
            Record(TicketEventKind.Assigned, at, actor, AssigneeId?.ToString(), assigneeId?.ToString(), note: note);
            AssigneeId = assigneeId;
            if (announce)
            {
                Raise(new TicketAssigned(Id, Number, assigneeId, GroupId));
            }
        }
    }

    /// <summary>The customer's satisfaction rating (CSAT 1–5) of a solved or closed ticket; a later rating replaces it.</summary>
    public void Rate(int rating, string? comment, DateTime at, string actor)
    {
        if (rating is < 1 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(rating), rating, "A rating is 1 to 5.");
        }
        if (TicketLifecycle.IsUnsolved(Status))
        {
            throw new InvalidOperationException("Only a solved or closed ticket can be rated.");
        }
        CsatRating = rating;
        CsatComment = comment;
        CsatAt = at;
        Record(TicketEventKind.Rated, at, actor, to: rating.ToString(System.Globalization.CultureInfo.InvariantCulture), note: comment);
    }

    /// <summary>Changes the subject; the ticket's search document follows (<see cref="TicketTextsChanged"/>).</summary>
    public void ChangeSubject(string subject)
    {
        if (subject == Subject)
        {
            return;
        }
        Subject = subject;
        Raise(new TicketTextsChanged(Id, Number));
    }

    /// <summary>Closes this ticket as merged into <paramref name="target"/> (whose texts then include this ticket's conversation).</summary>
    public void MergeInto(Ticket target, DateTime at, string actor)
    {
        if (target.Id == Id)
        {
            throw new InvalidOperationException("A ticket cannot be merged into itself.");
        }
        if (Status == TicketStatus.Closed || target.Status == TicketStatus.Closed)
        {
            throw new InvalidOperationException("A closed ticket cannot be merged.");
        }
        MergedIntoId = target.Id;
        Record(TicketEventKind.MergedInto, at, actor, to: target.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        target.Record(TicketEventKind.MergedFrom, at, actor, from: Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        target.Raise(new TicketTextsChanged(target.Id, target.Number));
        if (Status != TicketStatus.Solved)
        {
            ChangeStatus(TicketStatus.Solved, at, actor, "merged");
        }
        ChangeStatus(TicketStatus.Closed, at, actor, "merged");
    }

    /// <summary>The SLA engine's view of the timeline.</summary>
    public List<SlaFact> SlaFacts(Func<Guid, SlaPolicyDefinition?> policies)
    {
        var facts = new List<SlaFact>(Events.Count);
        foreach (var e in Events.OrderBy(e => e.Seq))
        {
            switch (e.Kind)
            {
                case TicketEventKind.Created:
                    facts.Add(SlaFact.Created(e.At, Enum.Parse<TicketStatus>(e.To!), e.MessageId is not null));
                    break;
                case TicketEventKind.StatusChanged:
                    facts.Add(SlaFact.StatusChanged(e.At, Enum.Parse<TicketStatus>(e.To!)));
                    break;
                case TicketEventKind.CustomerMessage:
                    facts.Add(SlaFact.CustomerMessage(e.At));
                    break;
                case TicketEventKind.AgentReply:
                    facts.Add(SlaFact.AgentReply(e.At));
                    break;
                case TicketEventKind.PolicyApplied:
                    facts.Add(SlaFact.PolicyApplied(e.At, Guid.TryParse(e.To, out var id) ? policies(id) : null));
                    break;
            }
        }
        return facts;
    }

    /// <summary>Stores the engine's answer in the cache fields.</summary>
    public void CacheSla(SlaEvaluation evaluation, IReadOnlySet<SlaAlertKey> fired)
    {
        SlaDueAt = evaluation.EarliestDue;
        SlaNextCheckAt = SlaEngine.NextCheck(evaluation, fired);
        SlaAtRisk = evaluation.AnyAtRisk;
        SlaBreached = evaluation.AnyBreached;
    }

    public HashSet<SlaAlertKey> FiredAlerts()
    {
        var set = new HashSet<SlaAlertKey>();
        foreach (var part in SlaFired.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var hash = part.IndexOf('#', StringComparison.Ordinal);
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (hash > 0 && colon > hash
                && Enum.TryParse<SlaMetric>(part[..hash], out var metric)
                && int.TryParse(part.AsSpan(hash + 1, colon - hash - 1), out var occurrence)
                && Enum.TryParse<SlaAlertKind>(part[(colon + 1)..], out var kind))
            {
                set.Add(new SlaAlertKey(metric, occurrence, kind));
            }
        }
        return set;
    }

    public void MarkFired(SlaAlertKey key) => SlaFired = SlaFired.Length == 0 ? key.ToString() : SlaFired + ";" + key;
}

/// <summary>A message of a ticket's conversation: public (seen by the customer) or an internal note.</summary>
public sealed class TicketMessage
{
    public const int MaxBodyLength = 20_000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TicketId { get; set; }
    public DateTime At { get; set; }
    public MessageVisibility Visibility { get; set; }
    public AuthorKind AuthorKind { get; set; }

    /// <summary>The user (agent) or customer id of the author.</summary>
    public Guid? AuthorId { get; set; }
    public string AuthorName { get; set; } = "";
    public string Body { get; set; } = "";

    /// <summary>Ids of stored files attached to the message.</summary>
    public List<Guid> Attachments { get; set; } = [];
}

public enum TicketEventKind
{
    Created,
    StatusChanged,
    CustomerMessage,
    AgentReply,
    BotReply,
    SystemMessage,
    InternalNote,
    PriorityChanged,
    PolicyApplied,
    GroupChanged,
    Assigned,
    CategoryChanged,
    TagsChanged,
    MergedInto,
    MergedFrom,
    Rated,
    SlaAtRisk,
    SlaBreached,
    Escalated,
    FollowUpOpened,
}

/// <summary>An entry of a ticket's timeline. From/To hold the old and new values as text where the kind has them.</summary>
public sealed class TicketEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TicketId { get; set; }
    public int Seq { get; set; }
    public DateTime At { get; set; }
    public TicketEventKind Kind { get; set; }
    public string Actor { get; set; } = "";
    public string? From { get; set; }
    public string? To { get; set; }
    public Guid? MessageId { get; set; }
    public string? Note { get; set; }
}

public sealed record TicketCreated(Guid TicketId, long Number, Guid CustomerId, Guid? MerchantId, TicketChannel Channel, TicketCategory Category, TicketPriority Priority) : IDomainEvent;

public sealed record TicketStatusChanged(Guid TicketId, long Number, TicketStatus From, TicketStatus To) : IDomainEvent;

public sealed record TicketMessageAdded(Guid TicketId, long Number, Guid CustomerId, Guid MessageId, AuthorKind AuthorKind) : IDomainEvent;

/// <summary>An internal note was added (the customer is not told; search indexes it for the desk).</summary>
/// <summary>Texts the ticket is searched by changed other than through a message: its subject, or a merge brought in another conversation.</summary>
public sealed record TicketTextsChanged(Guid TicketId, long Number) : IDomainEvent;

public sealed record TicketNoteAdded(Guid TicketId, long Number, Guid MessageId) : IDomainEvent;

public sealed record TicketAssigned(Guid TicketId, long Number, Guid? AssigneeId, Guid? GroupId) : IDomainEvent;
