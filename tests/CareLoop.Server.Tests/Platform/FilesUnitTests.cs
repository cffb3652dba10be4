using System.Text;
using CareLoop.Server.Platform.Files;
using SkiaSharp;

namespace CareLoop.Server.Tests.Platform;

/// <summary>The allow-list of file types, judged by content.</summary>
public sealed class FileSnifferTests
{
    private static byte[] Ascii(string s) => Encoding.Latin1.GetBytes(s);

    private static byte[] Ftyp(string brand) => [0, 0, 0, 0x18, .. Ascii("ftyp" + brand), 0, 0, 0, 0, .. Ascii("isom")];

    public static TheoryData<string, byte[], string> Recognised => new()
    {
        { "jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, .. Ascii("JFIF")], "image/jpeg" },
        { "png", FileSamples.ContractPng, "image/png" },
        { "gif87", Ascii("GIF87a\x01\0\x01\0"), "image/gif" },
        { "gif89", Ascii("GIF89a\x01\0\x01\0"), "image/gif" },
        { "webp", Ascii("RIFF\x24\0\0\0WEBPVP8 "), "image/webp" },
        { "heic", Ftyp("heic"), "image/heic" },
        { "heix", Ftyp("heix"), "image/heic" },
        { "mif1", Ftyp("mif1"), "image/heif" },
        { "isom", Ftyp("isom"), "video/mp4" },
        { "mp42", Ftyp("mp42"), "video/mp4" },
        { "qt", Ftyp("qt  "), "video/quicktime" },
        { "webm", [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, .. Ascii("webm")], "video/webm" },
        { "pdf", FileSamples.Pdf, "application/pdf" },
    };

    [Theory]
    [MemberData(nameof(Recognised))]
    public void Sniff_RecognisesAllowedTypes_ByTheirFirstBytes(string label, byte[] head, string contentType)
    {
        Assert.True(FileSniffer.Sniff(head)?.ContentType == contentType, $"{label}: got {FileSniffer.Sniff(head)?.ContentType ?? "nothing"}");
    }

    public static TheoryData<string, byte[]> Refused => new()
    {
        { "elf", FileSamples.Elf },
        { "html", Ascii("<!DOCTYPE html><script>alert(1)</script>") },
        { "svg", Ascii("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>") },
        { "zip", [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0] },
        { "exe", Ascii("MZ\x90\0\x03\0\0\0") },
        { "matroska", [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88, .. Ascii("matroska")] },
        { "avif", Ftyp("avif") },
        { "m4a audio", Ftyp("M4A ") },
        { "riff wav", Ascii("RIFF\x24\0\0\0WAVEfmt ") },
        { "truncated png", [0x89, 0x50, 0x4E, 0x47] },
        { "pdf not at start", Ascii(" %PDF-1.4") },
        { "empty", [] },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Sniff_RefusesEverythingElse(string label, byte[] head)
    {
        Assert.True(FileSniffer.Sniff(head) is null, $"{label} was taken for {FileSniffer.Sniff(head)?.ContentType}");
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData("image/png", false)]
    [InlineData("IMAGE/JPEG; charset=binary", false)]
    [InlineData("application/pdf", true)]
    [InlineData("video/mp4", true)]
    [InlineData("text/html", true)]
    public void Contradicts_OnlyWhenTheClaimNamesAnotherFamily(string? claimed, bool contradicts)
    {
        Assert.Equal(contradicts, FileSniffer.Contradicts(claimed, FileSniffer.Png));
    }
}

/// <summary>Client file names made safe to store and to send back.</summary>
public sealed class FileNamesTests
{
    [Theory]
    [InlineData("photo.png", "photo.png")]
    [InlineData("../../etc/x.png", "x.png")]
    [InlineData("..\\..\\a.png", "a.png")]
    [InlineData("C:\\Users\\wang\\Desktop\\发票 照片.PNG", "发票 照片.PNG")]
    [InlineData("a\u0000b\u0001c\u001f\u007f.png", "abc.png")]
    [InlineData("line\r\nbreak.png", "linebreak.png")]
    [InlineData("invoice\u202Egnp.exe", "invoicegnp.exe.png")]
    [InlineData("we<i>rd:na*me?|\".png", "weirdname.png")]
    [InlineData("  ..hidden.png. . ", "hidden.png")]
    [InlineData(".png", "file.png")]
    [InlineData("...", "file.png")]
    [InlineData("dir/", "file.png")]
    [InlineData("", "file.png")]
    [InlineData(null, "file.png")]
    [InlineData("page.html", "page.html.png")]
    [InlineData("screenshot", "screenshot.png")]
    public void Sanitize_KeepsTheLastSegment_WithoutDangerousCharacters(string? name, string expected)
    {
        Assert.Equal(expected, FileNames.Sanitize(name, FileSniffer.Png));
    }

    [Fact]
    public void Sanitize_CapsTheLength_KeepingTheExtension()
    {
        var name = FileNames.Sanitize(new string('长', 300) + ".jpeg", FileSniffer.Jpeg);

        Assert.Equal(FileNames.MaxLength, name.Length);
        Assert.EndsWith("长.jpeg", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_DoesNotSplitASurrogatePair_WhenCutting()
    {
        var name = FileNames.Sanitize("a" + string.Concat(Enumerable.Repeat("😀", 100)) + ".pdf", FileSniffer.Pdf);

        Assert.True(name.Length <= FileNames.MaxLength);
        Assert.EndsWith("😀.pdf", name, StringComparison.Ordinal);
        Assert.Equal(name, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(name)));
    }
}

/// <summary>Thumbnails made with SkiaSharp.</summary>
public sealed class ThumbnailsTests
{
    private static (ThumbnailOutcome Outcome, SKBitmap? Thumbnail) Make(byte[] image, long maxPixels = 40_000_000)
    {
        using var source = new MemoryStream(image);
        using var target = new MemoryStream();
        var outcome = Thumbnails.TryCreate(source, target, maxPixels);
        return (outcome, outcome == ThumbnailOutcome.Created ? SKBitmap.Decode(target.ToArray()) : null);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, 1000, 500, 320, 160)]
    [InlineData(SKEncodedImageFormat.Jpeg, 300, 1200, 80, 320)]
    [InlineData(SKEncodedImageFormat.Webp, 640, 640, 320, 320)]
    [InlineData(SKEncodedImageFormat.Png, 100, 40, 100, 40)]
    public void Thumbnail_FitsIn320Pixels_AndIsNeverEnlarged(SKEncodedImageFormat format, int width, int height, int thumbWidth, int thumbHeight)
    {
        var (outcome, thumbnail) = Make(FileSamples.Image(width, height, format));

        Assert.Equal(ThumbnailOutcome.Created, outcome);
        using (thumbnail)
        {
            Assert.Equal((thumbWidth, thumbHeight), (thumbnail!.Width, thumbnail.Height));
        }
    }

    [Fact]
    public void Thumbnail_OfTheContract2x2Png_IsMade()
    {
        var (outcome, thumbnail) = Make(FileSamples.ContractPng);

        Assert.Equal(ThumbnailOutcome.Created, outcome);
        using (thumbnail)
        {
            Assert.Equal((2, 2), (thumbnail!.Width, thumbnail.Height));
        }
    }

    [Fact]
    public void Thumbnail_IsTurnedUpright_ByTheExifOrientation()
    {
        // Stored 400×200, red on the left; orientation 6 means "rotate 90° clockwise to view": red ends up on top.
        var jpeg = FileSamples.WithExifOrientation(FileSamples.Image(400, 200, SKEncodedImageFormat.Jpeg), 6);

        var (outcome, thumbnail) = Make(jpeg);

        Assert.Equal(ThumbnailOutcome.Created, outcome);
        using (thumbnail)
        {
            Assert.Equal((160, 320), (thumbnail!.Width, thumbnail.Height));
            var top = thumbnail.GetPixel(80, 40);
            var bottom = thumbnail.GetPixel(80, 280);
            Assert.True(top.Red > 200 && top.Blue < 60, $"top is {top}");
            Assert.True(bottom.Blue > 200 && bottom.Red < 60, $"bottom is {bottom}");
        }
    }

    [Fact]
    public void Thumbnail_OfAnImageThatDoesNotDecode_IsRefused()
    {
        Assert.Equal(ThumbnailOutcome.Undecodable, Make(FileSamples.CorruptPng()).Outcome);
        Assert.Equal(ThumbnailOutcome.Undecodable, Make(FileSamples.ContractPng[..40]).Outcome);
    }

    [Fact]
    public void Thumbnail_OfTooManyPixels_IsRefused_BeforeDecoding()
    {
        Assert.Equal(ThumbnailOutcome.TooManyPixels, Make(FileSamples.Image(1200, 1000), maxPixels: 1_000_000).Outcome);
    }
}
