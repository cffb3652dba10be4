using CareLoop.Domain.ServiceDesk;
using static CareLoop.Domain.ServiceDesk.TicketStatus;

namespace CareLoop.Domain.Tests.ServiceDesk;

public sealed class TicketLifecycleTests
{
    /// <summary>new → open ⇄ pending / on_hold → solved (→ open) → closed (final).</summary>
    private static readonly Dictionary<TicketStatus, TicketStatus[]> Expected = new()
    {
        [New] = [Open, Pending, OnHold, Solved],
        [Open] = [Pending, OnHold, Solved],
        [Pending] = [Open, OnHold, Solved],
        [OnHold] = [Open, Pending, Solved],
        [Solved] = [Open, Closed],
        [Closed] = [],
    };

    public static TheoryData<TicketStatus, TicketStatus> AllPairs()
    {
        var data = new TheoryData<TicketStatus, TicketStatus>();
        foreach (var from in Enum.GetValues<TicketStatus>())
        {
            foreach (var to in Enum.GetValues<TicketStatus>())
            {
                data.Add(from, to);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanMove_FollowsTheLifecycle_ForEveryPairOfStatuses(TicketStatus from, TicketStatus to)
    {
        Assert.Equal(Expected[from].Contains(to), TicketLifecycle.CanMove(from, to));
    }

    [Theory]
    [InlineData(New)]
    [InlineData(Open)]
    [InlineData(Pending)]
    [InlineData(OnHold)]
    [InlineData(Solved)]
    [InlineData(Closed)]
    public void AllowedFrom_ListsExactlyTheReachableStatuses(TicketStatus from)
    {
        Assert.Equal(Expected[from].Order(), TicketLifecycle.AllowedFrom(from).Order());
    }

    [Fact]
    public void Closed_IsFinal_NothingCanFollowIt()
    {
        Assert.Empty(TicketLifecycle.AllowedFrom(Closed));
        Assert.All(Enum.GetValues<TicketStatus>(), to => Assert.False(TicketLifecycle.CanMove(Closed, to)));
    }

    [Fact]
    public void Closed_CanOnlyBeReached_FromSolved()
    {
        var sources = Enum.GetValues<TicketStatus>().Where(s => TicketLifecycle.CanMove(s, Closed));
        Assert.Equal([Solved], sources);
    }

    [Fact]
    public void New_CannotBeReached_FromAnyStatus()
    {
        Assert.All(Enum.GetValues<TicketStatus>(), from => Assert.False(TicketLifecycle.CanMove(from, New)));
    }

    [Fact]
    public void NoStatus_MayMoveToItself()
    {
        Assert.All(Enum.GetValues<TicketStatus>(), s => Assert.False(TicketLifecycle.CanMove(s, s)));
    }

    [Theory]
    [InlineData(New, true)]
    [InlineData(Open, true)]
    [InlineData(Pending, true)]
    [InlineData(OnHold, true)]
    [InlineData(Solved, false)]
    [InlineData(Closed, false)]
    public void IsUnsolved_IsTrue_UntilSolvedOrClosed(TicketStatus status, bool unsolved)
    {
        Assert.Equal(unsolved, TicketLifecycle.IsUnsolved(status));
    }

    [Theory]
    [InlineData(New, New)]
    [InlineData(Open, Open)]
    [InlineData(Pending, Open)]
    [InlineData(OnHold, Open)]
    [InlineData(Solved, Open)]
    public void AfterCustomerMessage_ReopensWaitingAndSolvedTickets_AndKeepsNewAndOpen(TicketStatus status, TicketStatus after)
    {
        Assert.Equal(after, TicketLifecycle.AfterCustomerMessage(status));
    }

    [Fact]
    public void AfterCustomerMessage_IsNull_ForClosedTicket()
    {
        Assert.Null(TicketLifecycle.AfterCustomerMessage(Closed));
    }

    [Fact]
    public void AfterCustomerMessage_AlwaysGivesAStatusReachableFromTheCurrentOne()
    {
        foreach (var status in Enum.GetValues<TicketStatus>())
        {
            if (TicketLifecycle.AfterCustomerMessage(status) is { } next && next != status)
            {
                Assert.True(TicketLifecycle.CanMove(status, next), $"{status} → {next}");
            }
        }
    }

    [Fact]
    public void IllegalTransitionException_ListsTheStatusesAllowedFromTheSource()
    {
        var e = new IllegalTransitionException(Solved, Pending);

        Assert.Equal(Solved, e.From);
        Assert.Equal(Pending, e.To);
        Assert.Equal([Open, Closed], e.Allowed);
        Assert.Contains("Solved", e.Message, StringComparison.Ordinal);
        Assert.Contains("Pending", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<InvalidOperationException>(e);
    }

    [Fact]
    public void IllegalTransitionException_FromClosed_ListsNothing()
    {
        Assert.Empty(new IllegalTransitionException(Closed, Open).Allowed);
    }
}
