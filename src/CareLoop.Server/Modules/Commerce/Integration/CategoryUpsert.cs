using CareLoop.Domain.Commerce;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Commerce;

public sealed record CategoryDto(string? ExternalId, string? Name, string? NameEn, string? Parent, string? UpdatedAt, long? Version = null) : IExternalDto;

/// <summary>Upserts categories (a tree; <c>parent</c> is the parent's external id). Keeps each category's id path.</summary>
public sealed class CategoryUpsert : UpsertKind<Category, CategoryDto>
{
    public override string Name => "categories";
    public override string Label => "category";

    public override void Validate(CategoryDto d, Fields f)
    {
        f.Text("name", d.Name, 200, required: true);
        f.Text("nameEn", d.NameEn, 200);
        f.Text("parent", d.Parent, 100);
        if (d.Parent is not null && d.Parent == d.ExternalId)
        {
            f.Add("parent", "a category cannot be its own parent.");
        }
    }

    public override void CollectRefs(CategoryDto d, RefCache refs) => refs.Want<Category>(d.Parent);

    public override bool Apply(CategoryDto d, Category c, bool isNew, UpsertContext ctx, Fields f)
    {
        c.Name = d.Name!.Trim();
        c.NameEn = d.NameEn;
        var parent = ctx.Refs.Resolve<Category>(f, "parent", d.Parent, Label);
        if (parent?.Id == c.Id)
        {
            f.Add("parent", "a category cannot be its own parent.");
        }
        c.ParentId = parent?.Id;
        return false;
    }

    /// <summary>Computes the id paths of the batch's categories (refusing cycles) and moves the subtrees of moved ones.</summary>
    public override async Task AfterApplyAsync(IReadOnlyList<Applied<Category, CategoryDto>> applied, UpsertContext ctx, CancellationToken ct)
    {
        var batch = applied.ToDictionary(a => a.Entity.Id);
        var paths = new Dictionary<Guid, string?>();

        string? PathOf(Guid id, HashSet<Guid> visiting)
        {
            if (paths.TryGetValue(id, out var known))
            {
                return known;
            }
            if (!batch.TryGetValue(id, out var a))
            {
                return ctx.Refs.FindById<Category>(id)?.Path;
            }
            var c = a.Entity;
            string? path;
            if (c.ParentId is not { } parentId)
            {
                path = c.Id.ToString();
            }
            else if (!visiting.Add(id))
            {
                path = null;
            }
            else
            {
                var parentPath = PathOf(parentId, visiting);
                path = parentPath is null || parentPath.Split('/').Contains(c.Id.ToString()) ? null : parentPath + "/" + c.Id;
            }
            paths[id] = path;
            return path;
        }

        var moved = new List<(string OldPath, string NewPath)>();
        foreach (var a in applied)
        {
            var path = PathOf(a.Entity.Id, []);
            if (path is null)
            {
                a.Fields.Add("parent", "would make the category its own ancestor.");
                continue;
            }
            if (path.Length > 1000)
            {
                a.Fields.Add("parent", "makes the category tree too deep.");
                continue;
            }
            if (!a.IsNew && a.Entity.Path.Length > 0 && a.Entity.Path != path)
            {
                moved.Add((a.Entity.Path, path));
            }
            a.Entity.Path = path;
        }
        foreach (var (oldPath, newPath) in moved)
        {
            var prefix = oldPath + "/";
            var descendants = await ctx.Db.Categories.IgnoreQueryFilters().Where(x => x.Path.StartsWith(prefix)).ToListAsync(ct);
            foreach (var d in descendants.Where(d => !batch.ContainsKey(d.Id) && d.Path.StartsWith(prefix, StringComparison.Ordinal)))
            {
                d.Path = newPath + "/" + d.Path[prefix.Length..];
            }
        }
    }

    public override async Task<CategoryDto> ToDtoAsync(Category c, RefCache refs, CancellationToken ct) => new(
        c.ExternalId, c.Name, c.NameEn, await refs.ExtAsync<Category>(c.ParentId, ct), Instants.Format(c.SourceUpdatedAt), c.Version);
}
