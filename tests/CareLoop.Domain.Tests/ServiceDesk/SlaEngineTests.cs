using CareLoop.Domain.ServiceDesk;
using static CareLoop.Domain.ServiceDesk.SlaMetric;
using static CareLoop.Domain.Tests.ServiceDesk.SlaKit;

namespace CareLoop.Domain.Tests.ServiceDesk;

/// <summary>What starts, counts and stops each metric, statuses, due and at-risk instants, and business-calendar arithmetic.</summary>
public sealed class SlaEngineTests
{
    private static readonly DateTime T0 = Sh("2026-03-02 10:00"); // a Monday, no holiday nearby

    private static DateTime M(double minutes) => T0.AddMinutes(minutes);

    // ---- no policy -------------------------------------------------------------------------------------------------

    [Fact]
    public void Evaluate_ReturnsNone_WhenNoPolicyWasEverApplied()
    {
        var facts = new List<SlaFact> { SlaFact.Created(T0, TicketStatus.New, true), SlaFact.AgentReply(M(5)) };

        var e = SlaEngine.Evaluate(facts, CalendarOf, M(10));

        Assert.Same(SlaEvaluation.None, e);
        Assert.Null(e.EarliestDue);
        Assert.False(e.AnyBreached);
        Assert.False(e.AnyAtRisk);
    }

    [Fact]
    public void Evaluate_ReturnsNone_WhenThePolicyIsRemovedLater()
    {
        var e = History.Created(T0, AllMetrics24x7()).Policy(M(5), null).At(M(10));

        Assert.Null(e.Policy);
        Assert.Empty(e.Metrics);
        Assert.Empty(e.Occurrences);
    }

    [Fact]
    public void Evaluate_Throws_OnNullArguments()
    {
        Assert.Throws<ArgumentNullException>(() => SlaEngine.Evaluate(null!, CalendarOf, T0));
        Assert.Throws<ArgumentNullException>(() => SlaEngine.Evaluate([], null!, T0));
    }

    // ---- the metrics list --------------------------------------------------------------------------------------------

    [Fact]
    public void Metrics_ListsEveryTargetOfThePolicy_InMetricOrder_InactiveWhileNotStarted()
    {
        var e = History.Created(T0, AllMetrics24x7(), withCustomerMessage: false).At(M(10));

        Assert.Equal([FirstReply, NextReply, PeriodicUpdate, AgentWorkTime, RequesterWaitTime, TotalResolution], e.Metrics.Select(m => m.Metric));
        foreach (var metric in new[] { FirstReply, NextReply, PeriodicUpdate })
        {
            var o = e.Get(metric);
            Assert.Equal(SlaMetricStatus.Inactive, o.Status);
            Assert.Equal(0, o.Occurrence);
            Assert.Null(o.StartedAt);
            Assert.Null(o.Due);
            Assert.Equal(TimeSpan.Zero, o.Used);
        }
        Assert.Equal(60, e.Get(FirstReply).TargetMinutes);
        Assert.Equal(TwentyFourSeven, e.Get(FirstReply).Calendar);
        // Inactive metrics are listed but are not occurrences.
        Assert.Equal([AgentWorkTime, RequesterWaitTime, TotalResolution], e.Occurrences.Select(o => o.Metric));
    }

    [Fact]
    public void Metrics_OmitsMetricsThePolicyHasNoTargetFor()
    {
        var policy = Policy("reply-only", Target(FirstReply, 60));

        var e = History.Created(T0, policy).At(M(10));

        Assert.Equal([FirstReply], e.Metrics.Select(m => m.Metric));
        Assert.Equal([FirstReply], e.Occurrences.Select(m => m.Metric));
    }

    // ---- first_reply -------------------------------------------------------------------------------------------------

    [Fact]
    public void FirstReply_Starts_WhenCreatedWithACustomerMessage()
    {
        var o = History.Created(T0, AllMetrics24x7()).At(M(20)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Active, o.Status);
        Assert.Equal(1, o.Occurrence);
        Assert.Equal(T0, o.StartedAt);
        Assert.Equal(Min(20), o.Used);
        Assert.Equal(20, o.MinutesUsed);
        Assert.Equal(M(60), o.Due); // 24x7: start + 60 min
        Assert.True(o.IsRunning);
    }

    [Fact]
    public void FirstReply_StaysInactive_WhenCreatedWithoutACustomerMessage()
    {
        var o = History.Created(T0, AllMetrics24x7(), withCustomerMessage: false).Agent(M(5)).At(M(20)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Inactive, o.Status);
    }

    [Fact]
    public void FirstReply_IsMet_ByTheFirstPublicAgentReply_WithinTarget()
    {
        var o = History.Created(T0, AllMetrics24x7()).Agent(M(40)).At(M(500)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Met, o.Status);
        Assert.Equal(M(40), o.StoppedAt);
        Assert.Equal(Min(40), o.Used);
        Assert.Null(o.Due);
        Assert.False(o.AtRisk);
        Assert.False(o.IsRunning);
    }

    [Fact]
    public void FirstReply_IsMet_WhenTheReplyLandsExactlyOnTheTarget()
    {
        // used == target (60 of 60) counts as within target once stopped.
        var o = History.Created(T0, AllMetrics24x7()).Agent(M(60)).At(M(90)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Met, o.Status);
        Assert.Equal(Min(60), o.Used);
    }

    [Fact]
    public void FirstReply_IsBreached_WhenTheReplyComesAfterTheTarget()
    {
        var o = History.Created(T0, AllMetrics24x7()).Agent(M(61)).At(M(90)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Breached, o.Status);
        Assert.Equal(Min(61), o.Used);
        Assert.Equal(M(60), o.BreachedAt);
        Assert.Null(o.Due);
    }

    [Fact]
    public void FirstReply_IsBreached_WhileRunning_FromTheInstantTheTargetIsUsedUp()
    {
        var h = History.Created(T0, AllMetrics24x7());

        Assert.Equal(SlaMetricStatus.Active, h.At(M(59)).Get(FirstReply).Status);
        var atTarget = h.At(M(60)).Get(FirstReply);
        Assert.Equal(SlaMetricStatus.Breached, atTarget.Status);
        Assert.Equal(M(60), atTarget.Due); // a counting run keeps its (past) due instant
        Assert.Equal(M(60), atTarget.BreachedAt);
        Assert.True(h.At(M(60)).AnyBreached);
    }

    [Fact]
    public void FirstReply_KeepsCounting_WhilePendingAndOnHold()
    {
        var o = History.Created(T0, AllMetrics24x7())
            .Status(M(10), TicketStatus.Pending)
            .Status(M(20), TicketStatus.OnHold)
            .At(M(50)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Active, o.Status);
        Assert.Equal(Min(50), o.Used);
        Assert.Equal(M(60), o.Due);
    }

    [Fact]
    public void FirstReply_IsNotStoppedAgain_ByLaterReplies()
    {
        var e = History.Created(T0, AllMetrics24x7()).Agent(M(10)).Customer(M(20)).Agent(M(30)).At(M(40));

        var first = e.Get(FirstReply);
        Assert.Equal(M(10), first.StoppedAt);
        Assert.Single(e.Occurrences, o => o.Metric == FirstReply);
    }

    // ---- next_reply --------------------------------------------------------------------------------------------------

    [Fact]
    public void NextReply_Starts_AtACustomerMessage_AfterTheFirstReply_AndStopsAtTheNextAgentReply()
    {
        var e = History.Created(T0, AllMetrics24x7())
            .Agent(M(10))
            .Customer(M(30))
            .Agent(M(50))
            .At(M(55));

        var o = e.Get(NextReply, 1);
        Assert.Equal(M(30), o.StartedAt);
        Assert.Equal(M(50), o.StoppedAt);
        Assert.Equal(Min(20), o.Used);
        Assert.Equal(SlaMetricStatus.Met, o.Status);
    }

    [Fact]
    public void NextReply_DoesNotStart_WhileFirstReplyIsRunning()
    {
        // Zendesk reading: the first reply covers every customer message until the first agent reply.
        var e = History.Created(T0, AllMetrics24x7()).Customer(M(5)).Customer(M(8)).At(M(20));

        Assert.Equal(SlaMetricStatus.Inactive, e.Get(NextReply).Status);
        Assert.Equal(SlaMetricStatus.Active, e.Get(FirstReply).Status);
    }

    [Fact]
    public void NextReply_CountsFromTheOldestUnansweredMessage_WhenTheCustomerWritesAgain()
    {
        var e = History.Created(T0, AllMetrics24x7())
            .Agent(M(10))
            .Customer(M(30))
            .Customer(M(40))
            .Agent(M(50))
            .At(M(60));

        var runs = e.Occurrences.Where(o => o.Metric == NextReply).ToList();
        Assert.Single(runs);
        Assert.Equal(M(30), runs[0].StartedAt);
        Assert.Equal(Min(20), runs[0].Used);
    }

    [Fact]
    public void NextReply_NumbersEachRun_AndTheMetricsListShowsTheLatest()
    {
        var e = History.Created(T0, AllMetrics24x7())
            .Agent(M(10))
            .Customer(M(20)).Agent(M(25))   // run 1: 5 min, met
            .Customer(M(30)).Agent(M(70))   // run 2: 40 min, breached (target 30)
            .Customer(M(80))                // run 3: running
            .At(M(90));

        Assert.Equal(SlaMetricStatus.Met, e.Get(NextReply, 1).Status);
        Assert.Equal(SlaMetricStatus.Breached, e.Get(NextReply, 2).Status);
        Assert.Equal(M(60), e.Get(NextReply, 2).BreachedAt);
        var latest = e.Get(NextReply);
        Assert.Equal(3, latest.Occurrence);
        Assert.Equal(SlaMetricStatus.Active, latest.Status);
        Assert.Equal(Min(10), latest.Used);
        Assert.Equal(M(110), latest.Due);
        // The metrics list shows the latest run, so a past breach of run 2 does not make the ticket breached now.
        Assert.False(e.AnyBreached);
    }

    [Fact]
    public void NextReply_Starts_AtTheFirstCustomerMessage_OfATicketCreatedWithoutOne()
    {
        var e = History.Created(T0, AllMetrics24x7(), withCustomerMessage: false).Customer(M(30)).At(M(45));

        Assert.Equal(SlaMetricStatus.Inactive, e.Get(FirstReply).Status);
        var o = e.Get(NextReply);
        Assert.Equal(1, o.Occurrence);
        Assert.Equal(M(30), o.StartedAt);
        Assert.Equal(Min(15), o.Used);
    }

    [Fact]
    public void NextReply_Starts_WhenACustomerMessageReopensASolvedTicket()
    {
        var e = History.Created(T0, AllMetrics24x7())
            .Agent(M(10))
            .Status(M(20), TicketStatus.Solved)
            .Customer(M(100), reopen: true)
            .At(M(110));

        var o = e.Get(NextReply);
        Assert.Equal(M(100), o.StartedAt);
        Assert.Equal(Min(10), o.Used);
        Assert.Equal(SlaMetricStatus.Active, o.Status);
    }

    // ---- periodic_update ---------------------------------------------------------------------------------------------

    [Fact]
    public void PeriodicUpdate_StartsAtEachAgentReply_AndStopsAtTheNextOne()
    {
        var e = History.Created(T0, AllMetrics24x7()).Agent(M(10)).Agent(M(100)).At(M(130));

        var first = e.Get(PeriodicUpdate, 1);
        Assert.Equal(M(10), first.StartedAt);
        Assert.Equal(M(100), first.StoppedAt);
        Assert.Equal(Min(90), first.Used);
        Assert.Equal(SlaMetricStatus.Met, first.Status);

        var second = e.Get(PeriodicUpdate);
        Assert.Equal(2, second.Occurrence);
        Assert.Equal(M(100), second.StartedAt);
        Assert.Equal(Min(30), second.Used);
        Assert.Equal(M(220), second.Due);
    }

    [Fact]
    public void PeriodicUpdate_KeepsCounting_WhilePending()
    {
        var o = History.Created(T0, AllMetrics24x7()).Agent(M(10)).Status(M(10), TicketStatus.Pending).At(M(70)).Get(PeriodicUpdate);

        Assert.Equal(SlaMetricStatus.Active, o.Status);
        Assert.Equal(Min(60), o.Used);
    }

    [Fact]
    public void PeriodicUpdate_StopsWhenSolved_AndDoesNotResumeOnReopen()
    {
        var e = History.Created(T0, AllMetrics24x7())
            .Agent(M(10))
            .Status(M(40), TicketStatus.Solved)
            .Customer(M(100), reopen: true)
            .At(M(150));

        var runs = e.Occurrences.Where(o => o.Metric == PeriodicUpdate).ToList();
        Assert.Single(runs);
        Assert.Equal(M(40), runs[0].StoppedAt);
        Assert.Equal(Min(30), runs[0].Used);
        Assert.Equal(SlaMetricStatus.Met, runs[0].Status);
    }

    [Fact]
    public void PeriodicUpdate_DoesNotStart_AtAnAgentReplyToASolvedTicket()
    {
        var e = History.Created(T0, AllMetrics24x7()).Status(M(10), TicketStatus.Solved).Agent(M(20)).At(M(30));

        Assert.Equal(SlaMetricStatus.Inactive, e.Get(PeriodicUpdate).Status);
    }

    // ---- ticket-long metrics and solving ----------------------------------------------------------------------------

    [Fact]
    public void TicketLongMetrics_StartAtCreation_WhateverTheFirstMessage()
    {
        var e = History.Created(T0, AllMetrics24x7(), withCustomerMessage: false).At(M(30));

        foreach (var metric in new[] { AgentWorkTime, RequesterWaitTime, TotalResolution })
        {
            var o = e.Get(metric);
            Assert.Equal(T0, o.StartedAt);
            Assert.Equal(Min(30), o.Used);
            Assert.Equal(SlaMetricStatus.Active, o.Status);
        }
    }

    [Fact]
    public void Solving_StopsEveryRunningMetric()
    {
        var e = History.Created(T0, AllMetrics24x7())
            .Agent(M(10))          // first reply met, periodic update #1 starts
            .Customer(M(20))       // next reply #1 starts
            .Status(M(30), TicketStatus.Solved)
            .At(M(200));

        Assert.All(e.Occurrences, o =>
        {
            Assert.False(o.IsRunning, o.Metric.ToString());
            Assert.Null(o.Due);
            Assert.False(o.AtRisk);
            Assert.Equal(SlaMetricStatus.Met, o.Status);
        });
        Assert.Equal(M(30), e.Get(NextReply).StoppedAt);
        Assert.Equal(M(30), e.Get(PeriodicUpdate).StoppedAt);
        Assert.Equal(M(30), e.Get(TotalResolution).StoppedAt);
        Assert.Equal(Min(30), e.Get(TotalResolution).Used);
        Assert.Null(e.EarliestDue);
    }

    [Fact]
    public void Solving_StopsFirstReply_EvenWithoutAnAgentReply()
    {
        var o = History.Created(T0, AllMetrics24x7()).Status(M(15), TicketStatus.Solved).At(M(100)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Met, o.Status);
        Assert.Equal(M(15), o.StoppedAt);
    }

    [Fact]
    public void CreatedSolved_StopsEverythingAtCreation()
    {
        var e = History.Created(T0, AllMetrics24x7(), status: TicketStatus.Solved).At(M(100));

        Assert.All(e.Occurrences, o =>
        {
            Assert.Equal(T0, o.StoppedAt);
            Assert.Equal(TimeSpan.Zero, o.Used);
            Assert.Equal(SlaMetricStatus.Met, o.Status);
        });
    }

    [Fact]
    public void ClosingASolvedTicket_ChangesNothing()
    {
        var solved = History.Created(T0, AllMetrics24x7()).Agent(M(10)).Status(M(30), TicketStatus.Solved);
        var before = solved.At(M(100));
        var after = solved.Status(M(60), TicketStatus.Closed).At(M(100));

        Assert.Equal(before.Occurrences, after.Occurrences);
    }

    [Fact]
    public void MeetingOneMetric_NeverChangesAnother()
    {
        var policy = AllMetrics24x7();
        var quiet = History.Created(T0, policy).Status(M(5), TicketStatus.Open).Status(M(70), TicketStatus.Pending);
        var busy = History.Created(T0, policy).Status(M(5), TicketStatus.Open)
            .Agent(M(10)).Customer(M(20)).Agent(M(30)).Status(M(70), TicketStatus.Pending).Agent(M(80));

        var a = quiet.At(M(300));
        var b = busy.At(M(300));

        foreach (var metric in new[] { AgentWorkTime, RequesterWaitTime, TotalResolution })
        {
            Assert.Equal(a.Get(metric), b.Get(metric));
        }
    }

    [Fact]
    public void EarliestDue_IsTheSmallestDueOfTheCountingMetrics()
    {
        // first reply due T0+60, agent work T0+240, requester wait T0+480, resolution T0+1440.
        var e = History.Created(T0, AllMetrics24x7()).At(M(10));
        Assert.Equal(M(60), e.EarliestDue);

        // After the reply: periodic update due 20+120 = 140; first reply no longer counts.
        var replied = History.Created(T0, AllMetrics24x7()).Agent(M(20)).At(M(30));
        Assert.Equal(M(140), replied.EarliestDue);
    }

    // ---- at risk -----------------------------------------------------------------------------------------------------

    [Fact]
    public void AtRisk_FromSeventyFivePercentOfTheTarget_WhileRunningAndNotBreached()
    {
        var h = History.Created(T0, Policy("fr", Target(FirstReply, 60)));

        var before = h.At(M(44)).Get(FirstReply);
        Assert.False(before.AtRisk);
        Assert.Equal(M(45), before.AtRiskAt); // 75 % of 60 = 45 min

        var at = h.At(M(45));
        Assert.True(at.Get(FirstReply).AtRisk);
        Assert.True(at.AnyAtRisk);

        var breached = h.At(M(60)).Get(FirstReply);
        Assert.False(breached.AtRisk);
        Assert.Equal(SlaMetricStatus.Breached, breached.Status);
    }

    [Fact]
    public void AtRisk_IsFalse_OnceStopped()
    {
        var o = History.Created(T0, Policy("fr", Target(FirstReply, 60))).Agent(M(50)).At(M(55)).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Met, o.Status);
        Assert.False(o.AtRisk);
    }

    [Fact]
    public void AtRisk_OfAOddTarget_IsExactToTheTick()
    {
        // 75 % of 7 min = 5 min 15 s.
        var o = History.Created(T0, Policy("fr", Target(FirstReply, 7))).At(M(1)).Get(FirstReply);

        Assert.Equal(T0.AddMinutes(5).AddSeconds(15), o.AtRiskAt);
        Assert.Equal(M(7), o.BreachedAt);
    }

    // ---- counting table ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(FirstReply, "New Open Pending OnHold")]
    [InlineData(NextReply, "New Open Pending OnHold")]
    [InlineData(PeriodicUpdate, "New Open Pending OnHold")]
    [InlineData(AgentWorkTime, "New Open")]
    [InlineData(RequesterWaitTime, "New Open OnHold")]
    [InlineData(TotalResolution, "New Open Pending OnHold")]
    public void Counts_FollowsTheSpecTable(SlaMetric metric, string countingStatuses)
    {
        var counting = countingStatuses.Split(' ').Select(Enum.Parse<TicketStatus>).ToHashSet();
        foreach (var status in Enum.GetValues<TicketStatus>())
        {
            Assert.Equal(counting.Contains(status), SlaEngine.Counts(metric, status));
        }
    }

    // ---- business calendars ------------------------------------------------------------------------------------------

    [Fact]
    public void Due_SkipsTheNightAndTheWeekend_OnCnMainland()
    {
        // Fri 2026-03-06 17:00 + 120 business min: Fri 17:00–18:00 = 60, Sat/Sun off, Mon 09:00 + 60 = Mon 10:00.
        var policy = Policy("cn", Target(FirstReply, 120, CnMainland));
        var created = Sh("2026-03-06 17:00");

        var e = History.Created(created, policy).At(Sh("2026-03-07 12:00"));

        var o = e.Get(FirstReply);
        Assert.Equal(Sh("2026-03-09 10:00"), o.Due);
        Assert.Equal(Min(60), o.Used);
        Assert.Equal(CnMainland, o.Calendar);
        // 75 % of 120 = 90: Fri 60 + Mon 30 → Mon 09:30.
        Assert.Equal(Sh("2026-03-09 09:30"), o.AtRiskAt);
    }

    [Fact]
    public void Due_CountsTheMakeUpWorkday_BeforeSpringFestival()
    {
        // Fri 2026-02-13 16:00 + 480: Fri 16:00–18:00 = 120, Sat 02-14 is a make-up workday (调休): 09:00 + 360 = 15:00.
        var policy = Policy("cn", Target(FirstReply, 480, CnMainland));

        var o = History.Created(Sh("2026-02-13 16:00"), policy).At(Sh("2026-02-14 10:00")).Get(FirstReply);

        Assert.Equal(Sh("2026-02-14 15:00"), o.Due);
        Assert.Equal(Min(120 + 60), o.Used); // Fri 120 + Sat 09:00–10:00
    }

    [Fact]
    public void Due_SkipsTheSpringFestivalHolidays()
    {
        // Sat 2026-02-14 (make-up workday) 17:00 + 240: 17:00–18:00 = 60; 02-15..02-23 holidays; Tue 02-24 09:00 + 180 = 12:00.
        var policy = Policy("cn", Target(FirstReply, 240, CnMainland));
        var h = History.Created(Sh("2026-02-14 17:00"), policy);

        var during = h.At(Sh("2026-02-20 11:00")).Get(FirstReply);
        Assert.Equal(Sh("2026-02-24 12:00"), during.Due);
        Assert.Equal(Min(60), during.Used);
        Assert.Equal(SlaMetricStatus.Active, during.Status); // counting, though the calendar is closed

        Assert.Equal(Min(60 + 150), h.At(Sh("2026-02-24 11:30")).Get(FirstReply).Used);
        Assert.Equal(SlaMetricStatus.Breached, h.At(Sh("2026-02-24 12:00")).Get(FirstReply).Status);
    }

    [Fact]
    public void Used_CountsOnlyBusinessMinutes_OnACustomerServiceCalendarWithAHoliday()
    {
        // cs-daily: every day 08:00–22:00, closed 2026-02-17. Created Mon 02-16 20:00; target 1200:
        // 02-16 20:00–22:00 = 120; 02-17 closed; 02-18 08:00–22:00 = 840 (960); 02-19 08:00 + 240 = 12:00.
        var policy = Policy("cs", Target(RequesterWaitTime, 1200, CustomerService));
        var h = History.Created(Sh("2026-02-16 20:00"), policy);

        var o = h.At(Sh("2026-02-18 09:00")).Get(RequesterWaitTime);
        Assert.Equal(Min(120 + 60), o.Used);
        Assert.Equal(Sh("2026-02-19 12:00"), o.Due);
        // 75 % of 1200 = 900: 120 + 780 → 02-18 08:00 + 780 = 21:00.
        Assert.Equal(Sh("2026-02-18 21:00"), o.AtRiskAt);
    }

    [Fact]
    public void CreatedOutsideBusinessHours_StartsCountingAtTheNextOpening()
    {
        // Created Sat 2026-03-07 10:00 on cn-mainland: nothing counts until Mon 09:00; due Mon 09:00 + 60 = 10:00.
        var policy = Policy("cn", Target(FirstReply, 60, CnMainland));
        var h = History.Created(Sh("2026-03-07 10:00"), policy);

        Assert.Equal(TimeSpan.Zero, h.At(Sh("2026-03-09 08:59")).Get(FirstReply).Used);
        var o = h.At(Sh("2026-03-09 09:30")).Get(FirstReply);
        Assert.Equal(Min(30), o.Used);
        Assert.Equal(Sh("2026-03-09 10:00"), o.Due);
    }

    [Fact]
    public void EachTarget_IsMeasuredOnItsOwnCalendar()
    {
        // Created Fri 2026-03-06 17:00. first_reply 24x7 60 → Fri 18:00; agent work cn 120 → Mon 10:00;
        // requester wait cs-daily 360 → Fri 17:00–22:00 = 300, Sat 08:00 + 60 = 09:00.
        var policy = Policy("mixed",
            Target(FirstReply, 60),
            Target(AgentWorkTime, 120, CnMainland),
            Target(RequesterWaitTime, 360, CustomerService));

        var e = History.Created(Sh("2026-03-06 17:00"), policy).At(Sh("2026-03-06 23:00"));

        Assert.Equal(Sh("2026-03-06 18:00"), e.Get(FirstReply).Due);
        Assert.Equal(Min(360), e.Get(FirstReply).Used); // 24x7: 6 h
        Assert.Equal(Sh("2026-03-09 10:00"), e.Get(AgentWorkTime).Due);
        Assert.Equal(Min(60), e.Get(AgentWorkTime).Used);
        Assert.Equal(Sh("2026-03-07 09:00"), e.Get(RequesterWaitTime).Due);
        Assert.Equal(Min(300), e.Get(RequesterWaitTime).Used);
        Assert.Equal(Sh("2026-03-06 18:00"), e.EarliestDue);
    }

    [Fact]
    public void FirstReplyMet_AfterHours_UsesOnlyBusinessMinutes()
    {
        // cn-mainland first reply 60: created Fri 2026-03-06 17:30, replied Mon 09:20 → 30 + 20 = 50 → met.
        var policy = Policy("cn", Target(FirstReply, 60, CnMainland));

        var o = History.Created(Sh("2026-03-06 17:30"), policy).Agent(Sh("2026-03-09 09:20")).At(Sh("2026-03-09 12:00")).Get(FirstReply);

        Assert.Equal(SlaMetricStatus.Met, o.Status);
        Assert.Equal(Min(50), o.Used);
    }
}
