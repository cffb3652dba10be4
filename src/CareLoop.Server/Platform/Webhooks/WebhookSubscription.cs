using System.Text.Json;
using CareLoop.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CareLoop.Server.Platform.Webhooks;

/// <summary>An integration's subscription: events of these types are POSTed, signed with the secret, to the URL.</summary>
public sealed class WebhookSubscription : Entity
{
    public string Url { get; set; } = "";

    /// <summary>Event types (e.g. <c>ticket.created</c>), or <c>*</c> for all.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>The signing secret (<c>whsec_</c> + base64 key, or the caller's own string).</summary>
    public string Secret { get; set; } = "";

    public string? Description { get; set; }

    public bool Active { get; set; } = true;

    /// <summary>Set when a merchant-bound integration subscribed: it only receives its merchant's events.</summary>
    public Guid? MerchantId { get; set; }

    public string CreatedBy { get; set; } = "";

    public bool Wants(string eventType) => Events.Contains("*") || Events.Contains(eventType);
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> b)
    {
        b.ToTable("webhook_subscriptions");
        b.Property(x => x.Url).HasMaxLength(2000);
        b.Property(x => x.Secret).HasMaxLength(200);
        b.Property(x => x.Description).HasMaxLength(500);
        b.Property(x => x.CreatedBy).HasMaxLength(200);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.Property(x => x.Events).HasMaxLength(4000).HasConversion(
            v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
            v => JsonSerializer.Deserialize<List<string>>(v, (JsonSerializerOptions?)null) ?? new List<string>(),
            new ValueComparer<List<string>>((a, c) => a!.SequenceEqual(c!), v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s.GetHashCode(StringComparison.Ordinal))), v => v.ToList()));
        b.HasIndex(x => x.Active);
    }
}

/// <summary>A system allowed to call us back (a payment provider, a carrier), with the secret its calls are signed with.</summary>
public sealed class CallbackSource : Entity
{
    /// <summary>Short name in the callback URL: <c>/api/v1/callbacks/{code}</c>.</summary>
    public string Code { get; set; } = "";

    public CallbackKind Kind { get; set; }

    public string Secret { get; set; } = "";

    public bool Active { get; set; } = true;
}

public enum CallbackKind { Carrier, Payment }

/// <summary>A callback received and processed; the (source, event id) pair makes replays harmless.</summary>
public sealed class InboundEvent
{
    public long Id { get; set; }

    public string Source { get; set; } = "";

    public string EventId { get; set; } = "";

    public string EventType { get; set; } = "";

    public string Payload { get; set; } = "";

    public DateTime ReceivedAt { get; set; }
}

internal sealed class CallbackSourceConfiguration : IEntityTypeConfiguration<CallbackSource>
{
    public void Configure(EntityTypeBuilder<CallbackSource> b)
    {
        b.ToTable("callback_sources");
        b.Property(x => x.Code).HasMaxLength(60);
        b.Property(x => x.Secret).HasMaxLength(200);
        b.HasIndex(x => x.Code).IsUnique();
    }
}

internal sealed class InboundEventConfiguration : IEntityTypeConfiguration<InboundEvent>
{
    public void Configure(EntityTypeBuilder<InboundEvent> b)
    {
        b.ToTable("inbound_events");
        b.Property(x => x.Id).ValueGeneratedOnAdd();
        b.Property(x => x.Source).HasMaxLength(60);
        b.Property(x => x.EventId).HasMaxLength(200);
        b.Property(x => x.EventType).HasMaxLength(200);
        b.HasIndex(x => new { x.Source, x.EventId }).IsUnique();
        b.HasIndex(x => x.ReceivedAt);
    }
}
