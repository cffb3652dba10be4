using System.Net.Http.Headers;
using System.Text;
using SkiaSharp;

namespace CareLoop.Server.Tests.Platform;

/// <summary>Small files of each kind for the upload tests, made on the spot.</summary>
internal static class FileSamples
{
    /// <summary>The 2×2 PNG the platform contract script uploads, byte for byte.</summary>
    public static readonly byte[] ContractPng = Convert.FromHexString(
        "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001149444154789c63f8cfc0004460e23f03001df003fda03309890000000049454e44ae426082");

    public static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    public static readonly byte[] Elf = [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, .. new byte[64]];

    /// <summary>An image whose left half is red and right half blue.</summary>
    public static byte[] Image(int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Blue);
            using var red = new SKPaint { Color = SKColors.Red };
            canvas.DrawRect(0, 0, width / 2f, height, red);
        }
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>A PNG whose header is right but whose pixel data is garbage.</summary>
    public static byte[] CorruptPng()
    {
        var png = Image(64, 64);
        for (var i = 41; i < png.Length - 12; i++)
        {
            png[i] = 0x5A;
        }
        return png;
    }

    /// <summary>An MP4 file's <c>ftyp</c> box followed by <paramref name="size"/> bytes in all.</summary>
    public static byte[] Mp4(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        byte[] ftyp = [0, 0, 0, 0x18, .. "ftypisom"u8, 0, 0, 2, 0, .. "isommp41"u8];
        ftyp.CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>A JPEG with an EXIF APP1 segment giving the orientation (1–8) inserted after the start marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] tiff = [(byte)'M', (byte)'M', 0, 0x2A, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var length = payload.Length + 2;
        return [.. jpeg.AsSpan(0, 2), 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload, .. jpeg.AsSpan(2)];
    }

    /// <summary>A multipart form with the file in part <c>file</c> and the optional record fields.</summary>
    public static MultipartFormDataContent Form(byte[] bytes, string name, string? contentType, string? recordType = null, string? recordId = null)
    {
        var form = new MultipartFormDataContent();
        if (recordType is not null) form.Add(new StringContent(recordType), "recordType");
        if (recordId is not null) form.Add(new StringContent(recordId), "recordId");
        var file = new ByteArrayContent(bytes);
        if (contentType is not null) file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        form.Add(file, "file", name);
        return form;
    }

    /// <summary>
    /// A form written by hand: as a plain client (the contract script, curl) sends it, with the name as it is in
    /// <c>filename</c>; or, <paramref name="encoded"/>, percent-encoded in <c>filename*</c> (RFC 5987) only.
    /// </summary>
    public static ByteArrayContent RawForm(byte[] bytes, string name, string contentType, bool encoded = false)
    {
        var boundary = "----contract" + Guid.NewGuid().ToString("N");
        var fileName = encoded ? $"filename*=UTF-8''{Uri.EscapeDataString(name)}" : $"filename=\"{name}\"";
        byte[] body =
        [
            .. Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; {fileName}\r\nContent-Type: {contentType}\r\n\r\n"),
            .. bytes,
            .. Encoding.UTF8.GetBytes($"\r\n--{boundary}--\r\n"),
        ];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        return content;
    }

    /// <summary>Decodes an image, or null when it does not decode.</summary>
    public static SKBitmap? Decode(byte[] bytes) => SKBitmap.Decode(bytes);
}
