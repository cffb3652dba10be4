using System.Text.Json;
using CareLoop.Domain.Common;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Settings;
using CareLoop.Server.Modules.Calendars;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CareLoop.Server.Platform.Audit;

/// <summary>
/// Stamps created/updated times and versions on saved records and appends an audit entry for each change of an
/// audited record, inside the same SaveChanges (so the same transaction). One instance serves every context: the
/// actor comes from the context being saved.
/// </summary>
public sealed class AuditInterceptor(TimeProvider clock) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Stamp(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Stamp(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var entries = new List<AuditEntry>();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.Entity is Entity entity)
            {
                if (entry.State == EntityState.Added)
                {
                    entity.CreatedAt = now;
                    entity.UpdatedAt = now;
                    entity.Version = Math.Max(1, entity.Version);
                }
                else if (entry.State == EntityState.Modified || HasChangedOwned(entry))
                {
                    entity.UpdatedAt = now;
                    entity.Version = (long)entry.Property(nameof(Entity.Version)).OriginalValue! + 1;
                    if (entry.State == EntityState.Unchanged)
                    {
                        entry.State = EntityState.Modified;
                    }
                }
            }
            if (IsAudited(entry))
            {
                if (Describe(entry, now, (context as Data.CareLoopDbContext)?.ActorName ?? "system") is { } audit)
                {
                    entries.Add(audit);
                }
            }
        }
        if (entries.Count > 0)
        {
            context.Set<AuditEntry>().AddRange(entries);
        }
    }

    private static bool HasChangedOwned(EntityEntry entry) =>
        entry.State == EntityState.Unchanged && entry.References.Any(r => r.TargetEntry is { State: EntityState.Modified or EntityState.Added });

    private static bool IsAudited(EntityEntry entry) =>
        entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && IsAuditedType(entry.Entity.GetType());

    /// <summary>True for the records whose changes are written to the audit log.</summary>
    public static bool IsAuditedType(Type type) =>
        typeof(ExternalEntity).IsAssignableFrom(type) || type == typeof(CalendarRecord) || type == typeof(ApiKey)
        || type == typeof(User) || type == typeof(PlatformSetting)
        || type == typeof(Webhooks.WebhookSubscription) || type == typeof(Webhooks.CallbackSource)
        || type == typeof(Files.StoredFile) || type == typeof(Notifications.NotificationTemplate);

    /// <summary>The audit entry of a change, or null for an update that changed no value.</summary>
    private static AuditEntry? Describe(EntityEntry entry, DateTime now, string actor)
    {
        var action = entry.State switch
        {
            EntityState.Added => "created",
            EntityState.Deleted => "deleted",
            _ => "updated",
        };
        string? changes = null;
        if (entry.State == EntityState.Modified)
        {
            var changed = entry.Properties
                .Where(p => p.IsModified && p.Metadata.Name is not (nameof(Entity.Version) or nameof(Entity.UpdatedAt))
                    && !Equals(p.OriginalValue, p.CurrentValue))
                .ToDictionary(p => p.Metadata.Name, p => IsSecret(p.Metadata.Name)
                    ? Hidden
                    : [Text(p.OriginalValue), Text(p.CurrentValue)]);
            var ownedChanged = entry.References.Any(r => r.TargetEntry is { State: EntityState.Modified or EntityState.Added or EntityState.Deleted });
            if (changed.Count == 0 && !ownedChanged)
            {
                return null;
            }
            changes = changed.Count > 0 ? JsonSerializer.Serialize(changed) : null;
        }
        else if (entry.Entity is PlatformSetting setting)
        {
            // A setting without a row has its default: its first value and its reset are changes of value too.
            string?[] values = entry.State == EntityState.Added ? [null, setting.Value] : [setting.Value, null];
            changes = JsonSerializer.Serialize(new Dictionary<string, string?[]> { [nameof(PlatformSetting.Value)] = values });
        }
        var id = entry.Properties.FirstOrDefault(p => p.Metadata.IsPrimaryKey())?.CurrentValue?.ToString() ?? "";
        return new AuditEntry
        {
            At = now,
            Actor = actor,
            Action = action,
            EntityType = entry.Metadata.ClrType.Name,
            EntityId = entry.Entity is ExternalEntity external ? $"{id} ({external.ExternalId})" : id,
            Changes = changes,
        };
    }

    private static readonly string?[] Hidden = ["(hidden)", "(hidden)"];

    /// <summary>Values in the log read the same whatever the caller's language: invariant culture, ISO-8601 instants.</summary>
    private static string? Text(object? value) => value switch
    {
        null => null,
        DateTime d => d.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static bool IsSecret(string property) =>
        property.Contains("Hash", StringComparison.Ordinal) || property.Contains("Stamp", StringComparison.Ordinal)
        || property.Contains("Secret", StringComparison.Ordinal);
}

/// <summary>The actor written into audit entries for this scope (a request, a CLI command).</summary>
public sealed class CurrentActor
{
    public string Name { get; set; } = "system";
}
