using System.Globalization;
using CareLoop.Domain.Calendars;
using CareLoop.Domain.ServiceDesk;
using static CareLoop.Domain.Tests.Calendars.CalendarFactory;

namespace CareLoop.Domain.Tests.ServiceDesk;

/// <summary>Calendars, policies, instants and fact histories shared by the SLA tests.</summary>
internal static class SlaKit
{
    public const string TwentyFourSeven = BuiltInCalendars.TwentyFourSeven;
    public const string CnMainland = BuiltInCalendars.CnMainland;

    /// <summary>A customer-service calendar: every day 08:00–22:00 Asia/Shanghai, closed on 2026-02-17 (Spring Festival day).</summary>
    public const string CustomerService = "cs-daily";

    private static readonly BusinessCalendar AlwaysCalendar = new(BuiltInCalendars.TwentyFourSevenDefinition);
    private static readonly BusinessCalendar CnCalendar = new(BuiltInCalendars.CnMainlandDefinition);
    private static readonly BusinessCalendar CsCalendar = Calendar(
        Shanghai, weekdays: Ivs("08:00-22:00"), weekends: Ivs("08:00-22:00"), holidays: [D(2026, 2, 17)]);

    public static BusinessCalendar Get(string code) => code switch
    {
        TwentyFourSeven => AlwaysCalendar,
        CnMainland => CnCalendar,
        CustomerService => CsCalendar,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown calendar."),
    };

    public static readonly Func<string, BusinessCalendar> CalendarOf = Get;

    /// <summary>Asia/Shanghai wall time ("yyyy-MM-dd HH:mm", UTC+8, no DST) as a UTC instant.</summary>
    public static DateTime Sh(string local) =>
        DateTime.SpecifyKind(DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture).AddHours(-8), DateTimeKind.Utc);

    public static TimeSpan Min(double minutes) => TimeSpan.FromMinutes(minutes);

    public static SlaTarget Target(SlaMetric metric, int minutes, string calendar = TwentyFourSeven) => new(metric, minutes, calendar);

    public static SlaPolicyDefinition Policy(string name, params SlaTarget[] targets) =>
        new(Guid.NewGuid(), name, 0, SlaConditions.Any, targets);

    /// <summary>Every metric on 24x7: first reply 60, next reply 30, periodic update 120, agent work 240, requester wait 480, resolution 1440.</summary>
    public static SlaPolicyDefinition AllMetrics24x7() => Policy(
        "all-24x7",
        Target(SlaMetric.FirstReply, 60),
        Target(SlaMetric.NextReply, 30),
        Target(SlaMetric.PeriodicUpdate, 120),
        Target(SlaMetric.AgentWorkTime, 240),
        Target(SlaMetric.RequesterWaitTime, 480),
        Target(SlaMetric.TotalResolution, 1440));

    public static SlaOccurrence Get(this SlaEvaluation evaluation, SlaMetric metric) =>
        evaluation.Metrics.Single(m => m.Metric == metric);

    public static SlaOccurrence Get(this SlaEvaluation evaluation, SlaMetric metric, int occurrence) =>
        evaluation.Occurrences.Single(m => m.Metric == metric && m.Occurrence == occurrence);
}

/// <summary>A ticket history as SLA facts, built fluently.</summary>
internal sealed class History
{
    public List<SlaFact> Facts { get; } = [];

    /// <summary>Created (new, with a customer message unless told otherwise) and the policy applied at the same instant.</summary>
    public static History Created(DateTime at, SlaPolicyDefinition? policy, bool withCustomerMessage = true, TicketStatus status = TicketStatus.New)
    {
        var h = new History();
        h.Facts.Add(SlaFact.Created(at, status, withCustomerMessage));
        h.Facts.Add(SlaFact.PolicyApplied(at, policy));
        return h;
    }

    public History Status(DateTime at, TicketStatus to)
    {
        Facts.Add(SlaFact.StatusChanged(at, to));
        return this;
    }

    /// <summary>A customer's public message; with <paramref name="reopen"/> followed, like <see cref="Ticket.AddMessage"/> does, by a move to open.</summary>
    public History Customer(DateTime at, bool reopen = false)
    {
        Facts.Add(SlaFact.CustomerMessage(at));
        if (reopen)
        {
            Facts.Add(SlaFact.StatusChanged(at, TicketStatus.Open));
        }
        return this;
    }

    public History Agent(DateTime at)
    {
        Facts.Add(SlaFact.AgentReply(at));
        return this;
    }

    public History Policy(DateTime at, SlaPolicyDefinition? policy)
    {
        Facts.Add(SlaFact.PolicyApplied(at, policy));
        return this;
    }

    public SlaEvaluation At(DateTime now) => SlaEngine.Evaluate(Facts, SlaKit.CalendarOf, now);
}
