namespace CareLoop.Server.Platform.Files;

/// <summary>Upload limits, from the <c>Files</c> configuration section; checked at start-up.</summary>
public sealed class FilesOptions
{
    public const string Section = "Files";

    /// <summary>Largest accepted photo (JPEG, PNG, GIF, WebP, HEIC/HEIF), in bytes.</summary>
    public long MaxImageBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Largest accepted video (MP4, MOV, WebM), in bytes.</summary>
    public long MaxVideoBytes { get; set; } = 200 * 1024 * 1024;

    /// <summary>Largest accepted PDF, in bytes.</summary>
    public long MaxPdfBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>
    /// Largest image, in pixels after the decoder's own downscaling, that is decoded for its thumbnail
    /// (a decompression bomb claims a huge size in a tiny file). 40 megapixels take 160 MB while decoding.
    /// </summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>The limit for a kind of content.</summary>
    public long LimitFor(FileFamily family) => family switch
    {
        FileFamily.Image => MaxImageBytes,
        FileFamily.Video => MaxVideoBytes,
        _ => MaxPdfBytes,
    };

    /// <summary>The largest file any upload may carry (the request body limit is raised to this plus the form's overhead).</summary>
    public long LargestLimit => Math.Max(MaxImageBytes, Math.Max(MaxVideoBytes, MaxPdfBytes));

    internal static bool IsValid(FilesOptions o) =>
        o.MaxImageBytes > 0 && o.MaxVideoBytes > 0 && o.MaxPdfBytes > 0 && o.MaxImagePixels > 0;
}
