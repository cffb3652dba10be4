using CareLoop.Domain.Common;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Commerce;

/// <summary>What an integration payload carries besides its fields: its external id (bulk) and the source's change time.</summary>
public interface IExternalDto
{
    string? ExternalId { get; }

    /// <summary>The source system's last-change instant; a payload older than the stored one is ignored.</summary>
    string? UpdatedAt { get; }
}

public enum UpsertOutcome { Created, Updated, Unchanged }

/// <summary>The answer of a bulk upsert or an import.</summary>
public sealed record BulkResult(int Created, int Updated, int Unchanged)
{
    public BulkResult Add(BulkResult other) => new(Created + other.Created, Updated + other.Updated, Unchanged + other.Unchanged);
}

/// <summary>One item of a batch: its external id (from the path or the body), the payload and the error-path prefix.</summary>
public sealed record UpsertItem<TDto>(string? ExternalId, TDto? Dto, string Prefix);

/// <summary>An applied item of a batch.</summary>
/// <summary>An item of a batch after applying; <paramref name="Ignored"/> when its payload was older than the stored record.</summary>
public sealed record Applied<TEntity, TDto>(TEntity Entity, TDto Dto, Fields Fields, UpsertOutcome Outcome, bool IsNew, bool Ignored = false);

/// <summary>The state one batch shares between its items and its kind's hooks.</summary>
public sealed class UpsertContext(CareLoopDbContext db, RefCache refs, TimeProvider clock)
{
    private readonly Dictionary<Type, object> _state = [];

    public CareLoopDbContext Db => db;
    public RefCache Refs => refs;
    public TimeProvider Clock => clock;

    /// <summary>Per-batch state of a kind (e.g. which order owns which line external id).</summary>
    public T State<T>() where T : class, new()
    {
        if (!_state.TryGetValue(typeof(T), out var s))
        {
            _state[typeof(T)] = s = new T();
        }
        return (T)s;
    }
}

/// <summary>Untyped view of a kind, for routing and the CLI.</summary>
public interface IUpsertKind
{
    /// <summary>The plural name used in URLs and by the CLI (<c>products</c>).</summary>
    string Name { get; }
}

/// <summary>
/// One kind of integration record: its payload validation, the references it needs, how a payload is applied to
/// the entity, and its JSON answer. <see cref="UpsertRunner"/> does the rest the same way for every kind.
/// </summary>
public abstract class UpsertKind<TEntity, TDto> : IUpsertKind
    where TEntity : ExternalEntity, new()
    where TDto : class, IExternalDto
{
    public abstract string Name { get; }

    /// <summary>Singular label for messages ("product").</summary>
    public abstract string Label { get; }

    /// <summary>Existing records, tracked, for the batch (override to include children).</summary>
    public virtual IQueryable<TEntity> Existing(CareLoopDbContext db) => db.Set<TEntity>();

    /// <summary>Field checks that need no database.</summary>
    public abstract void Validate(TDto dto, Fields f);

    /// <summary>References the item needs loaded (<see cref="RefCache.Want{T}"/>).</summary>
    public virtual void CollectRefs(TDto dto, RefCache refs)
    {
    }

    /// <summary>Batch-wide lookups after references are loaded (e.g. uniqueness across records).</summary>
    public virtual Task PrefetchAsync(IReadOnlyList<(string ExternalId, TDto Dto)> items, UpsertContext ctx, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Writes the payload onto the entity; returns true when owned or child data changed.</summary>
    public abstract bool Apply(TDto dto, TEntity entity, bool isNew, UpsertContext ctx, Fields f);

    /// <summary>Batch-wide work after every item is applied (category paths, attaching tracking events).</summary>
    public virtual Task AfterApplyAsync(IReadOnlyList<Applied<TEntity, TDto>> applied, UpsertContext ctx, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The record as the API shows it: references as external ids.</summary>
    public abstract Task<TDto> ToDtoAsync(TEntity entity, RefCache refs, CancellationToken ct);

    /// <summary>Replaces a list only when its content differs, so an identical payload leaves the record unchanged.</summary>
    protected static bool SameJson<T>(T a, T b) =>
        System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b);
}

/// <summary>Applies a batch of payloads of one kind: validation, prefetching, upsert and change detection.</summary>
public sealed class UpsertRunner(CareLoopDbContext db, TimeProvider clock)
{
    public const int MaxExternalIdLength = 100;

    /// <summary>
    /// Validates and applies the items to the change tracker (nothing is saved). On any error the returned list is
    /// empty and <paramref name="errors"/> names each field; the caller then discards the tracked changes.
    /// </summary>
    public async Task<IReadOnlyList<Applied<TEntity, TDto>>> ApplyAsync<TEntity, TDto>(
        UpsertKind<TEntity, TDto> kind, IReadOnlyList<UpsertItem<TDto>> items, ValidationErrors errors, CancellationToken ct, RefCache? refs = null)
        where TEntity : ExternalEntity, new()
        where TDto : class, IExternalDto
    {
        refs ??= new RefCache(db);
        var ctx = new UpsertContext(db, refs, clock);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var valid = new List<(string ExternalId, TDto Dto, Fields Fields)>(items.Count);
        foreach (var item in items)
        {
            var f = new Fields(errors, item.Prefix);
            if (item.Dto is null)
            {
                f.Add("body", "must be an object.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(item.ExternalId))
            {
                f.Add("externalId", "is required.");
            }
            else if (item.ExternalId.Length > MaxExternalIdLength)
            {
                f.Add("externalId", $"must be at most {MaxExternalIdLength} characters.");
            }
            else if (!seen.Add(item.ExternalId))
            {
                f.Add("externalId", $"'{item.ExternalId}' appears more than once in the batch.");
            }
            if (item.Dto.UpdatedAt is not null)
            {
                f.Instant("updatedAt", item.Dto.UpdatedAt);
            }
            kind.Validate(item.Dto, f);
            kind.CollectRefs(item.Dto, refs);
            valid.Add((item.ExternalId ?? "", item.Dto, f));
        }
        if (errors.Any)
        {
            return [];
        }

        await refs.LoadAsync(ct);
        var existing = (await RefCache.LoadAsync(kind.Existing(db), valid.Select(v => v.ExternalId).ToList(), ct, track: true))
            .ToDictionary(e => e.ExternalId, StringComparer.Ordinal);
        var entities = new List<(TEntity Entity, bool IsNew)>(valid.Count);
        foreach (var (externalId, _, _) in valid)
        {
            var isNew = !existing.TryGetValue(externalId, out var entity);
            entity ??= new TEntity { ExternalId = externalId };
            refs.Put(entity);
            entities.Add((entity, isNew));
        }
        await kind.PrefetchAsync(valid.Select(v => (v.ExternalId, v.Dto)).ToList(), ctx, ct);

        var applied = new List<Applied<TEntity, TDto>>(valid.Count);
        var touched = new List<(int Index, bool OwnedChanged)>(valid.Count);
        for (var i = 0; i < valid.Count; i++)
        {
            var (_, dto, f) = valid[i];
            var (entity, isNew) = entities[i];
            var sourceUpdatedAt = dto.UpdatedAt is not null && Instants.TryParse(dto.UpdatedAt, out var u) ? u : (DateTime?)null;
            if (!isNew && sourceUpdatedAt is { } s && entity.SourceUpdatedAt is { } stored && s < stored)
            {
                applied.Add(new(entity, dto, f, UpsertOutcome.Unchanged, false, Ignored: true));
                continue;
            }
            var ownedChanged = kind.Apply(dto, entity, isNew, ctx, f);
            if (sourceUpdatedAt is not null)
            {
                entity.SourceUpdatedAt = sourceUpdatedAt;
            }
            if (isNew)
            {
                db.Add(entity);
            }
            touched.Add((applied.Count, ownedChanged));
            applied.Add(new(entity, dto, f, isNew ? UpsertOutcome.Created : UpsertOutcome.Unchanged, isNew));
        }
        if (errors.Any)
        {
            return [];
        }
        await kind.AfterApplyAsync(applied.Where(a => !a.Ignored).ToList(), ctx, ct);
        if (errors.Any)
        {
            return [];
        }

        db.ChangeTracker.DetectChanges();
        foreach (var (index, ownedChanged) in touched)
        {
            var a = applied[index];
            if (a.IsNew)
            {
                continue;
            }
            var entry = db.Entry(a.Entity);
            if (ownedChanged && entry.State == EntityState.Unchanged)
            {
                // Owned JSON data or child rows changed: the record itself counts as modified (new version).
                entry.Property(e => e.UpdatedAt).IsModified = true;
            }
            if (entry.State == EntityState.Modified)
            {
                applied[index] = a with { Outcome = UpsertOutcome.Updated };
            }
        }
        return applied;
    }

    public static BulkResult Count<TEntity, TDto>(IEnumerable<Applied<TEntity, TDto>> applied)
    {
        int c = 0, u = 0, n = 0;
        foreach (var a in applied)
        {
            switch (a.Outcome)
            {
                case UpsertOutcome.Created: c++; break;
                case UpsertOutcome.Updated: u++; break;
                default: n++; break;
            }
        }
        return new BulkResult(c, u, n);
    }
}
