using SkiaSharp;

namespace CareLoop.Server.Platform.Files;

public enum ThumbnailOutcome { Created, Undecodable, TooManyPixels }

/// <summary>
/// Small JPEG previews of photos (SkiaSharp): at most <see cref="MaxSide"/> pixels on the long side, never enlarged,
/// turned upright by the photo's EXIF orientation, transparency flattened onto white. Decoding the whole image also
/// proves it is one: a file whose header looks right but that does not decode is refused.
/// </summary>
public static class Thumbnails
{
    public const int MaxSide = 320;
    public const string ContentType = "image/jpeg";
    private const int Quality = 80;

    /// <summary>Decodes <paramref name="source"/> (left open) and writes the thumbnail to <paramref name="destination"/>.</summary>
    public static ThumbnailOutcome TryCreate(Stream source, Stream destination, long maxPixels)
    {
        using var input = new SKManagedStream(source, disposeManagedStream: false);
        using var codec = SKCodec.Create(input, out var created);
        if (codec is null || created != SKCodecResult.Success || codec.Info.Width <= 0 || codec.Info.Height <= 0)
        {
            return ThumbnailOutcome.Undecodable;
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        var scale = Math.Min(1f, (float)MaxSide / Math.Max(width, height));
        // JPEG (and WebP) decoders can scale while decoding (1/2, 1/4, 1/8): a 48 MP photo decodes to 6 MP or less.
        var decoded = codec.GetScaledDimensions(scale);
        if ((long)decoded.Width * decoded.Height > maxPixels)
        {
            return ThumbnailOutcome.TooManyPixels;
        }
        var info = new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        if (codec.GetPixels(info, bitmap.GetPixels()) != SKCodecResult.Success)
        {
            return ThumbnailOutcome.Undecodable;
        }
        bitmap.SetImmutable();

        var origin = codec.EncodedOrigin;
        var swaps = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (uprightWidth, uprightHeight) = swaps ? (height, width) : (width, height);
        var thumbWidth = Math.Max(1, (int)Math.Round(uprightWidth * scale));
        var thumbHeight = Math.Max(1, (int)Math.Round(uprightHeight * scale));

        using var surface = SKSurface.Create(new SKImageInfo(thumbWidth, thumbHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var (decodedUprightWidth, decodedUprightHeight) = swaps ? (decoded.Height, decoded.Width) : (decoded.Width, decoded.Height);
        canvas.Scale((float)thumbWidth / decodedUprightWidth, (float)thumbHeight / decodedUprightHeight);
        canvas.Concat(Upright(origin, decoded.Width, decoded.Height));
        using var image = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        canvas.Flush();

        using var snapshot = surface.Snapshot();
        using var pixels = snapshot.PeekPixels();
        using var jpeg = pixels.Encode(new SKJpegEncoderOptions(Quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore));
        if (jpeg is null)
        {
            return ThumbnailOutcome.Undecodable;
        }
        jpeg.SaveTo(destination);
        return ThumbnailOutcome.Created;
    }

    /// <summary>Maps stored pixels (w × h) to upright ones, for the eight EXIF orientations.</summary>
    internal static SKMatrix Upright(SKEncodedOrigin origin, int w, int h) => origin switch
    {
        // x' = ScaleX·x + SkewX·y + TransX ; y' = SkewY·x + ScaleY·y + TransY
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
        _ => SKMatrix.Identity,
    };
}
