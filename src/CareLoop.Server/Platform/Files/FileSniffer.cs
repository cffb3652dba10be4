using System.Text;

namespace CareLoop.Server.Platform.Files;

/// <summary>What a stored file is, as far as limits and serving care.</summary>
public enum FileFamily { Image, Video, Pdf }

/// <summary>A type recognised by its content: its media type, usual name extensions (the first is canonical) and family.</summary>
public sealed record FileType(string ContentType, IReadOnlyList<string> Extensions, FileFamily Family, bool HasThumbnail)
{
    public string CanonicalExtension => Extensions[0];
}

/// <summary>
/// Recognises the allowed file types by their first bytes (magic numbers), never by the claimed media type or the
/// name. The allow-list is one table: a type is accepted only when every pattern of one of its rows matches.
/// </summary>
public static class FileSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> looks at (fewer are fine for short files).</summary>
    public const int HeadLength = 64;

    public static readonly FileType Jpeg = new("image/jpeg", [".jpg", ".jpeg", ".jfif"], FileFamily.Image, true);
    public static readonly FileType Png = new("image/png", [".png"], FileFamily.Image, true);
    public static readonly FileType Gif = new("image/gif", [".gif"], FileFamily.Image, true);
    public static readonly FileType WebP = new("image/webp", [".webp"], FileFamily.Image, true);
    public static readonly FileType Heic = new("image/heic", [".heic", ".heif"], FileFamily.Image, false);
    public static readonly FileType Heif = new("image/heif", [".heif", ".heic"], FileFamily.Image, false);
    public static readonly FileType Mp4 = new("video/mp4", [".mp4", ".m4v"], FileFamily.Video, false);
    public static readonly FileType QuickTime = new("video/quicktime", [".mov", ".qt"], FileFamily.Video, false);
    public static readonly FileType WebM = new("video/webm", [".webm"], FileFamily.Video, false);
    public static readonly FileType Pdf = new("application/pdf", [".pdf"], FileFamily.Pdf, false);

    /// <summary>Bytes expected at an offset; <see cref="Offset"/> -1 means anywhere in the head.</summary>
    private readonly record struct Pattern(int Offset, byte[] Bytes)
    {
        public bool Matches(ReadOnlySpan<byte> head) => Offset < 0
            ? head.IndexOf(Bytes) >= 0
            : head.Length >= Offset + Bytes.Length && head.Slice(Offset, Bytes.Length).SequenceEqual(Bytes);
    }

    private sealed record Signature(FileType Type, Pattern[] Patterns);

    private static Pattern At(int offset, params byte[] bytes) => new(offset, bytes);
    private static Pattern At(int offset, string ascii) => new(offset, Encoding.ASCII.GetBytes(ascii));
    private static Pattern Anywhere(string ascii) => new(-1, Encoding.ASCII.GetBytes(ascii));

    /// <summary>An ISO base media file (MP4, MOV, HEIF): an <c>ftyp</c> box first, whose major brand names the format.</summary>
    private static Signature Brand(FileType type, string brand) => new(type, [At(4, "ftyp"), At(8, brand)]);

    private static readonly Signature[] Signatures =
    [
        new(Jpeg, [At(0, 0xFF, 0xD8, 0xFF)]),
        new(Png, [At(0, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)]),
        new(Gif, [At(0, "GIF87a")]),
        new(Gif, [At(0, "GIF89a")]),
        new(WebP, [At(0, "RIFF"), At(8, "WEBP")]),
        new(Pdf, [At(0, "%PDF-")]),
        // WebM is Matroska (EBML) whose DocType element says "webm"; other Matroska files are not played by browsers.
        new(WebM, [At(0, 0x1A, 0x45, 0xDF, 0xA3), Anywhere("webm")]),
        Brand(Heic, "heic"), Brand(Heic, "heix"), Brand(Heic, "heim"), Brand(Heic, "heis"),
        Brand(Heic, "hevc"), Brand(Heic, "hevx"),
        Brand(Heif, "mif1"), Brand(Heif, "msf1"),
        Brand(Mp4, "isom"), Brand(Mp4, "iso2"), Brand(Mp4, "iso4"), Brand(Mp4, "iso5"), Brand(Mp4, "iso6"),
        Brand(Mp4, "mp41"), Brand(Mp4, "mp42"), Brand(Mp4, "avc1"), Brand(Mp4, "mmp4"), Brand(Mp4, "M4V "),
        Brand(Mp4, "MSNV"), Brand(Mp4, "dash"),
        Brand(QuickTime, "qt  "),
    ];

    /// <summary>Every type the sniffer accepts.</summary>
    public static IReadOnlyList<FileType> AllowedTypes { get; } = Signatures.Select(s => s.Type).Distinct().ToList();

    /// <summary>A human list of the accepted formats, for error messages.</summary>
    public const string AllowedDescription = "JPEG, PNG, GIF, WebP, HEIC/HEIF, MP4, MOV, WebM or PDF";

    /// <summary>The type the content starts like, or null when it is none of the allowed ones.</summary>
    public static FileType? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length > HeadLength)
        {
            head = head[..HeadLength];
        }
        foreach (var signature in Signatures)
        {
            if (MatchesAll(signature.Patterns, head))
            {
                return signature.Type;
            }
        }
        return null;
    }

    private static bool MatchesAll(Pattern[] patterns, ReadOnlySpan<byte> head)
    {
        foreach (var pattern in patterns)
        {
            if (!pattern.Matches(head))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// True when the media type the client claimed names another family than the content's (PDF bytes sent as
    /// <c>image/png</c>, a photo sent as <c>text/html</c>). No claim, or <c>application/octet-stream</c>, claims nothing;
    /// a different type of the same family (a JPEG sent as <c>image/png</c>) is tolerated, and the sniffed type is kept.
    /// </summary>
    public static bool Contradicts(string? claimed, FileType actual)
    {
        var media = claimed?.Split(';', 2)[0].Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(media) || media is "application/octet-stream" or "binary/octet-stream")
        {
            return false;
        }
        FileFamily? family = media switch
        {
            _ when media.StartsWith("image/", StringComparison.Ordinal) => FileFamily.Image,
            _ when media.StartsWith("video/", StringComparison.Ordinal) => FileFamily.Video,
            "application/pdf" or "application/x-pdf" => FileFamily.Pdf,
            _ => null,
        };
        return family != actual.Family;
    }
}
