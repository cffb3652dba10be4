using CareLoop.Domain.ServiceDesk;
using static CareLoop.Domain.ServiceDesk.SlaMetric;
using static CareLoop.Domain.Tests.ServiceDesk.SlaKit;

namespace CareLoop.Domain.Tests.ServiceDesk;

/// <summary>The escalation scan's view: <see cref="SlaEngine.DueAlerts"/> and <see cref="SlaEngine.NextCheck"/>.</summary>
public sealed class SlaAlertsTests
{
    private static readonly DateTime T0 = Sh("2026-03-02 10:00");

    private static DateTime M(double minutes) => T0.AddMinutes(minutes);

    private static readonly HashSet<SlaAlertKey> None = [];

    private static SlaAlertKey Key(SlaMetric metric, int occurrence, SlaAlertKind kind) => new(metric, occurrence, kind);

    [Fact]
    public void FirstReply_FiresAtRiskThenBreached_AndNextCheckMovesOnAfterEach()
    {
        // 24x7 first reply 60: at risk at +45, breached at +60.
        var h = History.Created(T0, Policy("fr", Target(FirstReply, 60)));
        var fired = new HashSet<SlaAlertKey>();

        Assert.Equal(M(45), SlaEngine.NextCheck(h.At(M(0)), fired));
        Assert.Empty(SlaEngine.DueAlerts(h.At(M(44)), fired, M(44)));

        var atRisk = SlaEngine.DueAlerts(h.At(M(45)), fired, M(45));
        Assert.Equal([Key(FirstReply, 1, SlaAlertKind.AtRisk)], atRisk);
        fired.UnionWith(atRisk);
        Assert.Equal(M(60), SlaEngine.NextCheck(h.At(M(45)), fired));
        Assert.Empty(SlaEngine.DueAlerts(h.At(M(50)), fired, M(50)));

        var breached = SlaEngine.DueAlerts(h.At(M(60)), fired, M(60));
        Assert.Equal([Key(FirstReply, 1, SlaAlertKind.Breached)], breached);
        fired.UnionWith(breached);
        Assert.Null(SlaEngine.NextCheck(h.At(M(60)), fired));
        Assert.Empty(SlaEngine.DueAlerts(h.At(M(500)), fired, M(500)));
    }

    [Fact]
    public void DueAlerts_FiresBothKinds_WhenTheScanComesLate()
    {
        var e = History.Created(T0, Policy("fr", Target(FirstReply, 60))).At(M(90));

        var due = SlaEngine.DueAlerts(e, None, M(90));

        Assert.Equal([Key(FirstReply, 1, SlaAlertKind.AtRisk), Key(FirstReply, 1, SlaAlertKind.Breached)], due);
    }

    [Fact]
    public void NextCheck_GivesThePastInstant_OfAnUnfiredAlert()
    {
        // A late scan must still find the ticket: the at-risk instant (+45) is earlier than now (+90).
        var e = History.Created(T0, Policy("fr", Target(FirstReply, 60))).At(M(90));

        Assert.Equal(M(45), SlaEngine.NextCheck(e, None));
        Assert.Equal(M(60), SlaEngine.NextCheck(e, new HashSet<SlaAlertKey> { Key(FirstReply, 1, SlaAlertKind.AtRisk) }));
    }

    [Fact]
    public void NextCheck_IsTheEarliestAcrossMetrics()
    {
        // first reply 60 → risk +45; resolution 40 → risk +30, breach +40.
        var e = History.Created(T0, Policy("p", Target(FirstReply, 60), Target(TotalResolution, 40))).At(M(0));

        Assert.Equal(M(30), SlaEngine.NextCheck(e, None));
        Assert.Equal(M(40), SlaEngine.NextCheck(e, new HashSet<SlaAlertKey> { Key(TotalResolution, 1, SlaAlertKind.AtRisk) }));
    }

    [Fact]
    public void NothingComesDue_OnceEveryMetricIsMet()
    {
        var e = History.Created(T0, Policy("fr", Target(FirstReply, 60))).Agent(M(10)).At(M(500));

        Assert.Null(SlaEngine.NextCheck(e, None));
        Assert.Empty(SlaEngine.DueAlerts(e, None, M(500)));
    }

    [Fact]
    public void AMetricMetAfterCrossingTheAtRiskShare_NoLongerAlerts()
    {
        // The reply at +50 came after the at-risk instant (+45) but before the scan: it is met, nothing to fire.
        var e = History.Created(T0, Policy("fr", Target(FirstReply, 60))).Agent(M(50)).At(M(55));

        Assert.Null(SlaEngine.NextCheck(e, None));
        Assert.Empty(SlaEngine.DueAlerts(e, None, M(55)));
    }

    [Fact]
    public void StoppedBreachedRun_StillFiresItsBreach_Once()
    {
        var e = History.Created(T0, Policy("fr", Target(FirstReply, 60))).Agent(M(70)).At(M(80));

        Assert.Equal([Key(FirstReply, 1, SlaAlertKind.Breached)], SlaEngine.DueAlerts(e, None, M(80)));
        Assert.Equal(M(60), SlaEngine.NextCheck(e, None));
        var fired = new HashSet<SlaAlertKey> { Key(FirstReply, 1, SlaAlertKind.Breached) };
        Assert.Empty(SlaEngine.DueAlerts(e, fired, M(80)));
        Assert.Null(SlaEngine.NextCheck(e, fired));
    }

    [Fact]
    public void PausedRunBelowTheAtRiskShare_HasNoNextCheck()
    {
        var e = History.Created(T0, Policy("a", Target(AgentWorkTime, 60))).Status(M(20), TicketStatus.Pending).At(M(500));

        Assert.Null(SlaEngine.NextCheck(e, None));
        Assert.Empty(SlaEngine.DueAlerts(e, None, M(500)));
    }

    [Fact]
    public void PausedRunPastTheAtRiskShare_FiresAtRisk_AndThenHasNoNextCheck()
    {
        var e = History.Created(T0, Policy("a", Target(AgentWorkTime, 60))).Status(M(50), TicketStatus.Pending).At(M(500));

        var due = SlaEngine.DueAlerts(e, None, M(500));
        Assert.Equal([Key(AgentWorkTime, 1, SlaAlertKind.AtRisk)], due);
        Assert.Null(SlaEngine.NextCheck(e, due.ToHashSet()));
    }

    [Fact]
    public void PausedRunWhoseTargetWasUsedUpExactly_FiresItsBreach_AndNextCheckMovesOn()
    {
        // cn-mainland agent work 540 from Mon 2026-03-02 09:00 → breached at 18:00; pending at 19:00 (540 used).
        var e = History.Created(Sh("2026-03-02 09:00"), Policy("cn", Target(AgentWorkTime, 540, CnMainland)))
            .Status(Sh("2026-03-02 19:00"), TicketStatus.Pending)
            .At(Sh("2026-03-02 20:00"));

        var due = SlaEngine.DueAlerts(e, None, Sh("2026-03-02 20:00"));

        Assert.Equal([Key(AgentWorkTime, 1, SlaAlertKind.AtRisk), Key(AgentWorkTime, 1, SlaAlertKind.Breached)], due);
        Assert.Null(SlaEngine.NextCheck(e, due.ToHashSet()));
    }

    [Fact]
    public void ReopenedMetric_KeepsItsOccurrence_SoAFiredAlertDoesNotFireAgain()
    {
        // 24x7 resolution 60: at risk at +45 (fired), solved at +50, reopened at +100: the same run #1 continues.
        var h = History.Created(T0, Policy("r", Target(TotalResolution, 60)));
        var fired = SlaEngine.DueAlerts(h.At(M(45)), None, M(45)).ToHashSet();
        Assert.Equal([Key(TotalResolution, 1, SlaAlertKind.AtRisk)], fired);

        h.Status(M(50), TicketStatus.Solved).Customer(M(100), reopen: true);

        var e = h.At(M(105));
        Assert.Empty(SlaEngine.DueAlerts(e, fired, M(105)));
        // 50 used before solving, 10 to go from +100 → breach at +110.
        Assert.Equal(M(110), SlaEngine.NextCheck(e, fired));
        Assert.Equal([Key(TotalResolution, 1, SlaAlertKind.Breached)], SlaEngine.DueAlerts(h.At(M(110)), fired, M(110)));
    }

    [Fact]
    public void EachNextReplyRun_HasItsOwnAlerts()
    {
        // next reply 20: run 1 from +10 breaches at +30 (fired); run 2 from +60 comes at risk at +75.
        var h = History.Created(T0, Policy("nr", Target(NextReply, 20)), withCustomerMessage: false).Customer(M(10));
        var fired = SlaEngine.DueAlerts(h.At(M(40)), None, M(40)).ToHashSet();
        Assert.Equal([Key(NextReply, 1, SlaAlertKind.AtRisk), Key(NextReply, 1, SlaAlertKind.Breached)], fired);

        h.Agent(M(50)).Customer(M(60));
        var e = h.At(M(61));
        Assert.Equal(M(75), SlaEngine.NextCheck(e, fired));
        Assert.Equal([Key(NextReply, 2, SlaAlertKind.AtRisk)], SlaEngine.DueAlerts(h.At(M(75)), fired, M(75)));
    }

    [Fact]
    public void EscalationScan_DrivenByNextCheck_FiresEveryAlertExactlyOnce()
    {
        // cn-mainland policy; the ticket is left alone from Thu 2026-04-30 10:00 over the Labour Day holidays.
        // The scan only wakes at NextCheck and must fire each key once, with NextCheck moving strictly forward.
        var policy = Policy("cn",
            Target(FirstReply, 60, CnMainland),
            Target(AgentWorkTime, 600, CnMainland),
            Target(RequesterWaitTime, 900, CnMainland),
            Target(TotalResolution, 1200, CnMainland));
        var h = History.Created(Sh("2026-04-30 10:00"), policy);
        var fired = new HashSet<SlaAlertKey>();
        var log = new List<(DateTime At, SlaAlertKey Key)>();
        var now = Sh("2026-04-30 10:00");

        for (var wakeUps = 0; wakeUps < 50; wakeUps++)
        {
            var next = SlaEngine.NextCheck(h.At(now), fired);
            if (next is null)
            {
                break;
            }
            Assert.True(next > now || wakeUps == 0, $"NextCheck {next:O} did not move past {now:O}");
            now = next.Value;
            foreach (var key in SlaEngine.DueAlerts(h.At(now), fired, now))
            {
                Assert.True(fired.Add(key), $"{key} fired twice");
                log.Add((now, key));
            }
        }

        // first reply: risk 45 → 10:45, breach 11:00. Agent work 600: risk 450 → Thu 10:00–18:00 = 480 ≥ 450 → 17:30;
        // breach: 480 Thu, 05-01..05 holidays, Wed 05-06 09:00 + 120 = 11:00. Requester wait 900: risk 675 → Wed 09:00 + 195 = 12:15;
        // breach → Wed 09:00 + 420 = 16:00. Resolution 1200: risk 900 → Wed 16:00; breach → Thu 05-07 09:00 + 180 = 12:00.
        Assert.Equal(
        [
            (Sh("2026-04-30 10:45"), Key(FirstReply, 1, SlaAlertKind.AtRisk)),
            (Sh("2026-04-30 11:00"), Key(FirstReply, 1, SlaAlertKind.Breached)),
            (Sh("2026-04-30 17:30"), Key(AgentWorkTime, 1, SlaAlertKind.AtRisk)),
            (Sh("2026-05-06 11:00"), Key(AgentWorkTime, 1, SlaAlertKind.Breached)),
            (Sh("2026-05-06 12:15"), Key(RequesterWaitTime, 1, SlaAlertKind.AtRisk)),
            (Sh("2026-05-06 16:00"), Key(RequesterWaitTime, 1, SlaAlertKind.Breached)),
            (Sh("2026-05-06 16:00"), Key(TotalResolution, 1, SlaAlertKind.AtRisk)),
            (Sh("2026-05-07 12:00"), Key(TotalResolution, 1, SlaAlertKind.Breached)),
        ], log);
    }

    [Fact]
    public void AlertKey_HasACompactTextForm()
    {
        Assert.Equal("FirstReply#1:Breached", Key(FirstReply, 1, SlaAlertKind.Breached).ToString());
        Assert.Equal("NextReply#12:AtRisk", Key(NextReply, 12, SlaAlertKind.AtRisk).ToString());
    }
}
