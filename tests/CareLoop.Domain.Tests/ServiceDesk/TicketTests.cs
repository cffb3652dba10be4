using CareLoop.Domain.ServiceDesk;
using static CareLoop.Domain.ServiceDesk.SlaMetric;
using static CareLoop.Domain.Tests.ServiceDesk.SlaKit;

namespace CareLoop.Domain.Tests.ServiceDesk;

/// <summary>The ticket aggregate: status changes, messages, the timeline, its SLA facts and the fired-alert cache.</summary>
public sealed class TicketTests
{
    private static readonly DateTime T0 = Sh("2026-03-02 10:00");

    private static DateTime M(double minutes) => T0.AddMinutes(minutes);

    private static TicketMessage Message(AuthorKind author, DateTime at, MessageVisibility visibility = MessageVisibility.Public) =>
        new() { AuthorKind = author, At = at, Visibility = visibility, Body = "…" };

    private static Ticket NewTicket(bool withCustomerMessage = true)
    {
        var ticket = new Ticket { Number = 42, CustomerId = Guid.NewGuid(), Channel = TicketChannel.Web, Subject = "Parcel missing" };
        ticket.Open(T0, "customer", withCustomerMessage ? Message(AuthorKind.Customer, T0) : null);
        return ticket;
    }

    private static Ticket TicketIn(TicketStatus status)
    {
        var ticket = NewTicket();
        var path = status switch
        {
            TicketStatus.New => [],
            TicketStatus.Closed => new[] { TicketStatus.Solved, TicketStatus.Closed },
            _ => [status],
        };
        foreach (var s in path)
        {
            ticket.ChangeStatus(s, M(1), "agent");
        }
        return ticket;
    }

    // ---- open and status changes -------------------------------------------------------------------------------------

    [Fact]
    public void Open_RecordsTheCreation_AndRaisesTicketCreated()
    {
        var ticket = NewTicket();

        Assert.Equal(TicketStatus.New, ticket.Status);
        Assert.Equal(T0, ticket.CreatedAt);
        Assert.Equal(T0, ticket.LastActivityAt);
        var e = Assert.Single(ticket.Events);
        Assert.Equal(TicketEventKind.Created, e.Kind);
        Assert.Equal(1, e.Seq);
        Assert.Equal("New", e.To);
        Assert.Equal(ticket.Id, e.TicketId);
        Assert.Equal(ticket.Events, ticket.NewEvents);
        var created = Assert.IsType<TicketCreated>(Assert.Single(ticket.PendingEvents()));
        Assert.Equal(42, created.Number);
    }

    [Fact]
    public void ChangeStatus_RecordsFromAndTo_AndRaisesAnEvent()
    {
        var ticket = NewTicket();

        ticket.ChangeStatus(TicketStatus.Pending, M(5), "agent", "asked for photos");

        Assert.Equal(TicketStatus.Pending, ticket.Status);
        var e = ticket.Events[^1];
        Assert.Equal((TicketEventKind.StatusChanged, "New", "Pending", "asked for photos", 2), (e.Kind, e.From, e.To, e.Note, e.Seq));
        Assert.Contains(new TicketStatusChanged(ticket.Id, 42, TicketStatus.New, TicketStatus.Pending), ticket.PendingEvents());
    }

    [Fact]
    public void ChangeStatus_ToTheSameStatus_DoesNothing()
    {
        var ticket = NewTicket();

        ticket.ChangeStatus(TicketStatus.New, M(5), "agent");

        Assert.Single(ticket.Events);
    }

    [Theory]
    [InlineData(TicketStatus.Open, TicketStatus.New)]
    [InlineData(TicketStatus.Solved, TicketStatus.Pending)]
    [InlineData(TicketStatus.Solved, TicketStatus.OnHold)]
    [InlineData(TicketStatus.Pending, TicketStatus.Closed)]
    [InlineData(TicketStatus.Closed, TicketStatus.Open)]
    [InlineData(TicketStatus.New, TicketStatus.Closed)]
    public void ChangeStatus_Throws_OnAnIllegalTransition_ListingTheAllowedStatuses(TicketStatus from, TicketStatus to)
    {
        var ticket = TicketIn(from);
        var events = ticket.Events.Count;

        var e = Assert.Throws<IllegalTransitionException>(() => ticket.ChangeStatus(to, M(10), "agent"));

        Assert.Equal(from, e.From);
        Assert.Equal(to, e.To);
        Assert.Equal(TicketLifecycle.AllowedFrom(from), e.Allowed);
        Assert.Equal(from, ticket.Status);
        Assert.Equal(events, ticket.Events.Count);
    }

    [Fact]
    public void Solving_SetsSolvedAt_ReopeningClearsIt_ClosingSetsClosedAt()
    {
        var ticket = NewTicket();

        ticket.ChangeStatus(TicketStatus.Solved, M(10), "agent");
        Assert.Equal(M(10), ticket.SolvedAt);

        ticket.ChangeStatus(TicketStatus.Open, M(20), "agent");
        Assert.Null(ticket.SolvedAt);

        ticket.ChangeStatus(TicketStatus.Solved, M(30), "agent");
        ticket.ChangeStatus(TicketStatus.Closed, M(40), "system");
        Assert.Equal(M(30), ticket.SolvedAt);
        Assert.Equal(M(40), ticket.ClosedAt);
    }

    // ---- messages ----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(TicketStatus.Pending)]
    [InlineData(TicketStatus.OnHold)]
    [InlineData(TicketStatus.Solved)]
    public void CustomerPublicMessage_ReopensTheTicket(TicketStatus from)
    {
        var ticket = TicketIn(from);

        ticket.AddMessage(Message(AuthorKind.Customer, M(30)), "customer");

        Assert.Equal(TicketStatus.Open, ticket.Status);
        var last = ticket.Events[^1];
        Assert.Equal(TicketEventKind.StatusChanged, last.Kind);
        Assert.Equal("customer_reply", last.Note);
        Assert.Equal(TicketEventKind.CustomerMessage, ticket.Events[^2].Kind); // the message first, then the reopen
    }

    [Theory]
    [InlineData(TicketStatus.New)]
    [InlineData(TicketStatus.Open)]
    public void CustomerPublicMessage_LeavesNewAndOpenTicketsAsTheyAre(TicketStatus from)
    {
        var ticket = TicketIn(from);

        ticket.AddMessage(Message(AuthorKind.Customer, M(30)), "customer");

        Assert.Equal(from, ticket.Status);
        Assert.Equal(TicketEventKind.CustomerMessage, ticket.Events[^1].Kind);
    }

    [Fact]
    public void AgentPublicReply_MovesANewTicketToOpen()
    {
        var ticket = NewTicket();

        ticket.AddMessage(Message(AuthorKind.Agent, M(5)), "agent");

        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Equal([TicketEventKind.Created, TicketEventKind.AgentReply, TicketEventKind.StatusChanged], ticket.Events.Select(e => e.Kind));
    }

    [Theory]
    [InlineData(TicketStatus.Pending)]
    [InlineData(TicketStatus.OnHold)]
    [InlineData(TicketStatus.Solved)]
    public void AgentPublicReply_DoesNotChangeOtherStatuses(TicketStatus from)
    {
        var ticket = TicketIn(from);

        ticket.AddMessage(Message(AuthorKind.Agent, M(5)), "agent");

        Assert.Equal(from, ticket.Status);
    }

    [Theory]
    [InlineData(AuthorKind.Bot, MessageVisibility.Public, TicketEventKind.BotReply)]
    [InlineData(AuthorKind.System, MessageVisibility.Public, TicketEventKind.SystemMessage)]
    [InlineData(AuthorKind.Agent, MessageVisibility.Internal, TicketEventKind.InternalNote)]
    [InlineData(AuthorKind.Customer, MessageVisibility.Internal, TicketEventKind.InternalNote)]
    public void BotSystemAndInternalMessages_AreRecorded_ButChangeNoStatus(AuthorKind author, MessageVisibility visibility, TicketEventKind kind)
    {
        var ticket = TicketIn(TicketStatus.Pending);
        var newTicket = NewTicket();

        ticket.AddMessage(Message(author, M(5), visibility), "x");
        newTicket.AddMessage(Message(author, M(5), visibility), "x");

        Assert.Equal(TicketStatus.Pending, ticket.Status);
        Assert.Equal(TicketStatus.New, newTicket.Status);
        Assert.Equal(kind, ticket.Events[^1].Kind);
    }

    [Fact]
    public void AddMessage_SetsTheTicketId_LinksTheEvent_AndRaisesOnlyForPublicMessages()
    {
        var ticket = NewTicket();
        ticket.ClearEvents();
        var note = Message(AuthorKind.Agent, M(5), MessageVisibility.Internal);
        var reply = Message(AuthorKind.Bot, M(6));

        ticket.AddMessage(note, "agent");
        ticket.AddMessage(reply, "bot");

        Assert.Equal(ticket.Id, note.TicketId);
        Assert.Equal(note.Id, ticket.Events[1].MessageId);
        Assert.Equal(M(6), ticket.LastActivityAt);
        var raised = Assert.Single(ticket.PendingEvents().OfType<TicketMessageAdded>());
        Assert.Equal(reply.Id, raised.MessageId);
        Assert.Equal(AuthorKind.Bot, raised.AuthorKind);
        Assert.Equal(note.Id, Assert.Single(ticket.PendingEvents().OfType<TicketNoteAdded>()).MessageId);
    }

    [Fact]
    public void ClosedTicket_RefusesMessages()
    {
        var ticket = TicketIn(TicketStatus.Closed);
        var events = ticket.Events.Count;

        var e = Assert.Throws<IllegalTransitionException>(() => ticket.AddMessage(Message(AuthorKind.Customer, M(30)), "customer"));

        Assert.Equal(TicketStatus.Closed, e.From);
        Assert.Empty(e.Allowed);
        Assert.Equal(events, ticket.Events.Count);
    }

    // ---- SLA facts ---------------------------------------------------------------------------------------------------

    [Fact]
    public void SlaFacts_ConvertTheTimeline_SkippingEntriesTheEngineDoesNotNeed()
    {
        var policy = Policy("p", Target(FirstReply, 60));
        var ticket = NewTicket();
        ticket.ApplyPolicy(policy.Id, T0, "system");
        ticket.AddMessage(Message(AuthorKind.Bot, M(1)), "bot");
        ticket.AddMessage(Message(AuthorKind.Agent, M(2), MessageVisibility.Internal), "agent");
        ticket.AddMessage(Message(AuthorKind.Agent, M(3)), "agent");
        ticket.ChangePriority(TicketPriority.High, M(4), "agent");
        ticket.Assign(Guid.NewGuid(), Guid.NewGuid(), M(4), "router");
        ticket.ChangeStatus(TicketStatus.Pending, M(5), "agent");
        ticket.AddMessage(Message(AuthorKind.Customer, M(6)), "customer");
        ticket.ApplyPolicy(null, M(7), "system");

        var facts = ticket.SlaFacts(id => id == policy.Id ? policy : null);

        Assert.Equal(
        [
            SlaFact.Created(T0, TicketStatus.New, true),
            SlaFact.PolicyApplied(T0, policy),
            SlaFact.AgentReply(M(3)),
            SlaFact.StatusChanged(M(3), TicketStatus.Open),
            SlaFact.StatusChanged(M(5), TicketStatus.Pending),
            SlaFact.CustomerMessage(M(6)),
            SlaFact.StatusChanged(M(6), TicketStatus.Open),
            SlaFact.PolicyApplied(M(7), null),
        ], facts);
    }

    [Fact]
    public void SlaFacts_AreOrderedBySequence_NotByListOrder()
    {
        var ticket = NewTicket();
        ticket.ChangeStatus(TicketStatus.Open, M(1), "agent");
        ticket.ChangeStatus(TicketStatus.Pending, M(2), "agent");
        ticket.Events.Reverse();

        var facts = ticket.SlaFacts(_ => null);

        Assert.Equal([SlaFactKind.Created, SlaFactKind.StatusChanged, SlaFactKind.StatusChanged], facts.Select(f => f.Kind));
        Assert.Equal(TicketStatus.Pending, facts[^1].Status);
    }

    [Fact]
    public void SlaFacts_StartFirstReply_OnlyForATicketOpenedWithACustomerMessage()
    {
        Assert.True(NewTicket(withCustomerMessage: true).SlaFacts(_ => null)[0].WithCustomerMessage);
        Assert.False(NewTicket(withCustomerMessage: false).SlaFacts(_ => null)[0].WithCustomerMessage);
    }

    [Theory]
    [InlineData(AuthorKind.Agent, MessageVisibility.Public)]
    [InlineData(AuthorKind.Agent, MessageVisibility.Internal)]
    [InlineData(AuthorKind.Bot, MessageVisibility.Public)]
    [InlineData(AuthorKind.System, MessageVisibility.Public)]
    [InlineData(AuthorKind.Customer, MessageVisibility.Internal)]
    public void SlaFacts_DoNotStartFirstReply_ForATicketOpenedWithoutAPublicCustomerMessage(AuthorKind author, MessageVisibility visibility)
    {
        // e.g. an agent logs a phone call: the first reply runs only for tickets created with a public customer message.
        var ticket = new Ticket { Number = 7, CustomerId = Guid.NewGuid(), Channel = TicketChannel.Phone };
        ticket.Open(T0, "agent", Message(author, T0, visibility));

        Assert.False(ticket.SlaFacts(_ => null)[0].WithCustomerMessage);
    }

    [Fact]
    public void BotReplies_NeverStopTheFirstReply()
    {
        var policy = Policy("p", Target(FirstReply, 60));
        var ticket = NewTicket();
        ticket.ApplyPolicy(policy.Id, T0, "system");
        ticket.AddMessage(Message(AuthorKind.Bot, M(1)), "bot");
        ticket.AddMessage(Message(AuthorKind.Bot, M(2)), "bot");

        var e = SlaEngine.Evaluate(ticket.SlaFacts(_ => policy), CalendarOf, M(30));

        Assert.Equal(SlaMetricStatus.Active, e.Get(FirstReply).Status);
        Assert.Equal(Min(30), e.Get(FirstReply).Used);
    }

    [Fact]
    public void TicketTimeline_DrivesTheEngine_EndToEnd()
    {
        // 24x7: first reply 60, next reply 30, agent work 240. Created 10:00, agent reply 10:20 (first reply met, open),
        // pending 10:30, customer 11:30 (reopens; next reply #1 starts), evaluated 11:45.
        // Agent work: 10:00–10:30 + 11:30–11:45 = 45.
        var policy = Policy("p", Target(FirstReply, 60), Target(NextReply, 30), Target(AgentWorkTime, 240));
        var ticket = NewTicket();
        ticket.ApplyPolicy(policy.Id, T0, "system");
        ticket.AddMessage(Message(AuthorKind.Agent, M(20)), "agent");
        ticket.ChangeStatus(TicketStatus.Pending, M(30), "agent");
        ticket.AddMessage(Message(AuthorKind.Customer, M(90)), "customer");

        var e = SlaEngine.Evaluate(ticket.SlaFacts(id => id == policy.Id ? policy : null), CalendarOf, M(105));

        Assert.Equal(SlaMetricStatus.Met, e.Get(FirstReply).Status);
        Assert.Equal(Min(20), e.Get(FirstReply).Used);
        Assert.Equal(M(90), e.Get(NextReply).StartedAt);
        Assert.Equal(M(120), e.Get(NextReply).Due);
        Assert.Equal(Min(45), e.Get(AgentWorkTime).Used);
        Assert.Equal(M(300), e.Get(AgentWorkTime).Due); // 195 to go from 11:45 → 15:00

        ticket.CacheSla(e, ticket.FiredAlerts());
        Assert.Equal(M(120), ticket.SlaDueAt);
        Assert.Equal(M(112.5), ticket.SlaNextCheckAt); // next reply at risk: 90 + 22.5
        Assert.False(ticket.SlaAtRisk);
        Assert.False(ticket.SlaBreached);
    }

    // ---- policy, priority, assignment ------------------------------------------------------------------------------

    [Fact]
    public void ApplyPolicy_RecordsTheFirstApplication_AndSkipsReapplyingTheSamePolicy()
    {
        var ticket = NewTicket();
        var id = Guid.NewGuid();

        ticket.ApplyPolicy(id, T0, "system");
        ticket.ApplyPolicy(id, M(5), "system");

        Assert.Equal(id, ticket.SlaPolicyId);
        var e = Assert.Single(ticket.Events, e => e.Kind == TicketEventKind.PolicyApplied);
        Assert.Null(e.From);
        Assert.Equal(id.ToString(), e.To);
    }

    [Fact]
    public void ApplyPolicy_RecordsTheChange_FromTheOldPolicyToTheNew()
    {
        var ticket = NewTicket();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        ticket.ApplyPolicy(first, T0, "system");

        ticket.ApplyPolicy(second, M(5), "system");
        ticket.ApplyPolicy(null, M(6), "system");

        var applied = ticket.Events.Where(e => e.Kind == TicketEventKind.PolicyApplied).ToList();
        Assert.Equal(3, applied.Count);
        Assert.Equal((first.ToString(), second.ToString()), (applied[1].From, applied[1].To));
        Assert.Equal((second.ToString(), (string?)null), (applied[2].From, applied[2].To));
        Assert.Null(ticket.SlaPolicyId);
    }

    [Fact]
    public void ChangePriority_RecordsTheChange_OnlyWhenItChanges()
    {
        var ticket = NewTicket();

        ticket.ChangePriority(TicketPriority.Normal, M(1), "agent");
        ticket.ChangePriority(TicketPriority.Urgent, M(2), "agent", "VIP complaint");

        Assert.Equal(TicketPriority.Urgent, ticket.Priority);
        var e = Assert.Single(ticket.Events, e => e.Kind == TicketEventKind.PriorityChanged);
        Assert.Equal(("Normal", "Urgent", "VIP complaint"), (e.From, e.To, e.Note));
    }

    [Fact]
    public void Assign_RecordsGroupAndAssigneeChanges_AndRaisesTicketAssigned()
    {
        var ticket = NewTicket();
        var group = Guid.NewGuid();
        var agent = Guid.NewGuid();

        ticket.Assign(group, agent, M(1), "router");
        ticket.Assign(group, agent, M(2), "router");

        Assert.Equal((group, agent), (ticket.GroupId, ticket.AssigneeId));
        Assert.Equal(
            [TicketEventKind.Created, TicketEventKind.GroupChanged, TicketEventKind.Assigned],
            ticket.Events.Select(e => e.Kind));
        Assert.Contains(new TicketAssigned(ticket.Id, 42, agent, group), ticket.PendingEvents());
    }

    // ---- rating and merging ------------------------------------------------------------------------------------------

    [Fact]
    public void Rate_AcceptsOneToFive_OnSolvedOrClosedTicketsOnly()
    {
        var open = TicketIn(TicketStatus.Open);
        Assert.Throws<InvalidOperationException>(() => open.Rate(5, null, M(5), "customer"));

        var solved = TicketIn(TicketStatus.Solved);
        Assert.Throws<ArgumentOutOfRangeException>(() => solved.Rate(0, null, M(5), "customer"));
        Assert.Throws<ArgumentOutOfRangeException>(() => solved.Rate(6, null, M(5), "customer"));

        solved.Rate(4, "quick", M(5), "customer");
        solved.Rate(5, "even better", M(6), "customer");
        Assert.Equal((5, "even better", M(6)), (solved.CsatRating, solved.CsatComment, solved.CsatAt));
        Assert.Equal("5", solved.Events[^1].To);

        var closed = TicketIn(TicketStatus.Closed);
        closed.Rate(3, null, M(5), "customer");
        Assert.Equal(3, closed.CsatRating);
    }

    [Fact]
    public void MergeInto_SolvesAndClosesTheSource_AndRecordsBothSides()
    {
        var source = NewTicket();
        var target = new Ticket { Number = 43, CustomerId = source.CustomerId };
        target.Open(T0, "customer", null);

        source.MergeInto(target, M(10), "agent");

        Assert.Equal(TicketStatus.Closed, source.Status);
        Assert.Equal(target.Id, source.MergedIntoId);
        Assert.Equal(M(10), source.SolvedAt);
        Assert.Equal("43", Assert.Single(source.Events, e => e.Kind == TicketEventKind.MergedInto).To);
        Assert.Equal("42", Assert.Single(target.Events, e => e.Kind == TicketEventKind.MergedFrom).From);
    }

    [Fact]
    public void MergeInto_Refuses_ItselfAndClosedTickets()
    {
        var ticket = NewTicket();
        Assert.Throws<InvalidOperationException>(() => ticket.MergeInto(ticket, M(1), "agent"));

        var closed = TicketIn(TicketStatus.Closed);
        Assert.Throws<InvalidOperationException>(() => ticket.MergeInto(closed, M(1), "agent"));
        Assert.Throws<InvalidOperationException>(() => closed.MergeInto(ticket, M(1), "agent"));
    }

    // ---- fired alerts ------------------------------------------------------------------------------------------------

    [Fact]
    public void FiredAlerts_RoundTripThroughMarkFired()
    {
        var ticket = NewTicket();
        SlaAlertKey[] keys =
        [
            new(FirstReply, 1, SlaAlertKind.AtRisk),
            new(FirstReply, 1, SlaAlertKind.Breached),
            new(NextReply, 12, SlaAlertKind.AtRisk),
            new(TotalResolution, 1, SlaAlertKind.Breached),
        ];

        Assert.Empty(ticket.FiredAlerts());
        foreach (var key in keys)
        {
            ticket.MarkFired(key);
        }

        Assert.Equal("FirstReply#1:AtRisk;FirstReply#1:Breached;NextReply#12:AtRisk;TotalResolution#1:Breached", ticket.SlaFired);
        Assert.Equal(keys.ToHashSet(), ticket.FiredAlerts());
    }

    [Fact]
    public void FiredAlerts_IgnoresMalformedParts()
    {
        var ticket = NewTicket();
        ticket.SlaFired = "FirstReply#1:AtRisk;;garbage;Nope#1:AtRisk;FirstReply#x:AtRisk;FirstReply#2:Maybe;#1:AtRisk;NextReply#3:Breached";

        Assert.Equal(
            new HashSet<SlaAlertKey> { new(FirstReply, 1, SlaAlertKind.AtRisk), new(NextReply, 3, SlaAlertKind.Breached) },
            ticket.FiredAlerts());
    }

    [Fact]
    public void FiredAlerts_FeedNextCheck_SoTheScanMovesOn()
    {
        var policy = Policy("p", Target(FirstReply, 60));
        var ticket = NewTicket();
        ticket.ApplyPolicy(policy.Id, T0, "system");
        var facts = ticket.SlaFacts(_ => policy);

        var e = SlaEngine.Evaluate(facts, CalendarOf, M(50));
        foreach (var key in SlaEngine.DueAlerts(e, ticket.FiredAlerts(), M(50)))
        {
            ticket.MarkFired(key);
        }
        ticket.CacheSla(e, ticket.FiredAlerts());

        Assert.Equal("FirstReply#1:AtRisk", ticket.SlaFired);
        Assert.Equal(M(60), ticket.SlaNextCheckAt);
        Assert.True(ticket.SlaAtRisk);
        Assert.Empty(SlaEngine.DueAlerts(e, ticket.FiredAlerts(), M(50)));
    }
}
