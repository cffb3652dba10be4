using CareLoop.Domain.Commerce;
using CareLoop.Domain.ServiceDesk;
using static CareLoop.Domain.ServiceDesk.SlaMetric;
using static CareLoop.Domain.Tests.ServiceDesk.SlaKit;

namespace CareLoop.Domain.Tests.ServiceDesk;

/// <summary>Policy matching, and what a changed policy (e.g. after a priority change) does to running and stopped runs.</summary>
public sealed class SlaPolicyChangeTests
{
    private static readonly DateTime T0 = Sh("2026-03-02 10:00"); // Monday

    private static DateTime M(double minutes) => T0.AddMinutes(minutes);

    private static readonly SlaPolicyDefinition Normal = Policy("normal",
        Target(FirstReply, 480, CnMainland),
        Target(TotalResolution, 2400, CnMainland));

    private static readonly SlaPolicyDefinition Urgent = Policy("urgent",
        Target(FirstReply, 60),
        Target(TotalResolution, 480));

    [Fact]
    public void PriorityChange_AppliesTheNewTargets_FromEachMetricsOriginalStart()
    {
        var h = History.Created(T0, Normal);
        // Normal: first reply 480 business min from Mon 10:00: Mon 10:00–18:00 = 480 → Mon 18:00.
        Assert.Equal(Sh("2026-03-02 18:00"), h.At(M(20)).Get(FirstReply).Due);

        h.Policy(M(30), Urgent);
        var e = h.At(M(40));

        Assert.Same(Urgent, e.Policy);
        var fr = e.Get(FirstReply);
        Assert.Equal(1, fr.Occurrence);
        Assert.Equal(60, fr.TargetMinutes);
        Assert.Equal(TwentyFourSeven, fr.Calendar);
        Assert.Equal(T0, fr.StartedAt);
        Assert.Equal(Min(40), fr.Used);
        Assert.Equal(M(60), fr.Due);     // 10:00 + 60, not 10:30 + 60
        Assert.Equal(M(480), e.Get(TotalResolution).Due);
        Assert.Equal(M(60), e.EarliestDue);
    }

    [Fact]
    public void PriorityChange_BreachesAtOnce_WhenTheNewTargetIsAlreadyUsedUp()
    {
        var e = History.Created(T0, Normal).Policy(M(90), Urgent).At(M(90));

        var fr = e.Get(FirstReply);
        Assert.Equal(SlaMetricStatus.Breached, fr.Status);
        Assert.Equal(M(60), fr.BreachedAt);
        Assert.True(e.AnyBreached);
    }

    [Fact]
    public void PriorityChange_ToALooserPolicy_LiftsARunningBreach()
    {
        // Urgent first reply breached at 11:00; downgraded at 11:30 → normal's 480 business min apply from 10:00.
        var e = History.Created(T0, Urgent).Policy(M(90), Normal).At(M(100));

        var fr = e.Get(FirstReply);
        Assert.Equal(SlaMetricStatus.Active, fr.Status);
        Assert.Equal(480, fr.TargetMinutes);
        Assert.Equal(Sh("2026-03-02 18:00"), fr.Due);
    }

    [Fact]
    public void StoppedRun_KeepsTheTargetInForceWhenItStopped_WhileRunningOnesTakeTheNewOne()
    {
        var a = Policy("a", Target(FirstReply, 60), Target(TotalResolution, 1000));
        var b = Policy("b", Target(FirstReply, 30), Target(TotalResolution, 100));

        var e = History.Created(T0, a).Agent(M(40)).Policy(M(50), b).At(M(60));

        var fr = e.Get(FirstReply);
        Assert.Equal(SlaMetricStatus.Met, fr.Status); // 40 ≤ 60 (a), though 40 > 30 (b)
        Assert.Equal(60, fr.TargetMinutes);
        var tr = e.Get(TotalResolution);
        Assert.Equal(100, tr.TargetMinutes);
        Assert.Equal(M(100), tr.Due);
    }

    [Fact]
    public void StoppedRun_BreachedUnderTheOldPolicy_StaysBreached_UnderALooserOne()
    {
        var a = Policy("a", Target(FirstReply, 30));
        var b = Policy("b", Target(FirstReply, 60));

        var fr = History.Created(T0, a).Agent(M(40)).Policy(M(50), b).At(M(60)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Breached, fr.Status);
        Assert.Equal(30, fr.TargetMinutes);
        Assert.Equal(M(30), fr.BreachedAt);
    }

    [Fact]
    public void RunStoppedBeforeAnyPolicy_IsMeasuredAgainstThePolicyAppliedLater()
    {
        var facts = new List<SlaFact>
        {
            SlaFact.Created(T0, TicketStatus.New, true),
            SlaFact.AgentReply(M(40)),
            SlaFact.PolicyApplied(M(50), Policy("late", Target(FirstReply, 30))),
        };

        var fr = SlaEngine.Evaluate(facts, CalendarOf, M(60)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Breached, fr.Status);
        Assert.Equal(Min(40), fr.Used);
    }

    [Fact]
    public void PolicyAppliedLate_MeasuresRunningMetricsFromTheirOriginalStart()
    {
        var facts = new List<SlaFact>
        {
            SlaFact.Created(T0, TicketStatus.New, true),
            SlaFact.PolicyApplied(M(30), Policy("late", Target(FirstReply, 60))),
        };

        var fr = SlaEngine.Evaluate(facts, CalendarOf, M(45)).Get(FirstReply);

        Assert.Equal(T0, fr.StartedAt);
        Assert.Equal(Min(45), fr.Used);
        Assert.Equal(M(60), fr.Due);
    }

    [Fact]
    public void ReopenedTicketLongMetric_TakesThePolicyInForceWhenItRunsAgain()
    {
        // a: agent work 120; solved at 100 (met under a). b (60) applied while solved: the stopped run keeps 120.
        // Reopened: the run counts again under b: 100 > 60 → breached, breach instant 60 min into the first span.
        var a = Policy("a", Target(AgentWorkTime, 120));
        var b = Policy("b", Target(AgentWorkTime, 60));
        var h = History.Created(T0, a).Status(M(100), TicketStatus.Solved).Policy(M(110), b);

        var solved = h.At(M(115)).Get(AgentWorkTime);
        Assert.Equal(SlaMetricStatus.Met, solved.Status);
        Assert.Equal(120, solved.TargetMinutes);

        h.Customer(M(200), reopen: true);
        var reopened = h.At(M(210)).Get(AgentWorkTime);
        Assert.Equal(60, reopened.TargetMinutes);
        Assert.Equal(SlaMetricStatus.Breached, reopened.Status);
        Assert.Equal(M(60), reopened.BreachedAt);
        Assert.Equal(Min(110), reopened.Used);
    }

    [Fact]
    public void NewPolicyWithoutATargetForAMetric_DropsThatMetric()
    {
        var e = History.Created(T0, Urgent).Policy(M(10), Policy("resolution-only", Target(TotalResolution, 480))).At(M(20));

        Assert.Equal([TotalResolution], e.Metrics.Select(m => m.Metric));
        Assert.DoesNotContain(e.Occurrences, o => o.Metric == FirstReply);
    }

    [Fact]
    public void NewPolicyOnADifferentCalendar_RemeasuresTheSameHistory()
    {
        // Created Fri 2026-03-06 17:00. 24x7 first reply 120 → Fri 19:00. Switched to cn-mainland 120 at 17:30:
        // Fri 17:00–18:00 = 60, Mon 09:00 + 60 = Mon 10:00; at Fri 20:00 only 60 business minutes are used.
        var created = Sh("2026-03-06 17:00");
        var e = History.Created(created, Policy("24x7", Target(FirstReply, 120)))
            .Policy(Sh("2026-03-06 17:30"), Policy("cn", Target(FirstReply, 120, CnMainland)))
            .At(Sh("2026-03-06 20:00"));

        var fr = e.Get(FirstReply);
        Assert.Equal(Min(60), fr.Used);
        Assert.Equal(Sh("2026-03-09 10:00"), fr.Due);
        Assert.Equal(SlaMetricStatus.Active, fr.Status);
    }

    // ---- matching ----------------------------------------------------------------------------------------------------

    private static SlaSubject Subject(TicketPriority priority = TicketPriority.Normal, CustomerTier tier = CustomerTier.Regular, Guid? merchant = null) =>
        new(priority, TicketCategory.Logistics, TicketChannel.Web, tier, merchant);

    private static SlaPolicyDefinition Conditional(string name, int position, SlaConditions conditions) =>
        new(Guid.NewGuid(), name, position, conditions, [Target(FirstReply, 60)]);

    [Fact]
    public void Matcher_PicksTheFirstMatchingPolicy_ByPosition_NotByListOrder()
    {
        var fallback = Conditional("fallback", 10, SlaConditions.Any);
        var urgent = Conditional("urgent", 1, SlaConditions.Any with { Priorities = [TicketPriority.Urgent] });
        var vip = Conditional("vip", 2, SlaConditions.Any with { Tiers = [CustomerTier.Vip] });
        SlaPolicyDefinition[] policies = [fallback, vip, urgent];

        Assert.Same(urgent, SlaPolicyMatcher.Match(policies, Subject(TicketPriority.Urgent, CustomerTier.Vip)));
        Assert.Same(vip, SlaPolicyMatcher.Match(policies, Subject(TicketPriority.High, CustomerTier.Vip)));
        Assert.Same(fallback, SlaPolicyMatcher.Match(policies, Subject()));
    }

    [Fact]
    public void Matcher_ReturnsNull_WhenNothingMatches()
    {
        var urgent = Conditional("urgent", 1, SlaConditions.Any with { Priorities = [TicketPriority.Urgent] });

        Assert.Null(SlaPolicyMatcher.Match([urgent], Subject()));
        Assert.Null(SlaPolicyMatcher.Match([], Subject()));
    }

    [Fact]
    public void Conditions_AllListsMustMatch_AndEmptyMeansAny()
    {
        var merchant = Guid.NewGuid();
        var c = new SlaConditions([TicketPriority.High], [TicketCategory.Logistics], [TicketChannel.Web], [CustomerTier.Regular], [merchant]);

        Assert.True(c.Matches(Subject(TicketPriority.High, merchant: merchant)));
        Assert.False(c.Matches(Subject(TicketPriority.Low, merchant: merchant)));
        Assert.False(c.Matches(Subject(TicketPriority.High, CustomerTier.Vip, merchant)));
        Assert.False(c.Matches(Subject(TicketPriority.High, merchant: Guid.NewGuid())));
        Assert.False(c.Matches(Subject(TicketPriority.High, merchant: null)));
        Assert.False(c.Matches(new SlaSubject(TicketPriority.High, TicketCategory.Repair, TicketChannel.Web, CustomerTier.Regular, merchant)));
        Assert.False(c.Matches(new SlaSubject(TicketPriority.High, TicketCategory.Logistics, TicketChannel.Phone, CustomerTier.Regular, merchant)));
        Assert.True(SlaConditions.Any.Matches(Subject(merchant: null)));
    }

    [Fact]
    public void TargetFor_ReturnsTheMetricsTarget_OrNull()
    {
        Assert.Equal(Target(FirstReply, 60), Urgent.TargetFor(FirstReply));
        Assert.Null(Urgent.TargetFor(NextReply));
    }
}
