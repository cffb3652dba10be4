namespace CareLoop.Domain.ServiceDesk;

/// <summary>Where a request came in.</summary>
public enum TicketChannel { Web, App, MiniProgram, Chat, Phone, Email, Social, Api }

/// <summary>What a request is about.</summary>
public enum TicketCategory
{
    Logistics,
    QualityIssue,
    ReturnRefund,
    Exchange,
    RefundProgress,
    Repair,
    Installation,
    MissingWrongItem,
    ServiceComplaint,
    PolicyQuestion,
    Invoice,
    PriceProtection,
    AccountPayment,
    Other,
}

/// <summary>Ticket priority, lowest first (so comparisons read naturally).</summary>
public enum TicketPriority { Low, Normal, High, Urgent }

/// <summary>The ticket lifecycle; see <see cref="TicketLifecycle"/>.</summary>
public enum TicketStatus
{
    /// <summary>Received, nobody has worked on it yet.</summary>
    New,
    /// <summary>Being worked on.</summary>
    Open,
    /// <summary>Waiting for the customer.</summary>
    Pending,
    /// <summary>Waiting for a third party (carrier, merchant, supplier).</summary>
    OnHold,
    /// <summary>Answered; reopens when the customer replies before it closes.</summary>
    Solved,
    /// <summary>Final; a reply opens a linked follow-up ticket.</summary>
    Closed,
}

/// <summary>Who wrote a message.</summary>
public enum AuthorKind { Customer, Agent, Bot, System }

/// <summary>Public messages are seen by the customer; internal notes only by staff.</summary>
public enum MessageVisibility { Public, Internal }

/// <summary>Agent presence for routing.</summary>
public enum Presence { Online, Away, Offline }
