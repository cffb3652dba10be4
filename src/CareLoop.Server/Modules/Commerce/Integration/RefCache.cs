using CareLoop.Domain.Commerce;
using CareLoop.Domain.Common;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Commerce;

/// <summary>
/// External-id references of one batch: requested while validating, loaded with a few <c>WHERE ExternalId IN (…)</c>
/// queries (chunked), and resolved while applying. Records of the batch itself are registered too, so items may
/// refer to each other. Also maps internal ids back to external ids for answers.
/// </summary>
public sealed class RefCache(CareLoopDbContext db)
{
    public const int ChunkSize = 500;

    private readonly Dictionary<Type, HashSet<string>> _wanted = [];
    private readonly Dictionary<(Type, string), ExternalEntity> _byExternal = [];
    private readonly Dictionary<(Type, Guid), ExternalEntity> _byId = [];

    /// <summary>Asks for a record to be loaded by the next <see cref="LoadAsync"/>.</summary>
    public void Want<T>(string? externalId) where T : ExternalEntity
    {
        if (string.IsNullOrWhiteSpace(externalId))
        {
            return;
        }
        if (!_wanted.TryGetValue(typeof(T), out var set))
        {
            _wanted[typeof(T)] = set = new HashSet<string>(StringComparer.Ordinal);
        }
        set.Add(externalId);
    }

    public async Task LoadAsync(CancellationToken ct)
    {
        foreach (var (type, ids) in _wanted)
        {
            var missing = ids.Where(id => !_byExternal.ContainsKey((type, id))).ToList();
            if (missing.Count == 0)
            {
                continue;
            }
            IEnumerable<ExternalEntity> loaded = type.Name switch
            {
                nameof(Merchant) => await LoadAsync(db.Merchants, missing, ct) as IEnumerable<ExternalEntity>,
                nameof(Supplier) => await LoadAsync(db.Suppliers, missing, ct) as IEnumerable<ExternalEntity>,
                nameof(Category) => await LoadAsync(db.Categories, missing, ct) as IEnumerable<ExternalEntity>,
                nameof(Product) => await LoadAsync(db.Products, missing, ct) as IEnumerable<ExternalEntity>,
                nameof(Lot) => await LoadAsync(db.Lots, missing, ct) as IEnumerable<ExternalEntity>,
                nameof(Customer) => await LoadAsync(db.Customers, missing, ct, ignoreFilters: true) as IEnumerable<ExternalEntity>,
                nameof(Order) => await LoadAsync(db.Orders.Include(o => o.Lines), missing, ct),
                nameof(Shipment) => await LoadAsync(db.Shipments, missing, ct) as IEnumerable<ExternalEntity>,
                _ => throw new InvalidOperationException($"No reference loader for {type.Name}."),
            };
            foreach (var e in loaded)
            {
                Put(e);
            }
        }
        _wanted.Clear();
    }

    /// <summary>
    /// Loads records by external id in chunks. The caller's row-level filters apply, so a merchant-bound key neither
    /// sees nor references another merchant's records; customers are the exception for references
    /// (<paramref name="ignoreFilters"/>): shoppers are platform-wide and any shop may attach an order to one.
    /// </summary>
    public static async Task<List<T>> LoadAsync<T>(IQueryable<T> source, IReadOnlyCollection<string> externalIds, CancellationToken ct, bool track = false, bool ignoreFilters = false)
        where T : ExternalEntity
    {
        var result = new List<T>(externalIds.Count);
        var q = ignoreFilters ? source.IgnoreQueryFilters() : source;
        if (!track)
        {
            q = q.AsNoTracking();
        }
        foreach (var chunk in externalIds.Chunk(ChunkSize))
        {
            var list = chunk.ToList();
            result.AddRange(await q.Where(x => list.Contains(x.ExternalId)).ToListAsync(ct));
        }
        return result;
    }

    /// <summary>Registers a record (loaded or part of the batch); a later registration wins.</summary>
    public void Put(ExternalEntity e)
    {
        _byExternal[(e.GetType(), e.ExternalId)] = e;
        _byId[(e.GetType(), e.Id)] = e;
    }

    public T? Find<T>(string externalId) where T : ExternalEntity =>
        _byExternal.TryGetValue((typeof(T), externalId), out var e) ? (T)e : null;

    public T? FindById<T>(Guid id) where T : ExternalEntity =>
        _byId.TryGetValue((typeof(T), id), out var e) ? (T)e : null;

    /// <summary>Resolves a reference; an unknown one is an error naming the field.</summary>
    public T? Resolve<T>(Fields f, string field, string? externalId, string label) where T : ExternalEntity
    {
        if (string.IsNullOrWhiteSpace(externalId))
        {
            return null;
        }
        var found = Find<T>(externalId);
        if (found is null)
        {
            f.Add(field, $"no {label} with external id '{externalId}'.");
        }
        return found;
    }

    /// <summary>The external id of a referenced record (loaded on demand).</summary>
    public async Task<string?> ExtAsync<T>(Guid? id, CancellationToken ct) where T : ExternalEntity
    {
        if (id is not { } key)
        {
            return null;
        }
        if (FindById<T>(key) is { } cached)
        {
            return cached.ExternalId;
        }
        var e = await db.Set<T>().IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(x => x.Id == key, ct);
        if (e is null)
        {
            return null;
        }
        Put(e);
        return e.ExternalId;
    }
}
