using CareLoop.Domain.ServiceDesk;
using static CareLoop.Domain.ServiceDesk.SlaMetric;
using static CareLoop.Domain.Tests.ServiceDesk.SlaKit;

namespace CareLoop.Domain.Tests.ServiceDesk;

/// <summary>Metrics that count only in some statuses: pausing, resuming, reopening, across nights, weekends and holidays.</summary>
public sealed class SlaPauseResumeTests
{
    [Fact]
    public void AgentWorkTime_Pauses_WhilePending_AndResumesWithMinutesUsed()
    {
        // cn-mainland, agent work 600. Created Thu 2026-04-30 10:00; pending 15:00 → used 300.
        // 05-01..05-05 are Labour Day holidays. The customer replies Sat 05-02 11:00 (ticket reopens, but nothing is worked)
        // → counting again from Wed 05-06 09:00; remaining 300 → due Wed 05-06 14:00.
        var policy = Policy("cn", Target(AgentWorkTime, 600, CnMainland));
        var h = History.Created(Sh("2026-04-30 10:00"), policy).Status(Sh("2026-04-30 15:00"), TicketStatus.Pending);

        var paused = h.At(Sh("2026-05-01 12:00")).Get(AgentWorkTime);
        Assert.Equal(SlaMetricStatus.Paused, paused.Status);
        Assert.Equal(Min(300), paused.Used);
        Assert.Null(paused.Due);
        Assert.True(paused.IsRunning);
        Assert.Null(paused.BreachedAt); // cannot come due while paused

        h.Customer(Sh("2026-05-02 11:00"), reopen: true);

        var holiday = h.At(Sh("2026-05-04 16:00")).Get(AgentWorkTime);
        Assert.Equal(SlaMetricStatus.Active, holiday.Status);
        Assert.Equal(Min(300), holiday.Used);
        Assert.Equal(Sh("2026-05-06 14:00"), holiday.Due);

        var resumed = h.At(Sh("2026-05-06 10:30")).Get(AgentWorkTime);
        Assert.Equal(1, resumed.Occurrence);
        Assert.Equal(Sh("2026-04-30 10:00"), resumed.StartedAt);
        Assert.Equal(Min(300 + 90), resumed.Used);
        Assert.Equal(Sh("2026-05-06 14:00"), resumed.Due);
        // 75 % of 600 = 450 → 150 after the resume → 11:30.
        Assert.Equal(Sh("2026-05-06 11:30"), resumed.AtRiskAt);
    }

    [Fact]
    public void AgentWorkTime_ResumeArithmetic_AcrossANight_IsExact()
    {
        // cs-daily (08:00–22:00), agent work 480. Created Mon 2026-03-02 21:00; pending Tue 09:00 → 60 + 60 = 120.
        // Customer replies Tue 23:30 (closed hours) → counting from Wed 08:00; remaining 360 → Wed 14:00.
        var policy = Policy("cs", Target(AgentWorkTime, 480, CustomerService));
        var h = History.Created(Sh("2026-03-02 21:00"), policy)
            .Status(Sh("2026-03-03 09:00"), TicketStatus.Pending)
            .Customer(Sh("2026-03-03 23:30"), reopen: true);

        var night = h.At(Sh("2026-03-04 07:00")).Get(AgentWorkTime);
        Assert.Equal(SlaMetricStatus.Active, night.Status);
        Assert.Equal(Min(120), night.Used);
        Assert.Equal(Sh("2026-03-04 14:00"), night.Due);

        Assert.Equal(Min(120 + 359), h.At(Sh("2026-03-04 13:59")).Get(AgentWorkTime).Used);
        Assert.Equal(SlaMetricStatus.Breached, h.At(Sh("2026-03-04 14:00")).Get(AgentWorkTime).Status);
    }

    [Fact]
    public void RequesterWaitTime_KeepsCountingOnHold_WhileAgentWorkTimePauses()
    {
        // cs-daily. Created Mon 2026-03-02 20:00; on hold Tue 10:00; pending Tue 12:00.
        // At Tue 12:00: agent work = 20:00–22:00 (120) + 08:00–10:00 (120) = 240, paused since 10:00;
        // requester wait = 120 + 240 = 360; resolution the same.
        // At Tue 13:00 (pending): agent work 240, requester wait 360 (paused), resolution 420.
        var policy = Policy("cs",
            Target(AgentWorkTime, 1000, CustomerService),
            Target(RequesterWaitTime, 1000, CustomerService),
            Target(TotalResolution, 1000, CustomerService));
        var h = History.Created(Sh("2026-03-02 20:00"), policy)
            .Status(Sh("2026-03-03 10:00"), TicketStatus.OnHold);

        var onHold = h.At(Sh("2026-03-03 12:00"));
        Assert.Equal(SlaMetricStatus.Paused, onHold.Get(AgentWorkTime).Status);
        Assert.Equal(Min(240), onHold.Get(AgentWorkTime).Used);
        Assert.Equal(SlaMetricStatus.Active, onHold.Get(RequesterWaitTime).Status);
        Assert.Equal(Min(360), onHold.Get(RequesterWaitTime).Used);
        // requester wait due: 360 used at Tue 12:00, 640 to go → Tue 12:00–22:00 = 600, Wed 08:00 + 40 = 08:40.
        Assert.Equal(Sh("2026-03-04 08:40"), onHold.Get(RequesterWaitTime).Due);

        h.Status(Sh("2026-03-03 12:00"), TicketStatus.Pending);
        var pending = h.At(Sh("2026-03-03 13:00"));
        Assert.Equal(Min(240), pending.Get(AgentWorkTime).Used);
        Assert.Equal(SlaMetricStatus.Paused, pending.Get(RequesterWaitTime).Status);
        Assert.Equal(Min(360), pending.Get(RequesterWaitTime).Used);
        Assert.Null(pending.Get(RequesterWaitTime).Due);
        Assert.Equal(SlaMetricStatus.Active, pending.Get(TotalResolution).Status);
        Assert.Equal(Min(420), pending.Get(TotalResolution).Used);
        // The only counting metric decides the earliest due: 420 used, 580 to go → Tue 13:00 + 540 = 22:00, Wed 08:40.
        Assert.Equal(Sh("2026-03-04 08:40"), pending.EarliestDue);
    }

    [Fact]
    public void RequesterWaitTime_PauseAndResume_AroundAMakeUpSaturday()
    {
        // cn-mainland, requester wait 1080. Created Fri 2026-05-08 14:00: Fri 14:00–18:00 = 240.
        // Sat 05-09 is a make-up workday: 09:00–12:00 = 180 (420), pending 12:00, reopened 15:00, 15:00–18:00 = 180 (600).
        // Sun off; Mon 05-11 09:00 + 480 = 17:00.
        var policy = Policy("cn", Target(RequesterWaitTime, 1080, CnMainland));
        var h = History.Created(Sh("2026-05-08 14:00"), policy)
            .Status(Sh("2026-05-09 12:00"), TicketStatus.Pending);

        Assert.Equal(Min(420), h.At(Sh("2026-05-09 14:00")).Get(RequesterWaitTime).Used);

        h.Customer(Sh("2026-05-09 15:00"), reopen: true);
        var o = h.At(Sh("2026-05-10 12:00")).Get(RequesterWaitTime);
        Assert.Equal(Min(600), o.Used);
        Assert.Equal(Sh("2026-05-11 17:00"), o.Due);
    }

    [Fact]
    public void TicketLongMetrics_ResumeOnReopen_WithTheSameOccurrenceAndTheMinutesUsed()
    {
        // cn-mainland. Created Mon 2026-03-02 09:00, solved 11:00 (120 used), reopened Tue 10:00; at Tue 10:30: 150.
        var policy = Policy("cn",
            Target(AgentWorkTime, 600, CnMainland),
            Target(RequesterWaitTime, 600, CnMainland),
            Target(TotalResolution, 600, CnMainland));
        var h = History.Created(Sh("2026-03-02 09:00"), policy).Status(Sh("2026-03-02 11:00"), TicketStatus.Solved);

        var solved = h.At(Sh("2026-03-02 17:00"));
        foreach (var metric in new[] { AgentWorkTime, RequesterWaitTime, TotalResolution })
        {
            var o = solved.Get(metric);
            Assert.Equal(SlaMetricStatus.Met, o.Status);
            Assert.Equal(Sh("2026-03-02 11:00"), o.StoppedAt);
            Assert.Equal(Min(120), o.Used);
            Assert.Null(o.Due);
        }

        h.Customer(Sh("2026-03-03 10:00"), reopen: true);
        var reopened = h.At(Sh("2026-03-03 10:30"));
        foreach (var metric in new[] { AgentWorkTime, RequesterWaitTime, TotalResolution })
        {
            var o = reopened.Get(metric);
            Assert.Equal(1, o.Occurrence);
            Assert.Equal(Sh("2026-03-02 09:00"), o.StartedAt);
            Assert.Null(o.StoppedAt);
            Assert.Equal(SlaMetricStatus.Active, o.Status);
            Assert.Equal(Min(150), o.Used);
            // 480 to go from Tue 10:00: Tue 10:00–18:00 = 480 → Tue 18:00.
            Assert.Equal(Sh("2026-03-03 18:00"), o.Due);
            Assert.Single(reopened.Occurrences, x => x.Metric == metric);
        }
    }

    [Fact]
    public void ReopenedTicket_SolvedAgain_AddsBothCountingSpans()
    {
        // 24x7 resolution 1440. Created 00:00, solved 02:00 (120), reopened 05:00, solved 06:30 (90) → 210, met.
        var t0 = Sh("2026-03-02 00:00");
        var o = History.Created(t0, Policy("r", Target(TotalResolution, 1440)))
            .Status(t0.AddHours(2), TicketStatus.Solved)
            .Customer(t0.AddHours(5), reopen: true)
            .Status(t0.AddHours(6.5), TicketStatus.Solved)
            .At(t0.AddHours(12)).Get(TotalResolution);

        Assert.Equal(Min(210), o.Used);
        Assert.Equal(t0.AddHours(6.5), o.StoppedAt);
        Assert.Equal(SlaMetricStatus.Met, o.Status);
    }

    [Fact]
    public void Reopen_ResumesAgentWorkTime_OnlyWhenTheNewStatusCountsIt()
    {
        // 24x7 agent work 600: created 00:00, solved 01:00, reopened to open 03:00, pending 04:00 → 60 + 60 = 120, paused.
        var t0 = Sh("2026-03-02 00:00");
        var o = History.Created(t0, Policy("a", Target(AgentWorkTime, 600)))
            .Status(t0.AddHours(1), TicketStatus.Solved)
            .Customer(t0.AddHours(3), reopen: true)
            .Status(t0.AddHours(4), TicketStatus.Pending)
            .At(t0.AddHours(10)).Get(AgentWorkTime);

        Assert.Equal(SlaMetricStatus.Paused, o.Status);
        Assert.Equal(Min(120), o.Used);
        Assert.Null(o.Due);
    }

    [Fact]
    public void CreatedPending_AgentWorkTimeIsPausedFromTheStart_AndCannotComeDue()
    {
        var t0 = Sh("2026-03-02 00:00");
        var o = History.Created(t0, Policy("a", Target(AgentWorkTime, 60)), status: TicketStatus.Pending).At(t0.AddDays(3)).Get(AgentWorkTime);

        Assert.Equal(SlaMetricStatus.Paused, o.Status);
        Assert.Equal(TimeSpan.Zero, o.Used);
        Assert.Null(o.Due);
        Assert.Null(o.AtRiskAt);
        Assert.Null(o.BreachedAt);
    }

    [Fact]
    public void PausedRun_PastItsTarget_IsBreached_AndKeepsItsBreachInstant()
    {
        // 24x7 agent work 60: open from 00:00, pending 01:30 → 90 used, breached at 01:00, still breached while paused.
        var t0 = Sh("2026-03-02 00:00");
        var o = History.Created(t0, Policy("a", Target(AgentWorkTime, 60))).Status(t0.AddMinutes(90), TicketStatus.Pending)
            .At(t0.AddHours(5)).Get(AgentWorkTime);

        Assert.Equal(SlaMetricStatus.Breached, o.Status);
        Assert.Equal(t0.AddHours(1), o.BreachedAt);
        Assert.Null(o.Due);
        Assert.False(o.AtRisk);
    }

    [Fact]
    public void PausedRun_WhoseTargetWasUsedUpExactly_StaysBreached()
    {
        // cn-mainland agent work 540 (one working day). Created Mon 2026-03-02 09:00: the target is used up at 18:00
        // (breached). Set pending at 19:00: still exactly 540 used. Target used up → breached, not paused.
        var policy = Policy("cn", Target(AgentWorkTime, 540, CnMainland));
        var h = History.Created(Sh("2026-03-02 09:00"), policy);

        Assert.Equal(SlaMetricStatus.Breached, h.At(Sh("2026-03-02 18:30")).Get(AgentWorkTime).Status);

        h.Status(Sh("2026-03-02 19:00"), TicketStatus.Pending);
        var o = h.At(Sh("2026-03-02 20:00")).Get(AgentWorkTime);
        Assert.Equal(Min(540), o.Used);
        Assert.Equal(Sh("2026-03-02 18:00"), o.BreachedAt);
        Assert.Equal(SlaMetricStatus.Breached, o.Status);
        Assert.Null(o.Due);
        Assert.False(o.AtRisk);
    }

    [Fact]
    public void PausedRun_AboveTheAtRiskShare_IsAtRisk_ButHasNoDue()
    {
        // 24x7 agent work 100: 80 used before pending → at risk (>= 75), paused, no due, at-risk instant 75 min in.
        var t0 = Sh("2026-03-02 00:00");
        var o = History.Created(t0, Policy("a", Target(AgentWorkTime, 100))).Status(t0.AddMinutes(80), TicketStatus.Pending)
            .At(t0.AddHours(5)).Get(AgentWorkTime);

        Assert.Equal(SlaMetricStatus.Paused, o.Status);
        Assert.True(o.AtRisk);
        Assert.Null(o.Due);
        Assert.Equal(t0.AddMinutes(75), o.AtRiskAt);
    }

    [Fact]
    public void ManyPauses_UsedIsTheSumOfTheCountingSpans()
    {
        // 24x7 agent work 10000: open/pending alternating every 30 min for 10 cycles → 10 × 30 = 300 used.
        var t0 = Sh("2026-03-02 00:00");
        var h = History.Created(t0, Policy("a", Target(AgentWorkTime, 10000)));
        for (var i = 0; i < 10; i++)
        {
            h.Status(t0.AddMinutes((60 * i) + 30), TicketStatus.Pending);
            h.Status(t0.AddMinutes((60 * i) + 60), TicketStatus.Open);
        }

        var o = h.At(t0.AddMinutes(600)).Get(AgentWorkTime);

        Assert.Equal(Min(300), o.Used);
        Assert.Equal(t0.AddMinutes(600 + 9700), o.Due);
    }
}
