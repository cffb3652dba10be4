using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CareLoop.Server.Platform.Outbox;

public enum OutboxStatus { Pending, Retrying, Sent, Dead }

/// <summary>
/// One message to deliver to one destination (a webhook subscription, an e-mail recipient, an in-process event
/// handler), written in the same transaction as the change it reports and delivered by <see cref="OutboxDispatcher"/>.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Ascending in insertion order: messages of one aggregate to one destination are delivered in this order.</summary>
    public long Id { get; set; }

    /// <summary>Which <see cref="IOutboxHandler"/> delivers it: <c>webhook</c>, <c>email</c>, <c>in_app</c>, <c>domain_event</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The destination within the kind (subscription id, recipient, handler name).</summary>
    public string Target { get; set; } = "";

    /// <summary>The stable id of the event, the same for every destination and every attempt (receivers de-duplicate on it).</summary>
    public string EventId { get; set; } = "";

    public string EventType { get; set; } = "";

    /// <summary>The record the event is about (e.g. <c>ticket:…</c>); null when order does not matter.</summary>
    public string? AggregateKey { get; set; }

    /// <summary>The merchant whose data the message carries, if any (merchant-bound subscriptions only get their own).</summary>
    public Guid? MerchantId { get; set; }

    public string Payload { get; set; } = "";

    public OutboxStatus Status { get; set; } = OutboxStatus.Pending;

    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime NextAttemptAt { get; set; }

    public DateTime? LastAttemptAt { get; set; }

    public DateTime? SentAt { get; set; }

    public DateTime? LockedUntil { get; set; }

    public string? LockedBy { get; set; }

    public string? LastError { get; set; }

    public int? LastStatusCode { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("outbox_messages");
        b.Property(x => x.Id).ValueGeneratedOnAdd();
        b.Property(x => x.Kind).HasMaxLength(40);
        b.Property(x => x.Target).HasMaxLength(200);
        b.Property(x => x.EventId).HasMaxLength(100);
        b.Property(x => x.EventType).HasMaxLength(200);
        b.Property(x => x.AggregateKey).HasMaxLength(200);
        b.Property(x => x.LockedBy).HasMaxLength(100);
        b.Property(x => x.LastError).HasMaxLength(2000);
        // Counts by status (the admin page).
        b.HasIndex(x => new { x.Status, x.NextAttemptAt });
        // The dispatcher's scan: undelivered messages in id order, without walking past the sent ones.
        b.HasIndex(x => x.Id, "IX_outbox_messages_undelivered")
            .HasFilter("\"Status\" IN ('Pending', 'Retrying')");
        // "Is an earlier message of this aggregate to this destination still undelivered?" — one seek, because the
        // index holds undelivered messages only (sent ones would otherwise be walked past for every candidate). Its
        // filter names the same messages as the one above in other words, on purpose: the claim's check repeats these
        // words, so PostgreSQL can only answer it from this index. Left a choice, its planner scanned the other one
        // (small by its statistics, but full of entries of just-sent messages) once per candidate. ADR 20.
        b.HasIndex(x => new { x.Target, x.AggregateKey, x.Id }, "IX_outbox_messages_undelivered_aggregate")
            .HasFilter("\"Status\" <> 'Sent' AND \"Status\" <> 'Dead'");
        b.HasIndex(x => x.EventId);
    }
}
