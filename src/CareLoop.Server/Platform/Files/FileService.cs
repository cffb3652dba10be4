using System.Buffers;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CareLoop.Server.Platform.Files;

/// <summary>Why an upload was refused: the status, the form field at fault, and what to do about it.</summary>
public sealed record UploadRejection(int Status, string Field, string Message, long? Limit = null);

/// <summary>The stored file, or why there is none.</summary>
public sealed record UploadResult(StoredFile? File, UploadRejection? Rejection);

/// <summary>
/// Receives uploads (streamed: a multipart section is copied to a temporary file while it is counted and hashed, and
/// refused as soon as it passes its limit), stores them behind <see cref="IFileStore"/>, and finds files for callers
/// allowed to read them. Nothing partial is left when an upload fails: the temporary file is deleted on close, stored
/// content is removed when the row cannot be saved.
/// </summary>
public sealed class FileService(
    CareLoopDbContext db, IFileStore store, FileRecordAccess access, IOptions<FilesOptions> options,
    ServerOptions server, TimeProvider clock, ILogger<FileService> log)
{
    /// <summary>Room for the multipart boundaries, part headers and the record fields around the file.</summary>
    public const long FormOverhead = 1024 * 1024;
    private const int MaxParts = 10;
    private const int MaxFieldBytes = 1024;
    private const int BufferSize = 81920;

    /// <summary>Where uploads are received before they are checked and stored.</summary>
    public string TempFolder { get; } = Path.Combine(Path.GetFullPath(server.DataFolder), "tmp", "uploads");

    /// <summary>Reads a <c>multipart/form-data</c> upload (part <c>file</c>, optional fields <c>recordType</c>, <c>recordId</c>) and stores it.</summary>
    public async Task<UploadResult> UploadAsync(HttpRequest request, ClaimsPrincipal user, CancellationToken ct)
    {
        var limits = options.Value;
        // Kestrel's global limit (16 MB) is for JSON; this endpoint takes files up to the largest configured limit.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = limits.LargestLimit + FormOverhead;
        }
        UploadForm? form = null;
        try
        {
            form = await ReadFormAsync(request, limits, ct);
            var received = form.File ?? throw Reject(400, "file", "is required: send the file in a multipart/form-data part named 'file'.");
            await CheckRecordAsync(form, ct);
            using var thumbnail = received.Type.HasThumbnail ? MakeThumbnail(received, limits) : null;
            var file = await StoreAsync(received, thumbnail, form, user, ct);
            FilesLog.Stored(log, file.Id, file.ContentType, file.Size);
            return new UploadResult(file, null);
        }
        catch (UploadRejectedException e)
        {
            FilesLog.Refused(log, e.Rejection.Status, e.Rejection.Field, e.Rejection.Message);
            return new UploadResult(null, e.Rejection);
        }
        finally
        {
            if (form?.File is { } received)
            {
                await received.DisposeAsync();
            }
        }
    }

    /// <summary>The file when it exists and the caller may read it; null otherwise (the two are not told apart).</summary>
    public async Task<StoredFile?> FindReadableAsync(Guid id, ClaimsPrincipal user, CancellationToken ct)
    {
        var file = await db.Files.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct);
        return file is not null && await access.CanReadAsync(file, user, ct) ? file : null;
    }

    /// <summary>The content of a file the caller may read; null when the store has lost it (logged).</summary>
    public async Task<Stream?> OpenAsync(StoredFile file, string key, CancellationToken ct)
    {
        var stream = await store.OpenReadAsync(key, ct);
        if (stream is null)
        {
            FilesLog.ContentMissing(log, file.Id, key);
        }
        return stream;
    }

    /// <summary>
    /// Deletes files attached to no record and created before <paramref name="olderThanUtc"/> (uploads whose ticket,
    /// return or claim was never submitted): rows first, then their content. Also removes temporary upload files
    /// left by a crash that were last written before that instant. Returns the number of files deleted.
    /// </summary>
    public async Task<int> DeleteOrphansAsync(DateTime olderThanUtc, CancellationToken ct)
    {
        var deleted = 0;
        while (true)
        {
            var batch = await db.Files
                .Where(f => f.RecordType == null && f.CreatedAt < olderThanUtc)
                .OrderBy(f => f.CreatedAt).Take(100).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }
            db.RemoveRange(batch);
            await db.SaveChangesAsync(ct);
            foreach (var file in batch)
            {
                await store.DeleteAsync(file.StorageKey, ct);
                if (file.ThumbnailKey is { } thumb)
                {
                    await store.DeleteAsync(thumb, ct);
                }
            }
            deleted += batch.Count;
        }
        if (Directory.Exists(TempFolder))
        {
            foreach (var stale in new DirectoryInfo(TempFolder).EnumerateFiles().Where(f => f.LastWriteTimeUtc < olderThanUtc))
            {
                try
                {
                    stale.Delete();
                }
                catch (IOException)
                {
                    // Still open: an upload in progress.
                }
            }
        }
        FilesLog.OrphansDeleted(log, deleted, olderThanUtc);
        return deleted;
    }

    private sealed class UploadForm
    {
        public ReceivedFile? File { get; set; }
        public string? RecordType { get; set; }
        public string? RecordId { get; set; }
    }

    /// <summary>An upload received into a temporary file that is deleted when this is disposed.</summary>
    private sealed class ReceivedFile(FileType type, string name, FileStream content) : IAsyncDisposable
    {
        public FileType Type { get; } = type;
        public string Name { get; } = name;
        public FileStream Content { get; } = content;
        public long Size { get; set; }
        public string Sha256 { get; set; } = "";

        public ValueTask DisposeAsync() => Content.DisposeAsync();
    }

    private sealed class UploadRejectedException(UploadRejection rejection) : Exception(rejection.Message)
    {
        public UploadRejection Rejection { get; } = rejection;
    }

    private static UploadRejectedException Reject(int status, string field, string message, long? limit = null) =>
        new(new UploadRejection(status, field, message, limit));

    private static UploadRejectedException Malformed() =>
        Reject(400, "file", "The multipart/form-data body is malformed or was cut short.");

    private async Task<UploadForm> ReadFormAsync(HttpRequest request, FilesOptions limits, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw Reject(415, "file", "Send the file as multipart/form-data, in a part named 'file'.");
        }
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 70)
        {
            throw Reject(400, "file", "The multipart/form-data content type has no valid boundary.");
        }
        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
        var form = new UploadForm();
        try
        {
            var parts = 0;
            while (await NextSectionAsync(reader, ct) is { } section)
            {
                if (++parts > MaxParts)
                {
                    throw Reject(400, "file", $"The form may have at most {MaxParts} parts.");
                }
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (disposition.IsFileDisposition())
                {
                    if (name != "file" || form.File is not null)
                    {
                        throw Reject(400, "file", "Send one file per upload, in the part named 'file'.");
                    }
                    form.File = await ReceiveAsync(section, disposition, limits, ct);
                }
                else if (name == "recordType")
                {
                    form.RecordType = await ReadFieldAsync(section, name, FileRecordAccess.MaxRecordTypeLength, ct);
                }
                else if (name == "recordId")
                {
                    form.RecordId = await ReadFieldAsync(section, name, FileRecordAccess.MaxRecordIdLength, ct);
                }
            }
            return form;
        }
        catch
        {
            if (form.File is not null)
            {
                await form.File.DisposeAsync();
            }
            throw;
        }
    }

    private async Task<ReceivedFile> ReceiveAsync(MultipartSection section, ContentDispositionHeaderValue disposition, FilesOptions limits, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var headLength = 0;
            int read;
            while (headLength < FileSniffer.HeadLength
                   && (read = await ReadAsync(section.Body, buffer.AsMemory(headLength, FileSniffer.HeadLength - headLength), ct)) > 0)
            {
                headLength += read;
            }
            if (headLength == 0)
            {
                throw Reject(400, "file", "is empty.");
            }
            var type = FileSniffer.Sniff(buffer.AsSpan(0, headLength))
                ?? throw Reject(415, "file", $"is not a {FileSniffer.AllowedDescription} file (judged by its content, not its name or declared type).");
            if (FileSniffer.Contradicts(section.ContentType, type))
            {
                throw Reject(415, "file", $"is declared as {section.ContentType} but its content is {type.ContentType}.");
            }
            var limit = limits.LimitFor(type.Family);
            var clientName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
            Directory.CreateDirectory(TempFolder);
            var received = new ReceivedFile(type, FileNames.Sanitize(clientName, type), new FileStream(
                Path.Combine(TempFolder, $"{Guid.NewGuid():N}.upload"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                BufferSize, FileOptions.Asynchronous | FileOptions.DeleteOnClose));
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long size = 0;
                for (read = headLength; read > 0; read = await ReadAsync(section.Body, buffer, ct))
                {
                    size += read;
                    if (size > limit)
                    {
                        throw Reject(413, "file", $"is larger than the limit for {type.Family.ToString().ToLowerInvariant()} files ({Describe(limit)}).", limit);
                    }
                    hash.AppendData(buffer, 0, read);
                    await received.Content.WriteAsync(buffer.AsMemory(0, read), ct);
                }
                await received.Content.FlushAsync(ct);
                received.Size = size;
                received.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
                return received;
            }
            catch
            {
                await received.DisposeAsync();
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A short text field (trimmed; empty means absent).</summary>
    private static async Task<string?> ReadFieldAsync(MultipartSection section, string name, int maxLength, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await ReadAsync(section.Body, buffer.AsMemory(length), ct)) > 0)
        {
            length += read;
        }
        var value = Encoding.UTF8.GetString(buffer, 0, length).Trim();
        if (length > MaxFieldBytes || value.Length > maxLength)
        {
            throw Reject(400, name, $"must be at most {maxLength} characters.");
        }
        return value.Length == 0 ? null : value;
    }

    private async Task CheckRecordAsync(UploadForm form, CancellationToken ct)
    {
        if (form.RecordType is null)
        {
            if (form.RecordId is not null)
            {
                throw Reject(400, "recordType", "is required with recordId.");
            }
            return;
        }
        var rule = access.RuleFor(form.RecordType)
            ?? throw Reject(400, "recordType", $"is not a record type files can be attached to ({string.Join(", ", access.RecordTypes.Order(StringComparer.Ordinal))}).");
        if (form.RecordId is null)
        {
            throw Reject(400, "recordId", "is required with recordType.");
        }
        if (!await rule.CanSeeAsync(form.RecordId, ct))
        {
            // Someone else's record and one that does not exist answer alike.
            throw Reject(404, "recordId", $"No {form.RecordType} '{form.RecordId}'.");
        }
    }

    private static MemoryStream MakeThumbnail(ReceivedFile received, FilesOptions limits)
    {
        received.Content.Position = 0;
        var thumbnail = new MemoryStream();
        var outcome = Thumbnails.TryCreate(received.Content, thumbnail, limits.MaxImagePixels);
        if (outcome == ThumbnailOutcome.Created)
        {
            return thumbnail;
        }
        thumbnail.Dispose();
        throw outcome == ThumbnailOutcome.TooManyPixels
            ? Reject(413, "file", $"has more pixels than can be processed ({limits.MaxImagePixels} at most).", limits.MaxImagePixels)
            : Reject(415, "file", $"is not a valid {received.Type.ContentType} image: it does not decode.");
    }

    private async Task<StoredFile> StoreAsync(ReceivedFile received, MemoryStream? thumbnail, UploadForm form, ClaimsPrincipal user, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var file = new StoredFile
        {
            Name = received.Name, ContentType = received.Type.ContentType, Size = received.Size, Sha256 = received.Sha256,
            RecordType = form.RecordType, RecordId = form.RecordId, CreatedAt = now,
        };
        // The key comes from the id and the date, never from the client's name.
        file.StorageKey = string.Create(CultureInfo.InvariantCulture, $"{now:yyyy}/{now:MM}/{file.Id}");
        access.StampUploader(file, user);
        var stored = new List<string>();
        try
        {
            received.Content.Position = 0;
            await store.SaveAsync(file.StorageKey, received.Content, ct);
            stored.Add(file.StorageKey);
            if (thumbnail is not null)
            {
                file.ThumbnailKey = file.StorageKey + ".thumb";
                thumbnail.Position = 0;
                await store.SaveAsync(file.ThumbnailKey, thumbnail, ct);
                stored.Add(file.ThumbnailKey);
            }
            db.Add(file);
            await db.SaveChangesAsync(ct);
            return file;
        }
        catch
        {
            db.Entry(file).State = EntityState.Detached;
            foreach (var key in stored)
            {
                await store.DeleteAsync(key, CancellationToken.None);
            }
            throw;
        }
    }

    /// <summary>Reads the request body; a broken body is the client's fault (400), a too large one Kestrel's (413).</summary>
    private static async Task<int> ReadAsync(Stream body, Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            return await body.ReadAsync(buffer, ct);
        }
        catch (Exception e) when (e is InvalidDataException || (e is IOException and not BadHttpRequestException && !ct.IsCancellationRequested))
        {
            throw Malformed();
        }
    }

    private static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken ct)
    {
        try
        {
            return await reader.ReadNextSectionAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException || (e is IOException and not BadHttpRequestException && !ct.IsCancellationRequested))
        {
            throw Malformed();
        }
    }

    private static string Describe(long bytes) => bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)} MB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
}
