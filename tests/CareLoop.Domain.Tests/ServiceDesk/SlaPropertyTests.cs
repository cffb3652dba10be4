using CareLoop.Domain.ServiceDesk;
using static CareLoop.Domain.Tests.ServiceDesk.SlaKit;

namespace CareLoop.Domain.Tests.ServiceDesk;

/// <summary>
/// Seeded random ticket histories (built through the <see cref="Ticket"/> aggregate, so only legal histories) checked
/// against invariants of the SLA engine rather than hand-computed values.
/// </summary>
public sealed class SlaPropertyTests
{
    private const int Histories = 300;

    private static readonly SlaMetric[] AllMetrics = Enum.GetValues<SlaMetric>();
    private static readonly SlaMetric[] TicketLong = [SlaMetric.AgentWorkTime, SlaMetric.RequesterWaitTime, SlaMetric.TotalResolution];
    private static readonly string[] CalendarCodes = [TwentyFourSeven, CnMainland, CustomerService];

    /// <summary>A random history: its facts, the ticket's final status, the last fact's instant and the policies used.</summary>
    private sealed record Case(int Seed, List<SlaFact> Facts, TicketStatus Status, DateTime Last);

    public static TheoryData<int> Seeds => [20260301, 4711, 90210];

    private static SlaPolicyDefinition RandomPolicy(Random r)
    {
        var targets = AllMetrics
            .Where(_ => r.Next(5) > 0)
            .Select(m => r.Next(4) switch
            {
                // Whole business days: breaches then fall exactly on a closing time, and a pause overnight leaves a run
                // with exactly its target used.
                0 => Target(m, 540 * r.Next(1, 4), CnMainland),
                1 => Target(m, 840 * r.Next(1, 3), CustomerService),
                _ => Target(m, r.Next(3) switch
                {
                    0 => r.Next(1, 60),
                    1 => r.Next(60, 600),
                    _ => r.Next(600, 3000),
                }, CalendarCodes[r.Next(CalendarCodes.Length)]),
            })
            .ToArray();
        return Policy("random", targets);
    }

    private static TimeSpan RandomGap(Random r) => r.Next(7) switch
    {
        0 => TimeSpan.Zero,
        1 => TimeSpan.FromMinutes(r.Next(1, 60)),
        2 => TimeSpan.FromHours(r.Next(1, 13)),
        3 => TimeSpan.FromDays(r.Next(1, 5)) + TimeSpan.FromMinutes(r.Next(0, 1440)),
        4 => TimeSpan.FromSeconds(r.Next(1, 3600)),
        5 => TimeSpan.FromMinutes(r.Next(10, 120)),
        _ => TimeSpan.FromTicks(r.NextInt64(1, TimeSpan.TicksPerHour)),
    };

    private static Case RandomHistory(int seed)
    {
        var r = new Random(seed);
        var policies = Enumerable.Range(0, 3).Select(_ => RandomPolicy(r)).ToArray();
        // Start anywhere from late January to November 2026: Spring Festival, Labour Day, National Day and make-up days.
        // Half the histories are hour-aligned (whole-hour start and gaps), so that breaches often fall exactly on an
        // opening or closing time; the others use arbitrary instants down to the tick.
        var aligned = r.Next(2) == 0;
        var at = aligned
            ? Sh("2026-01-25 00:00").AddHours(r.Next(0, 300 * 24))
            : Sh("2026-01-25 00:00").AddMinutes(r.Next(0, 300 * 1440));
        var ticket = new Ticket { Number = seed, CustomerId = Guid.NewGuid() };
        ticket.Open(at, "customer", r.Next(4) > 0 ? Msg(AuthorKind.Customer, at) : null);
        ticket.ApplyPolicy(policies[0].Id, at, "system");

        var steps = r.Next(0, 30);
        for (var i = 0; i < steps && ticket.Status != TicketStatus.Closed; i++)
        {
            at += aligned ? TimeSpan.FromHours(r.Next(0, 31)) : RandomGap(r);
            switch (r.Next(12))
            {
                case 0 or 1 or 2:
                    ticket.AddMessage(Msg(AuthorKind.Customer, at), "customer");
                    break;
                case 3 or 4:
                    ticket.AddMessage(Msg(AuthorKind.Agent, at), "agent");
                    break;
                case 5:
                    ticket.AddMessage(Msg(AuthorKind.Bot, at), "bot");
                    break;
                case 6:
                    ticket.AddMessage(Msg(AuthorKind.Agent, at, MessageVisibility.Internal), "agent");
                    break;
                case 7 or 8:
                    var allowed = TicketLifecycle.AllowedFrom(ticket.Status).Where(s => s != TicketStatus.Closed).ToList();
                    if (allowed.Count > 0)
                    {
                        ticket.ChangeStatus(allowed[r.Next(allowed.Count)], at, "agent");
                    }
                    break;
                case 9:
                    ticket.ApplyPolicy(policies[r.Next(policies.Length)].Id, at, "system");
                    break;
                case 10:
                    if (TicketLifecycle.CanMove(ticket.Status, TicketStatus.Solved))
                    {
                        ticket.ChangeStatus(TicketStatus.Solved, at, "agent");
                    }
                    break;
                default:
                    if (ticket.Status == TicketStatus.Solved && r.Next(3) == 0)
                    {
                        ticket.ChangeStatus(TicketStatus.Closed, at, "system");
                    }
                    break;
            }
        }

        var byId = policies.ToDictionary(p => p.Id);
        return new Case(seed, ticket.SlaFacts(id => byId.GetValueOrDefault(id)), ticket.Status, at);

        static TicketMessage Msg(AuthorKind author, DateTime when, MessageVisibility visibility = MessageVisibility.Public) =>
            new() { AuthorKind = author, At = when, Visibility = visibility };
    }

    private static IEnumerable<Case> Cases(int seed)
    {
        var master = new Random(seed);
        for (var i = 0; i < Histories; i++)
        {
            yield return RandomHistory(master.Next());
        }
    }

    private static SlaEvaluation Eval(IReadOnlyList<SlaFact> facts, DateTime now) => SlaEngine.Evaluate(facts, CalendarOf, now);

    private static List<SlaFact> Prefix(List<SlaFact> facts, DateTime until) => facts.Where(f => f.At <= until).ToList();

    private static SlaOccurrence? Find(SlaEvaluation e, SlaOccurrence o) =>
        e.Occurrences.SingleOrDefault(x => x.Metric == o.Metric && x.Occurrence == o.Occurrence);

    private static string Describe(Case c, SlaOccurrence o, DateTime now) =>
        $"seed {c.Seed}, {o.Metric}#{o.Occurrence} at {now:O}: {o}";

    [Theory]
    [MemberData(nameof(Seeds))]
    public void UsedTime_NeverExceedsTheWallClockTimeSinceStart(int seed)
    {
        foreach (var c in Cases(seed))
        {
            var now = c.Last + TimeSpan.FromHours(new Random(c.Seed).Next(0, 200));
            foreach (var o in Eval(c.Facts, now).Occurrences)
            {
                var end = o.StoppedAt ?? now;
                Assert.True(o.StartedAt <= end, Describe(c, o, now));
                Assert.True(o.Used >= TimeSpan.Zero && o.Used <= end - o.StartedAt!.Value, Describe(c, o, now));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EvaluatingLater_NeverDecreasesUsed_OnTheSameCalendar(int seed)
    {
        foreach (var c in Cases(seed))
        {
            var r = new Random(c.Seed);
            var start = c.Facts[0].At;
            var span = (c.Last - start).Ticks + TimeSpan.TicksPerDay * 3;
            var instants = Enumerable.Range(0, 8).Select(_ => start.AddTicks(r.NextInt64(0, span)))
                .Concat(c.Facts.Select(f => f.At)).Distinct().Order().ToList();

            SlaEvaluation? previous = null;
            foreach (var now in instants)
            {
                var e = Eval(Prefix(c.Facts, now), now);
                if (previous is not null)
                {
                    foreach (var before in previous.Occurrences)
                    {
                        var after = Find(e, before);
                        if (after is not null && after.Calendar == before.Calendar)
                        {
                            Assert.True(after.Used >= before.Used, Describe(c, after, now) + $" was {before.Used}");
                        }
                    }
                }
                previous = e;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void StatusDueAndAtRisk_AreConsistentWithUsedAndTheTicketStatus(int seed)
    {
        foreach (var c in Cases(seed))
        {
            var now = c.Last + TimeSpan.FromMinutes(new Random(c.Seed).Next(0, 5000));
            var e = Eval(c.Facts, now);
            foreach (var o in e.Occurrences)
            {
                var target = TimeSpan.FromMinutes(o.TargetMinutes);
                var why = Describe(c, o, now);
                if (!o.IsRunning)
                {
                    Assert.Equal(o.Used <= target ? SlaMetricStatus.Met : SlaMetricStatus.Breached, o.Status);
                    Assert.Null(o.Due);
                    Assert.False(o.AtRisk, why);
                    continue;
                }

                var counting = SlaEngine.Counts(o.Metric, c.Status);
                Assert.True(counting ? o.Status is SlaMetricStatus.Active or SlaMetricStatus.Breached
                                     : o.Status is SlaMetricStatus.Paused or SlaMetricStatus.Breached, why);
                // Breached ⇔ the target is used up (whether counting or paused).
                Assert.True(o.Used >= target == (o.Status == SlaMetricStatus.Breached), why);
                Assert.True(o.Used >= target == (o.BreachedAt is { } b && b <= now), why);
                if (counting)
                {
                    Assert.Equal(o.BreachedAt, o.Due);
                }
                else
                {
                    Assert.Null(o.Due);
                }
                Assert.True(o.AtRisk == (o.Status != SlaMetricStatus.Breached && o.Used.Ticks >= (long)(target.Ticks * SlaEngine.AtRiskShare)), why);
            }

            Assert.Equal(e.Metrics.Where(m => m.Due is not null).Select(m => m.Due).DefaultIfEmpty().Min(), e.EarliestDue);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Due_IsTheInstantUsedReachesTheTarget_AndAtRiskAtTheInstantItReachesTheShare(int seed)
    {
        var checkedDues = 0;
        foreach (var c in Cases(seed))
        {
            var now = c.Last;
            foreach (var o in Eval(c.Facts, now).Occurrences)
            {
                if (o.Due is { } due && due > now)
                {
                    var target = TimeSpan.FromMinutes(o.TargetMinutes);
                    Assert.Equal(target, Find(Eval(c.Facts, due), o)!.Used);
                    var justBefore = due.AddTicks(-1);
                    Assert.True(Find(Eval(c.Facts, justBefore), o)!.Used < target, Describe(c, o, justBefore));
                    if (o.AtRiskAt is { } risk && risk > now)
                    {
                        var share = TimeSpan.FromTicks((long)(target.Ticks * SlaEngine.AtRiskShare));
                        Assert.Equal(share, Find(Eval(c.Facts, risk), o)!.Used);
                        Assert.True(risk <= due, Describe(c, o, now));
                    }
                    checkedDues++;
                }
            }
        }
        Assert.True(checkedDues > 100, $"only {checkedDues} dues checked");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void AMetricsRuns_AreTheSame_WhateverTheOtherMetricsDo(int seed)
    {
        foreach (var c in Cases(seed))
        {
            var now = c.Last + TimeSpan.FromHours(3);
            var full = Eval(c.Facts, now);

            // The same history with only one metric in every policy measures that metric identically.
            foreach (var metric in AllMetrics)
            {
                var only = c.Facts.Select(f => f.Kind == SlaFactKind.PolicyApplied && f.Policy is { } p
                    ? f with { Policy = p with { Targets = p.Targets.Where(t => t.Metric == metric).ToArray() } }
                    : f).ToList();
                var alone = Eval(only, now);
                Assert.Equal(full.Occurrences.Where(o => o.Metric == metric), alone.Occurrences);
            }

            // Messages and replies start and stop reply metrics only: the ticket-long metrics do not see them.
            var statusOnly = c.Facts.Where(f => f.Kind is not (SlaFactKind.AgentReply or SlaFactKind.CustomerMessage)).ToList();
            var quiet = Eval(statusOnly, now);
            Assert.Equal(full.Occurrences.Where(o => TicketLong.Contains(o.Metric)), quiet.Occurrences.Where(o => TicketLong.Contains(o.Metric)));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void NextCheck_WithEveryDueAlertFired_IsAfterNow_AndNeverMissesALaterAlert(int seed)
    {
        foreach (var c in Cases(seed))
        {
            var r = new Random(c.Seed);
            var now = c.Last + TimeSpan.FromMinutes(r.Next(0, 3000));
            var e = Eval(c.Facts, now);

            var fired = SlaEngine.DueAlerts(e, new HashSet<SlaAlertKey>(), now).ToHashSet();
            Assert.Empty(SlaEngine.DueAlerts(e, fired, now));
            var next = SlaEngine.NextCheck(e, fired);
            Assert.True(next is null || next > now, $"seed {c.Seed}: NextCheck {next:O} not after {now:O}; fired {string.Join(",", fired)}");

            // Nothing new can come due before NextCheck; whatever comes due by a later instant is found by the range scan.
            var later = now + TimeSpan.FromMinutes(r.Next(1, 20000));
            var newlyDue = SlaEngine.DueAlerts(Eval(c.Facts, later), fired, later);
            if (newlyDue.Count > 0)
            {
                Assert.True(next is { } n && n <= later, $"seed {c.Seed}: {string.Join(",", newlyDue)} due by {later:O}, NextCheck {next:O}");
            }
            else if (next is { } n)
            {
                Assert.True(n > later, $"seed {c.Seed}: NextCheck {n:O} ≤ {later:O} but nothing came due");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EscalationScan_FiresEveryAlertExactlyOnce_WhileTheHistoryUnfolds(int seed)
    {
        foreach (var c in Cases(seed).Take(100))
        {
            var fired = new HashSet<SlaAlertKey>();
            // Wake at every fact (the application re-caches after each change) and at every NextCheck, up to 30 days on.
            var wakeUps = new SortedSet<DateTime>(c.Facts.Select(f => f.At));
            var end = c.Last.AddDays(30);
            while (wakeUps.Count > 0)
            {
                var now = wakeUps.Min;
                wakeUps.Remove(now);
                var e = Eval(Prefix(c.Facts, now), now);
                foreach (var key in SlaEngine.DueAlerts(e, fired, now))
                {
                    Assert.True(fired.Add(key), $"seed {c.Seed}: {key} fired twice");
                }
                if (SlaEngine.NextCheck(e, fired) is { } next)
                {
                    Assert.True(next > now, $"seed {c.Seed}: NextCheck {next:O} not after {now:O}");
                    if (next <= end)
                    {
                        wakeUps.Add(next);
                    }
                }
            }

            // At the end, every alert that is due has been fired by the scan.
            var last = Eval(c.Facts, end);
            Assert.Empty(SlaEngine.DueAlerts(last, fired, end));
        }
    }
}
