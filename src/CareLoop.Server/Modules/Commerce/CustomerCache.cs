using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CareLoop.Domain.Commerce;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CareLoop.Server.Modules.Commerce;

/// <summary>
/// Customers by external id, kept per process for a few seconds for ticket intake, whose every request names its
/// customer (the query was about a tenth of intake's CPU). Only unscoped callers (integrations, staff) are served from
/// it; a merchant- or customer-scoped caller's row filters always go to the database. Unknown ids are not kept, so a
/// customer created a moment ago is found at once.
/// <para>Freshness: a customer saved through EF Core on this instance is dropped from the cache when the save starts and
/// again when it ends (this is also a save interceptor). A change on another instance, or one whose transaction commits
/// after a concurrent read reloaded the old row, is seen within <see cref="Lifetime"/> (ADR 22). The cached instances
/// are shared between requests: callers read them and never change them.</para>
/// </summary>
public sealed class CustomerCache(TimeProvider clock) : SaveChangesInterceptor
{
    public static readonly TimeSpan Lifetime = TimedSnapshot<object>.Lifetime;

    /// <summary>
    /// Past this many entries the expired ones are dropped, and if that is not enough all of them: a bound on memory
    /// (a few megabytes) above the distinct customers of one lifetime at the intake goal (2,000 tickets/s × 5 s).
    /// </summary>
    public const int MaxEntries = 10_000;

    private sealed record Entry(DateTime LoadedAt, Customer Customer)
    {
        /// <summary>Younger than <see cref="Lifetime"/> (a clock set back makes every entry stale).</summary>
        public bool FreshAt(DateTime now) => now - LoadedAt < Lifetime && now >= LoadedAt;
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>External ids of the customers a context is saving, dropped again once the save has ended.</summary>
    private readonly ConditionalWeakTable<DbContext, List<string>> _saving = [];

    // Compiled: intake's hottest query skips LINQ translation and the query-cache lookup (the caller's row filters still apply).
    private static readonly CompiledPerProvider<Func<CareLoopDbContext, string, CancellationToken, Task<Customer?>>> ByExternalId = new(() =>
        EF.CompileAsyncQuery((CareLoopDbContext db, string externalId, CancellationToken ct) =>
            db.Customers.AsNoTracking().SingleOrDefault(c => c.ExternalId == externalId)));

    /// <summary>The customer with <paramref name="externalId"/> that <paramref name="db"/>'s caller may see, or null.</summary>
    public async Task<Customer?> FindAsync(CareLoopDbContext db, string externalId, CancellationToken ct)
    {
        if (db.ScopeMerchantId is not null || db.ScopeCustomerId is not null)
        {
            return await ByExternalId.For(db)(db, externalId, ct);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (_entries.TryGetValue(externalId, out var kept) && kept.FreshAt(now))
        {
            return kept.Customer;
        }
        var customer = await ByExternalId.For(db)(db, externalId, ct);
        if (customer is null)
        {
            _entries.TryRemove(externalId, out _);
            return null;
        }
        if (_entries.Count >= MaxEntries)
        {
            foreach (var (id, entry) in _entries)
            {
                if (!entry.FreshAt(now))
                {
                    _entries.TryRemove(id, out _);
                }
            }
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }
        }
        _entries[externalId] = new Entry(now, customer);
        return customer;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Saved(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return Task.CompletedTask;
    }

    private void Saving(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        List<string>? ids = null;
        foreach (var entry in context.ChangeTracker.Entries<Customer>())
        {
            var changed = entry.State is EntityState.Modified or EntityState.Deleted
                || (entry.State == EntityState.Unchanged && entry.References.Any(r => r.TargetEntry is { State: not EntityState.Unchanged }))
                || entry.Collections.Any(c => c.IsModified);
            if (!changed)
            {
                continue;
            }
            ids ??= [];
            ids.Add(entry.Entity.ExternalId);
            if (entry.Property(c => c.ExternalId).OriginalValue is { } original && original != entry.Entity.ExternalId)
            {
                ids.Add(original);
            }
        }
        if (ids is null)
        {
            return;
        }
        Drop(ids);
        _saving.AddOrUpdate(context, ids);
    }

    private void Saved(DbContext? context)
    {
        if (context is not null && _saving.TryGetValue(context, out var ids))
        {
            _saving.Remove(context);
            Drop(ids);
        }
    }

    private void Drop(List<string> ids)
    {
        foreach (var id in ids)
        {
            _entries.TryRemove(id, out _);
        }
    }
}
