using System.Text.Json;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CareLoop.Server.Modules.ServiceDesk;

internal static class JsonColumn
{
    /// <summary>Stores a small document as JSON text (the same on both providers).</summary>
    public static PropertyBuilder<T> AsJson<T>(this PropertyBuilder<T> p) where T : class, new() =>
        p.HasConversion(new ValueConverter<T, string>(
                v => JsonSerializer.Serialize(v, ApiJson.Options),
                v => JsonSerializer.Deserialize<T>(v, ApiJson.Options) ?? new T()),
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, ApiJson.Options) == JsonSerializer.Serialize(b, ApiJson.Options),
                v => JsonSerializer.Serialize(v, ApiJson.Options).GetHashCode(StringComparison.Ordinal),
                v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, ApiJson.Options), ApiJson.Options)!));
}

internal sealed class TicketConfiguration : IEntityTypeConfiguration<Ticket>
{
    public void Configure(EntityTypeBuilder<Ticket> b)
    {
        b.ToTable("Tickets");
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => x.Number).IsUnique();
        b.Property(x => x.Subject).HasMaxLength(Ticket.MaxSubjectLength);
        b.Property(x => x.SlaFired).HasMaxLength(2000);
        b.Property(x => x.CsatComment).HasMaxLength(2000);
        b.Ignore(x => x.NewEvents);
        b.HasMany(x => x.Events).WithOne().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CareLoop.Domain.Commerce.Customer>().WithMany().HasForeignKey(x => x.CustomerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<CareLoop.Domain.Commerce.Order>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Restrict);
        // Queues: a group's (or agent's, or everyone's) unsolved tickets by SLA due, each one index range.
        // The scan: tickets whose next check has passed.
        b.Property(x => x.SlaDueAt).HasField("_slaDueAt");
        b.HasIndex(x => new { x.GroupId, x.QueueDueAt, x.Number });
        b.HasIndex(x => new { x.AssigneeId, x.QueueDueAt, x.Number });
        b.HasIndex(x => new { x.QueueDueAt, x.Number });
        b.HasIndex(x => x.SlaNextCheckAt);
        b.HasIndex(x => new { x.CustomerId, x.CreatedAt });
        b.HasIndex(x => x.OrderId);
        b.HasIndex(x => new { x.Status, x.SolvedAt });
    }
}

internal sealed class TicketMessageConfiguration : IEntityTypeConfiguration<TicketMessage>
{
    public void Configure(EntityTypeBuilder<TicketMessage> b)
    {
        b.ToTable("TicketMessages");
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.AuthorName).HasMaxLength(200);
        b.Property(x => x.Body).HasMaxLength(TicketMessage.MaxBodyLength);
        b.HasOne<Ticket>().WithMany().HasForeignKey(x => x.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.TicketId, x.At });
    }
}

internal sealed class TicketEventConfiguration : IEntityTypeConfiguration<TicketEvent>
{
    public void Configure(EntityTypeBuilder<TicketEvent> b)
    {
        b.ToTable("TicketEvents");
        // Ids are set by the domain: entries added to a loaded ticket's timeline must be inserted, not updated.
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Actor).HasMaxLength(200);
        b.Property(x => x.From).HasMaxLength(200);
        b.Property(x => x.To).HasMaxLength(200);
        b.Property(x => x.Note).HasMaxLength(2000);
        b.HasIndex(x => new { x.TicketId, x.Seq }).IsUnique();
    }
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> b)
    {
        b.ToTable("SlaPolicies");
        b.Property(x => x.Version).IsConcurrencyToken();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Description).HasMaxLength(2000);
        b.Property(x => x.Conditions).AsJson();
        b.Property(x => x.Targets).AsJson();
        b.Property(x => x.Escalation).AsJson();
        b.HasIndex(x => x.Position);
    }
}

internal sealed class SupportGroupConfiguration : IEntityTypeConfiguration<SupportGroup>
{
    public void Configure(EntityTypeBuilder<SupportGroup> b)
    {
        b.ToTable("SupportGroups");
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => x.Code).IsUnique();
        b.Property(x => x.Code).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.NameEn).HasMaxLength(200);
    }
}

internal sealed class AgentProfileConfiguration : IEntityTypeConfiguration<AgentProfile>
{
    public void Configure(EntityTypeBuilder<AgentProfile> b)
    {
        b.ToTable("AgentProfiles");
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => x.UserId).IsUnique();
        b.Property(x => x.DisplayName).HasMaxLength(200);
        b.HasOne<Platform.Auth.User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RoutingRuleConfiguration : IEntityTypeConfiguration<RoutingRule>
{
    public void Configure(EntityTypeBuilder<RoutingRule> b)
    {
        b.ToTable("RoutingRules");
        b.Property(x => x.Version).IsConcurrencyToken();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Conditions).AsJson();
        b.HasOne<SupportGroup>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MacroConfiguration : IEntityTypeConfiguration<Macro>
{
    public void Configure(EntityTypeBuilder<Macro> b)
    {
        b.ToTable("Macros");
        b.Property(x => x.Version).IsConcurrencyToken();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.BodyZh).HasMaxLength(TicketMessage.MaxBodyLength);
        b.Property(x => x.BodyEn).HasMaxLength(TicketMessage.MaxBodyLength);
    }
}

internal sealed class SlaAlertConfiguration : IEntityTypeConfiguration<SlaAlert>
{
    public void Configure(EntityTypeBuilder<SlaAlert> b)
    {
        b.ToTable("SlaAlerts");
        b.HasIndex(x => new { x.TicketId, x.Metric, x.Occurrence, x.Kind }).IsUnique();
        b.HasIndex(x => x.At);
        b.Property(x => x.Actions).HasMaxLength(500);
    }
}

internal sealed class SlaOutcomeConfiguration : IEntityTypeConfiguration<SlaOutcome>
{
    public void Configure(EntityTypeBuilder<SlaOutcome> b)
    {
        b.ToTable("SlaOutcomes");
        b.HasKey(x => new { x.TicketId, x.Metric, x.Occurrence });
        b.HasIndex(x => new { x.Metric, x.StartedAt });
    }
}

internal sealed class CounterConfiguration : IEntityTypeConfiguration<Counter>
{
    public void Configure(EntityTypeBuilder<Counter> b)
    {
        b.ToTable("Counters");
        b.HasKey(x => x.Name);
        b.Property(x => x.Name).HasMaxLength(64);
        b.HasData(new Counter { Name = TicketNumbers.CounterName, Value = TicketNumbers.First - 1 });
    }
}
