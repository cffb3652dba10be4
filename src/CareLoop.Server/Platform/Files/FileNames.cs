using System.Buffers;
using System.Globalization;
using System.Text;

namespace CareLoop.Server.Platform.Files;

/// <summary>Makes a client's file name safe to store and to send back in Content-Disposition.</summary>
public static class FileNames
{
    public const int MaxLength = 120;
    private const int MaxExtensionLength = 10;
    private const string Fallback = "file";

    /// <summary>Characters Windows refuses in names (and the path separators); control and format characters go too.</summary>
    private static readonly SearchValues<char> Invalid = SearchValues.Create("<>:\"/\\|?*");

    /// <summary>
    /// The last path segment (after <c>/</c> or <c>\</c>) without control, invisible-formatting (e.g. right-to-left
    /// override) or invalid characters, trimmed of dots and spaces, at most <see cref="MaxLength"/> characters with
    /// its extension kept. When the extension is not one of the content type's, the canonical one is appended, so a
    /// PNG named <c>page.html</c> is saved as <c>page.html.png</c>. An empty result becomes <c>file</c> + extension.
    /// </summary>
    public static string Sanitize(string? name, FileType type)
    {
        var segment = name ?? "";
        var cut = segment.LastIndexOfAny(['/', '\\']);
        if (cut >= 0)
        {
            segment = segment[(cut + 1)..];
        }
        var clean = new StringBuilder(segment.Length);
        foreach (var rune in segment.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                    or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                || (rune.IsBmp && Invalid.Contains((char)rune.Value)))
            {
                continue;
            }
            clean.Append(rune.ToString());
        }
        // Trailing dots and spaces go first (Windows drops them); leading ones after the extension is split off.
        var text = clean.ToString().Trim(' ').TrimEnd('.', ' ');

        var (stem, extension) = Split(text);
        if (!type.Extensions.Contains(extension.ToLowerInvariant()))
        {
            // Not an extension of this content: keep it in the stem and add the right one.
            stem = text;
            extension = type.CanonicalExtension;
        }
        stem = stem.Trim(' ', '.');
        if (stem.Length == 0)
        {
            stem = Fallback;
        }
        var room = MaxLength - extension.Length;
        if (stem.Length > room)
        {
            stem = Truncate(stem, room).TrimEnd(' ', '.');
        }
        return stem + extension;
    }

    private static (string Stem, string Extension) Split(string text)
    {
        var dot = text.LastIndexOf('.');
        if (dot < 0 || text.Length - dot > MaxExtensionLength + 1)
        {
            return (text, "");
        }
        return (text[..dot], text[dot..]);
    }

    /// <summary>Cuts to at most <paramref name="length"/> chars without splitting a surrogate pair.</summary>
    private static string Truncate(string s, int length)
    {
        if (s.Length <= length)
        {
            return s;
        }
        if (char.IsHighSurrogate(s[length - 1]))
        {
            length--;
        }
        return s[..length];
    }
}
