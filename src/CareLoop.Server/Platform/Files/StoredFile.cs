using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CareLoop.Server.Platform.Files;

/// <summary>
/// An uploaded file: its metadata, where its content is stored (keyed by its id, never by its name), the record it
/// belongs to (if any) and who uploaded it. The content never changes; a new version is a new file.
/// </summary>
public sealed class StoredFile
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>The sanitised name the client gave (see <see cref="FileNames"/>).</summary>
    public string Name { get; set; } = "";

    /// <summary>The media type found in the content (see <see cref="FileSniffer"/>), not the one claimed.</summary>
    public string ContentType { get; set; } = "";

    public long Size { get; set; }

    /// <summary>SHA-256 of the content, lowercase hex; also the ETag of the content.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>The content's key in the <see cref="IFileStore"/>.</summary>
    public string StorageKey { get; set; } = "";

    /// <summary>The thumbnail's key (JPEG), for images that have one.</summary>
    public string? ThumbnailKey { get; set; }

    /// <summary>The kind of record the file belongs to (<c>order</c>, later <c>ticket</c>, <c>return</c> …); null while unattached.</summary>
    public string? RecordType { get; set; }

    /// <summary>The record's id as the API names it (an order's number).</summary>
    public string? RecordId { get; set; }

    /// <summary>The user who uploaded it (UI sign-in), or null for an API key.</summary>
    public Guid? UploaderUserId { get; set; }

    /// <summary>The API key that uploaded it (its key id), or null for a user.</summary>
    public string? UploaderApiKeyId { get; set; }

    /// <summary>The merchant the uploader was bound to, if any.</summary>
    public Guid? UploaderMerchantId { get; set; }

    /// <summary>The customer the uploader was bound to, if any.</summary>
    public Guid? UploaderCustomerId { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> b)
    {
        b.Property(x => x.Name).HasMaxLength(FileNames.MaxLength);
        b.Property(x => x.ContentType).HasMaxLength(100);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.StorageKey).HasMaxLength(200);
        b.Property(x => x.ThumbnailKey).HasMaxLength(200);
        b.Property(x => x.RecordType).HasMaxLength(FileRecordAccess.MaxRecordTypeLength);
        b.Property(x => x.RecordId).HasMaxLength(FileRecordAccess.MaxRecordIdLength);
        b.Property(x => x.UploaderApiKeyId).HasMaxLength(32);
        b.HasIndex(x => new { x.RecordType, x.RecordId });
        b.HasIndex(x => x.CreatedAt);
    }
}
