using Microsoft.Extensions.Primitives;

namespace CareLoop.Server.Platform.Api;

/// <summary>ETags are the record's version; If-Match must name the current one.</summary>
public static class ETags
{
    public static string For(long version) => $"\"{version}\"";

    /// <summary>True when no If-Match was sent or it matches the version (or is *).</summary>
    public static bool Matches(StringValues ifMatch, long version)
    {
        if (StringValues.IsNullOrEmpty(ifMatch))
        {
            return true;
        }
        var current = For(version);
        foreach (var value in ifMatch)
        {
            foreach (var tag in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var t = tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
                if (t == "*" || t == current)
                {
                    return true;
                }
            }
        }
        return false;
    }

    public static void Set(HttpContext context, long version) => context.Response.Headers.ETag = For(version);
}
