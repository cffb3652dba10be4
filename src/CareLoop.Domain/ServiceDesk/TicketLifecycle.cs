using System.Collections.Frozen;

namespace CareLoop.Domain.ServiceDesk;

/// <summary>
/// The ticket state machine: which status may follow which. new → open ⇄ pending / on_hold → solved
/// (→ open on a customer reply or an agent's reopen) → closed. Closed is final: a reply opens a follow-up ticket.
/// </summary>
public static class TicketLifecycle
{
    private static readonly FrozenDictionary<TicketStatus, TicketStatus[]> Allowed = new Dictionary<TicketStatus, TicketStatus[]>
    {
        [TicketStatus.New] = [TicketStatus.Open, TicketStatus.Pending, TicketStatus.OnHold, TicketStatus.Solved],
        [TicketStatus.Open] = [TicketStatus.Pending, TicketStatus.OnHold, TicketStatus.Solved],
        [TicketStatus.Pending] = [TicketStatus.Open, TicketStatus.OnHold, TicketStatus.Solved],
        [TicketStatus.OnHold] = [TicketStatus.Open, TicketStatus.Pending, TicketStatus.Solved],
        [TicketStatus.Solved] = [TicketStatus.Open, TicketStatus.Closed],
        [TicketStatus.Closed] = [],
    }.ToFrozenDictionary();

    /// <summary>The statuses a ticket in <paramref name="from"/> may move to.</summary>
    public static IReadOnlyList<TicketStatus> AllowedFrom(TicketStatus from) => Allowed[from];

    public static bool CanMove(TicketStatus from, TicketStatus to) => Array.IndexOf(Allowed[from], to) >= 0;

    /// <summary>True while the ticket still needs someone (not solved or closed).</summary>
    public static bool IsUnsolved(TicketStatus status) => status is not (TicketStatus.Solved or TicketStatus.Closed);

    /// <summary>
    /// The status a customer's public message leaves the ticket in: pending, on-hold and solved tickets reopen; new
    /// and open stay. Closed tickets take no replies (a follow-up is opened instead), so they map to null.
    /// </summary>
    public static TicketStatus? AfterCustomerMessage(TicketStatus status) => status switch
    {
        TicketStatus.New => TicketStatus.New,
        TicketStatus.Closed => null,
        _ => TicketStatus.Open,
    };
}

/// <summary>An illegal status change; the API answers 409 with the allowed statuses.</summary>
public sealed class IllegalTransitionException(TicketStatus from, TicketStatus to)
    : InvalidOperationException($"A ticket cannot move from {from} to {to}.")
{
    public TicketStatus From { get; } = from;
    public TicketStatus To { get; } = to;
    public IReadOnlyList<TicketStatus> Allowed { get; } = TicketLifecycle.AllowedFrom(from);
}
