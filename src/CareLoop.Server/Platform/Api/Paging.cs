using System.Text;

namespace CareLoop.Server.Platform.Api;

/// <summary>A page of a list: <c>{ "items": [...], "nextCursor": "…" | null }</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Cursor pagination on a stable key. Cursors are opaque base64url strings.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Validates limit (1..200, default 50) and decodes the cursor; adds errors naming the query field.</summary>
    public static (int Limit, string? After) Read(int? limit, string? cursor, ValidationErrors errors)
    {
        var l = limit ?? DefaultLimit;
        if (l is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"must be between 1 and {MaxLimit}.");
        }
        string? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(cursor.Replace('-', '+').Replace('_', '/').PadRight((cursor.Length + 3) / 4 * 4, '=')));
            }
            catch (FormatException)
            {
                errors.Add("cursor", "is not a cursor this API issued.");
            }
        }
        return (l, after);
    }

    public static string Encode(string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Given limit+1 fetched rows, returns the page and the cursor of its last row when more follow.</summary>
    public static Page<TOut> ToPage<TIn, TOut>(IReadOnlyList<TIn> rows, int limit, Func<TIn, string> key, Func<TIn, TOut> map)
    {
        var more = rows.Count > limit;
        var items = rows.Take(limit).Select(map).ToList();
        return new Page<TOut>(items, more ? Encode(key(rows[limit - 1])) : null);
    }
}
