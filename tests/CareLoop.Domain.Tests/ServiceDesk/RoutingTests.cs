using CareLoop.Domain.ServiceDesk;

namespace CareLoop.Domain.Tests.ServiceDesk;

public sealed class RoutingTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 2, 0, 0, DateTimeKind.Utc);

    private static readonly Guid IdA = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid IdB = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid IdC = Guid.Parse("00000000-0000-0000-0000-00000000000c");

    private static AgentCandidate Agent(
        Guid? id = null,
        Presence presence = Presence.Online,
        bool certified = true,
        string[]? skills = null,
        int capacity = 5,
        int open = 0,
        DateTime? lastAssigned = null) =>
        new(id ?? Guid.NewGuid(), presence, certified, skills ?? [], capacity, open, lastAssigned);

    // ---- ChooseAgent -------------------------------------------------------------------------------------------------

    [Fact]
    public void ChooseAgent_ReturnsNull_WhenThereAreNoCandidates()
    {
        Assert.Null(Routing.ChooseAgent([], []));
    }

    [Theory]
    [InlineData(Presence.Away)]
    [InlineData(Presence.Offline)]
    public void ChooseAgent_SkipsAgentsWhoAreNotOnline(Presence presence)
    {
        var away = Agent(presence: presence, capacity: 10);
        var online = Agent(capacity: 2);

        Assert.Same(online, Routing.ChooseAgent([away, online], []));
        Assert.Null(Routing.ChooseAgent([away], []));
    }

    [Fact]
    public void ChooseAgent_SkipsAgentsWhoAreNotCertified()
    {
        var trainee = Agent(certified: false, capacity: 10);
        var certified = Agent(capacity: 2);

        Assert.Same(certified, Routing.ChooseAgent([trainee, certified], []));
        Assert.Null(Routing.ChooseAgent([trainee], []));
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(5, 7)]
    [InlineData(0, 0)]
    public void ChooseAgent_SkipsAgentsWithoutSpareCapacity(int capacity, int open)
    {
        Assert.Null(Routing.ChooseAgent([Agent(capacity: capacity, open: open)], []));
    }

    [Fact]
    public void ChooseAgent_RequiresEveryRequiredSkill_CaseInsensitively()
    {
        var logisticsOnly = Agent(skills: ["logistics"], capacity: 10);
        var both = Agent(skills: ["Logistics", "REFUND"], capacity: 2);

        Assert.Same(both, Routing.ChooseAgent([logisticsOnly, both], ["logistics", "refund"]));
        Assert.Null(Routing.ChooseAgent([logisticsOnly], ["LOGISTICS", "refund"]));
        Assert.Same(logisticsOnly, Routing.ChooseAgent([logisticsOnly], ["LoGiStIcS"]));
    }

    [Fact]
    public void ChooseAgent_WithNoRequiredSkills_AcceptsAnyEligibleAgent()
    {
        var noSkills = Agent();

        Assert.Same(noSkills, Routing.ChooseAgent([noSkills], []));
    }

    [Fact]
    public void ChooseAgent_PrefersTheMostSpareCapacity()
    {
        var busy = Agent(capacity: 10, open: 8, lastAssigned: null);   // spare 2
        var free = Agent(capacity: 5, open: 1, lastAssigned: T0);      // spare 4
        var mid = Agent(capacity: 3, open: 0, lastAssigned: null);     // spare 3

        Assert.Same(free, Routing.ChooseAgent([busy, free, mid], []));
        Assert.Same(free, Routing.ChooseAgent([mid, busy, free], []));
    }

    [Fact]
    public void ChooseAgent_BreaksCapacityTies_ByLeastRecentlyAssigned_NeverAssignedFirst()
    {
        var recent = Agent(id: IdA, lastAssigned: T0.AddHours(1));
        var earlier = Agent(id: IdB, lastAssigned: T0);
        var never = Agent(id: IdC, lastAssigned: null);

        Assert.Same(never, Routing.ChooseAgent([recent, earlier, never], []));
        Assert.Same(earlier, Routing.ChooseAgent([recent, earlier], []));
        Assert.Same(earlier, Routing.ChooseAgent([earlier, recent], []));
    }

    [Fact]
    public void ChooseAgent_BreaksRemainingTies_ByUserId()
    {
        var a = Agent(id: IdA, lastAssigned: T0);
        var b = Agent(id: IdB, lastAssigned: T0);
        var c = Agent(id: IdC, lastAssigned: null);
        var d = Agent(id: IdB, lastAssigned: null);

        Assert.Same(a, Routing.ChooseAgent([b, a], []));
        Assert.Same(a, Routing.ChooseAgent([a, b], []));
        Assert.Same(d, Routing.ChooseAgent([c, d], []));
    }

    [Fact]
    public void ChooseAgent_TheAnswerDoesNotDependOnCandidateOrder()
    {
        var random = new Random(42);
        for (var round = 0; round < 200; round++)
        {
            var candidates = Enumerable.Range(0, random.Next(1, 8)).Select(_ => Agent(
                presence: (Presence)random.Next(3),
                certified: random.Next(4) > 0,
                skills: random.Next(2) == 0 ? ["vip"] : [],
                capacity: random.Next(0, 4),
                open: random.Next(0, 3),
                lastAssigned: random.Next(3) == 0 ? null : T0.AddMinutes(random.Next(3)))).ToList();

            var expected = Routing.ChooseAgent(candidates, ["VIP"]);
            var shuffled = candidates.OrderBy(_ => random.Next()).ToList();

            Assert.Same(expected, Routing.ChooseAgent(shuffled, ["VIP"]));
            if (expected is not null)
            {
                Assert.All(candidates.Where(c => c.Presence == Presence.Online && c.Certified && c.Spare > 0 && c.Skills.Contains("vip")),
                    c => Assert.True(c.Spare <= expected.Spare));
            }
        }
    }

    [Fact]
    public void Spare_IsCapacityMinusOpenAssigned()
    {
        Assert.Equal(3, Agent(capacity: 5, open: 2).Spare);
        Assert.Equal(-2, Agent(capacity: 1, open: 3).Spare);
    }

    // ---- QueueOrder --------------------------------------------------------------------------------------------------

    private static WaitingTicket W(TicketPriority priority, bool vip, int minutesAfterT0, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), priority, vip, T0.AddMinutes(minutesAfterT0));

    [Fact]
    public void QueueOrder_UrgentFirst_ThenVip_ThenHigherPriority_ThenOldest()
    {
        var urgentNew = W(TicketPriority.Urgent, false, 50);
        var urgentOld = W(TicketPriority.Urgent, false, 10);
        var vipLow = W(TicketPriority.Low, true, 0);
        var vipHigh = W(TicketPriority.High, true, 40);
        var high = W(TicketPriority.High, false, 30);
        var normalOld = W(TicketPriority.Normal, false, 5);
        var normalNew = W(TicketPriority.Normal, false, 20);
        var low = W(TicketPriority.Low, false, 1);

        var ordered = Routing.QueueOrder([low, normalNew, vipLow, high, urgentNew, normalOld, vipHigh, urgentOld]).ToList();

        Assert.Equal([urgentOld, urgentNew, vipHigh, vipLow, high, normalOld, normalNew, low], ordered);
    }

    [Fact]
    public void QueueOrder_PutsUrgentAheadOfVip()
    {
        var vipUrgent = W(TicketPriority.Urgent, true, 30);
        var urgent = W(TicketPriority.Urgent, false, 0);
        var vipHigh = W(TicketPriority.High, true, 0);

        // Among urgent tickets the VIP one goes first; any urgent ticket goes before a non-urgent VIP one.
        Assert.Equal([vipUrgent, urgent, vipHigh], Routing.QueueOrder([vipHigh, urgent, vipUrgent]));
    }

    [Fact]
    public void QueueOrder_IsStable_ForTicketsCreatedAtTheSameInstant()
    {
        var a = W(TicketPriority.Normal, false, 0, Guid.Parse("00000000-0000-0000-0000-000000000001"));
        var b = W(TicketPriority.Normal, false, 0, Guid.Parse("00000000-0000-0000-0000-000000000002"));

        Assert.Equal([a, b], Routing.QueueOrder([b, a]));
        Assert.Equal([a, b], Routing.QueueOrder([a, b]));
    }

    [Fact]
    public void QueueOrder_OfAnEmptyQueue_IsEmpty()
    {
        Assert.Empty(Routing.QueueOrder([]));
    }
}
