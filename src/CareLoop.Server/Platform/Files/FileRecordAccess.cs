using System.Security.Claims;
using CareLoop.Server.Platform.Auth;

namespace CareLoop.Server.Platform.Files;

/// <summary>
/// Decides whether the current caller may see records of one type, so files attached to such a record are served
/// to them and they may attach files to it. Modules register one per record type they own (scoped, so it sees the
/// request's <see cref="CallerScope"/> through the DbContext's query filters):
/// <c>services.AddScoped&lt;IFileRecordAccess, TicketFileAccess&gt;()</c>.
/// </summary>
public interface IFileRecordAccess
{
    /// <summary>The record type as the API names it: lowercase, e.g. <c>order</c>.</summary>
    string RecordType { get; }

    /// <summary>True when the record exists and the current caller may see it.</summary>
    Task<bool> CanSeeAsync(string recordId, CancellationToken ct);
}

/// <summary>Who may read a stored file: staff, its uploader, or whoever may see the record it belongs to.</summary>
public sealed class FileRecordAccess(IEnumerable<IFileRecordAccess> rules, CallerScope scope)
{
    public const int MaxRecordTypeLength = 40;
    public const int MaxRecordIdLength = 100;

    /// <summary>Staff who handle evidence for every merchant and may read any file.</summary>
    public static readonly IReadOnlyList<string> StaffReaders = [Roles.Admin, Roles.Supervisor, Roles.Agent];

    private readonly Dictionary<string, IFileRecordAccess> _rules = rules.ToDictionary(r => r.RecordType, StringComparer.Ordinal);

    /// <summary>The record types files can be attached to.</summary>
    public IReadOnlyCollection<string> RecordTypes => _rules.Keys;

    public IFileRecordAccess? RuleFor(string recordType) => _rules.GetValueOrDefault(recordType);

    /// <summary>The uploader fields of a new file: the principal and the merchant or customer it is bound to.</summary>
    public void StampUploader(StoredFile file, ClaimsPrincipal user)
    {
        file.UploaderApiKeyId = user.FindFirstValue(CareLoopClaims.ApiKeyId);
        file.UploaderUserId = file.UploaderApiKeyId is null && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
        file.UploaderMerchantId = Bound(scope.MerchantId);
        file.UploaderCustomerId = Bound(scope.CustomerId);
    }

    /// <summary>
    /// True for staff (<see cref="StaffReaders"/>), the uploader (the same user or key, or a caller bound to the same
    /// customer or merchant), and callers who may see the file's record.
    /// </summary>
    public async Task<bool> CanReadAsync(StoredFile file, ClaimsPrincipal user, CancellationToken ct)
    {
        if (StaffReaders.Any(user.IsInRole))
        {
            return true;
        }
        var keyId = user.FindFirstValue(CareLoopClaims.ApiKeyId);
        if (keyId is not null ? file.UploaderApiKeyId == keyId
            : file.UploaderUserId is { } uploader && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId) && uploader == userId)
        {
            return true;
        }
        if ((Bound(scope.CustomerId) is { } customer && file.UploaderCustomerId == customer)
            || (Bound(scope.MerchantId) is { } merchant && file.UploaderMerchantId == merchant))
        {
            return true;
        }
        return file is { RecordType: { } type, RecordId: { } record }
            && RuleFor(type) is { } rule
            && await rule.CanSeeAsync(record, ct);
    }

    /// <summary>A scope bound to nothing (a merchant or customer role without its binding) matches no one.</summary>
    private static Guid? Bound(Guid? id) => id is { } g && g != Guid.Empty ? g : null;
}
