namespace CareLoop.Server.Platform.Api;

/// <summary>Instants are stored as UTC <see cref="DateTime"/>s; the API and UI show them as offsets.</summary>
public static class StoredInstants
{
    public static DateTimeOffset AsUtcOffset(this DateTime stored) => new(DateTime.SpecifyKind(stored, DateTimeKind.Utc));

    public static DateTimeOffset? AsUtcOffset(this DateTime? stored) => stored is { } v ? v.AsUtcOffset() : null;
}
