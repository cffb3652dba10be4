using System.Text.Json;
using CareLoop.Domain.Commerce;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Modules.ServiceDesk;
using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Files;
using CareLoop.Server.Platform.Settings;
using CareLoop.Server.Modules.Calendars;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CareLoop.Server.Platform.Data;

/// <summary>
/// The one database model of CareLoop. Provider-specific subclasses (<see cref="SqliteCareLoopDbContext"/>,
/// <see cref="PostgresCareLoopDbContext"/>) exist only so each provider keeps its own migration set.
/// Row-level isolation (a merchant sees its own records, a customer their own) is enforced here, in query filters.
/// </summary>
public abstract class CareLoopDbContext : IdentityDbContext<User, Role, Guid>, IDataProtectionKeyContext
{
    private CallerScope? _scope;
    private CurrentActor? _actor;

    protected CareLoopDbContext(DbContextOptions options) : base(options)
    {
    }

    /// <summary>
    /// Binds a context leased from the pool to its caller (ADR 18): the scope its query filters confine it to and the
    /// actor its audit entries name. Called on every lease; a context that is never bound sees everything as "system".
    /// </summary>
    internal virtual void Bind(CallerScope? scope, CurrentActor? actor)
    {
        _scope = scope;
        _actor = actor;
    }

    /// <summary>Who the audit log names for changes saved through this context.</summary>
    public string ActorName => _actor?.Name ?? "system";

    /// <summary>The merchant the caller is bound to, or null when the caller is not merchant-bound.</summary>
    public Guid? ScopeMerchantId => _scope?.MerchantId;

    /// <summary>The customer the caller is bound to, or null when the caller is not customer-bound.</summary>
    public Guid? ScopeCustomerId => _scope?.CustomerId;

    public DbSet<Merchant> Merchants => Set<Merchant>();
    public DbSet<Supplier> Suppliers => Set<Supplier>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<Lot> Lots => Set<Lot>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<Shipment> Shipments => Set<Shipment>();
    public DbSet<TrackingEvent> TrackingEvents => Set<TrackingEvent>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<CalendarRecord> Calendars => Set<CalendarRecord>();
    public DbSet<PlatformSetting> Settings => Set<PlatformSetting>();
    public DbSet<Outbox.OutboxMessage> OutboxMessages => Set<Outbox.OutboxMessage>();
    public DbSet<Webhooks.WebhookSubscription> WebhookSubscriptions => Set<Webhooks.WebhookSubscription>();
    public DbSet<Webhooks.CallbackSource> CallbackSources => Set<Webhooks.CallbackSource>();
    public DbSet<Webhooks.InboundEvent> InboundEvents => Set<Webhooks.InboundEvent>();
    public DbSet<Jobs.JobState> JobStates => Set<Jobs.JobState>();
    public DbSet<Jobs.JobRun> JobRuns => Set<Jobs.JobRun>();
    public DbSet<StoredFile> Files => Set<StoredFile>();
    public DbSet<Notifications.NotificationTemplate> NotificationTemplates => Set<Notifications.NotificationTemplate>();
    public DbSet<Notifications.InAppNotification> InAppNotifications => Set<Notifications.InAppNotification>();
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<TicketMessage> TicketMessages => Set<TicketMessage>();
    public DbSet<TicketEvent> TicketEvents => Set<TicketEvent>();
    public DbSet<TicketSearchDocument> TicketSearch => Set<TicketSearchDocument>();
    public DbSet<SlaPolicy> SlaPolicies => Set<SlaPolicy>();
    public DbSet<SupportGroup> SupportGroups => Set<SupportGroup>();
    public DbSet<AgentProfile> AgentProfiles => Set<AgentProfile>();
    public DbSet<RoutingRule> RoutingRules => Set<RoutingRule>();
    public DbSet<Macro> Macros => Set<Macro>();
    public DbSet<SlaAlert> SlaAlerts => Set<SlaAlert>();
    public DbSet<SlaOutcome> SlaOutcomes => Set<SlaOutcome>();
    public DbSet<Counter> Counters => Set<Counter>();

    /// <summary>The Data Protection key ring shared by every instance (sign-in and antiforgery cookies).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public bool IsPostgres => Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<decimal>().HaveConversion<FenConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(40);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(CareLoopDbContext).Assembly);

        // Row-level isolation, in one place: merchant- and customer-bound callers only ever see their own records.
        builder.Entity<Order>().HasQueryFilter(o =>
            (ScopeMerchantId == null || o.MerchantId == ScopeMerchantId) &&
            (ScopeCustomerId == null || o.CustomerId == ScopeCustomerId));
        builder.Entity<Shipment>().HasQueryFilter(s =>
            (ScopeMerchantId == null || s.MerchantId == ScopeMerchantId) &&
            (ScopeCustomerId == null || s.CustomerId == ScopeCustomerId));
        builder.Entity<Product>().HasQueryFilter(p => ScopeMerchantId == null || p.MerchantId == ScopeMerchantId);
        builder.Entity<Lot>().HasQueryFilter(l => ScopeMerchantId == null || Set<Product>().Any(p => p.Id == l.ProductId && p.MerchantId == ScopeMerchantId));
        builder.Entity<Customer>().HasQueryFilter(c =>
            (ScopeCustomerId == null || c.Id == ScopeCustomerId) &&
            (ScopeMerchantId == null || Set<Order>().Any(o => o.CustomerId == c.Id && o.MerchantId == ScopeMerchantId)));
        builder.Entity<Merchant>().HasQueryFilter(m => ScopeMerchantId == null || m.Id == ScopeMerchantId);
        builder.Entity<Ticket>().HasQueryFilter(t =>
            (ScopeMerchantId == null || t.MerchantId == ScopeMerchantId) &&
            (ScopeCustomerId == null || t.CustomerId == ScopeCustomerId));
        if (IsPostgres)
        {
            builder.HasSequence<long>(TicketNumbers.Sequence).StartsAt(TicketNumbers.First);
        }
        builder.Entity<Webhooks.WebhookSubscription>().HasQueryFilter(s => ScopeMerchantId == null || s.MerchantId == ScopeMerchantId);
    }

    /// <summary>Stores instants as UTC and reads them back with <see cref="DateTimeKind.Utc"/>.</summary>
    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    /// <summary>Money amounts are stored as whole fen so ordering and sums are exact on both providers.</summary>
    private sealed class FenConverter() : ValueConverter<decimal, long>(
        v => (long)decimal.Round(v * 100m, 0, MidpointRounding.AwayFromZero),
        v => v / 100m);

    internal static ValueComparer<Dictionary<string, string>> DictionaryComparer { get; } = new(
        (a, b) => JsonSerializer.Serialize(a, (JsonSerializerOptions?)null) == JsonSerializer.Serialize(b, (JsonSerializerOptions?)null),
        v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null).GetHashCode(StringComparison.Ordinal),
        v => new Dictionary<string, string>(v));
}

public sealed class SqliteCareLoopDbContext : CareLoopDbContext
{
    public SqliteCareLoopDbContext(DbContextOptions<SqliteCareLoopDbContext> options) : base(options)
    {
        AlwaysInTransaction();
    }

    internal override void Bind(CallerScope? scope, CurrentActor? actor)
    {
        base.Bind(scope, actor);
        // The pool resets this setting when a context is returned.
        AlwaysInTransaction();
    }

    // Every SaveChanges runs in a transaction, even a single statement, so it queues at the write gate
    // (SqliteWriteGate) instead of sleeping in SQLite's busy handler.
    private void AlwaysInTransaction() => Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
}

public sealed class PostgresCareLoopDbContext(DbContextOptions<PostgresCareLoopDbContext> options) : CareLoopDbContext(options);
