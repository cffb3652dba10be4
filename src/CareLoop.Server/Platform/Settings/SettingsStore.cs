using System.Globalization;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Settings;

/// <summary>A setting as the API and the settings page show it.</summary>
/// <param name="Value">The value in force (the default while none is stored).</param>
/// <param name="IsDefault">No value is stored: the default applies, and follows it when a release changes it.</param>
/// <param name="Min">Bounds of number settings, else null.</param>
/// <param name="Choices">Allowed values of choice settings, else null.</param>
public sealed record SettingResponse(
    string Key, string Value, string Default, bool IsDefault, SettingType Type, string Group,
    int? Min, int? Max, IReadOnlyList<string>? Choices, DateTimeOffset? UpdatedAt);

/// <summary>
/// Reads and writes settings. Reads go through a short per-process cache (<c>Settings:CacheSeconds</c>, 5 s by
/// default) that a write on this instance clears at once; other instances see the change when their cache expires.
/// Writes are validated (type rules, then the definition's validator) and audited.
/// </summary>
public sealed class SettingsStore(
    CareLoopDbContext db, SettingsCatalog catalog, SettingsCache cache, IServiceProvider services, TimeProvider clock,
    ILogger<SettingsStore> log)
{
    public SettingsCatalog Catalog => catalog;

    /// <summary>The value in force as text (normalised).</summary>
    /// <exception cref="KeyNotFoundException">The key is not registered.</exception>
    public async Task<string> GetAsync(string key, CancellationToken ct = default)
    {
        var definition = catalog.Get(key);
        var stored = await cache.GetAsync(LoadAsync, ct);
        return InForce(definition, stored.GetValueOrDefault(key)).Value;
    }

    public async Task<int> GetIntAsync(string key, CancellationToken ct = default) =>
        int.Parse(await GetTypedAsync(key, SettingType.Integer, ct), CultureInfo.InvariantCulture);

    public async Task<bool> GetBoolAsync(string key, CancellationToken ct = default) =>
        await GetTypedAsync(key, SettingType.Boolean, ct) == "true";

    public async Task<TimeSpan> GetDurationAsync(string key, CancellationToken ct = default) =>
        TimeSpan.FromMinutes(int.Parse(await GetTypedAsync(key, SettingType.DurationMinutes, ct), CultureInfo.InvariantCulture));

    public async Task<TimeRange> GetTimeRangeAsync(string key, CancellationToken ct = default) =>
        TimeRange.TryParse(await GetTypedAsync(key, SettingType.TimeRange, ct), out var range)
            ? range
            : throw new InvalidOperationException($"Setting '{key}' holds no time range.");

    /// <summary>The platform time zone (<see cref="SettingKeys.PlatformTimeZone"/>).</summary>
    public async Task<TimeZoneInfo> GetPlatformTimeZoneAsync(CancellationToken ct = default) =>
        TimeZoneInfo.FindSystemTimeZoneById(await GetAsync(SettingKeys.PlatformTimeZone, ct));

    private async Task<string> GetTypedAsync(string key, SettingType type, CancellationToken ct)
    {
        var definition = catalog.Get(key);
        if (definition.Type != type)
        {
            throw new InvalidOperationException($"Setting '{key}' is {definition.Type}, not {type}.");
        }
        return await GetAsync(key, ct);
    }

    /// <summary>Every registered setting with its value in force, by group and key (read from the database, not the cache).</summary>
    public async Task<IReadOnlyList<SettingResponse>> AllAsync(CancellationToken ct = default)
    {
        var rows = await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, ct);
        return catalog.All.Select(d => Describe(d, rows.GetValueOrDefault(d.Key))).ToList();
    }

    /// <exception cref="KeyNotFoundException">The key is not registered.</exception>
    public async Task<SettingResponse> DescribeAsync(string key, CancellationToken ct = default)
    {
        var definition = catalog.Get(key);
        return Describe(definition, await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == key, ct));
    }

    /// <summary>Validates and stores a value; returns why it was refused, or null when it was saved.</summary>
    /// <exception cref="KeyNotFoundException">The key is not registered.</exception>
    public async Task<SettingError?> SetAsync(string key, string? value, CancellationToken ct = default)
    {
        var definition = catalog.Get(key);
        if (SettingValues.Check(definition, value, out var normalized) is { } error)
        {
            return error;
        }
        if (definition.Validator is { } validator && await validator(normalized, services, ct) is { } refused)
        {
            return refused;
        }
        // Two first writes of one key may race to insert its row: the loser updates the winner's row instead.
        for (var attempt = 1; ; attempt++)
        {
            var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == key, ct);
            if (row is null)
            {
                db.Settings.Add(row = new PlatformSetting { Key = key });
            }
            else if (row.Value == normalized)
            {
                return null;
            }
            row.Value = normalized;
            row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            try
            {
                await db.SaveChangesAsync(ct);
                break;
            }
            catch (DbUpdateException) when (attempt == 1 && db.Entry(row).State == EntityState.Added)
            {
                db.ChangeTracker.Clear();
            }
        }
        cache.Invalidate();
        PlatformLog.SettingChanged(log, key, normalized);
        return null;
    }

    /// <summary>Removes the stored value so the default applies again; true when there was one.</summary>
    /// <exception cref="KeyNotFoundException">The key is not registered.</exception>
    public async Task<bool> ResetAsync(string key, CancellationToken ct = default)
    {
        catalog.Get(key);
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == key, ct);
        if (row is null)
        {
            return false;
        }
        db.Settings.Remove(row);
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        PlatformLog.SettingReset(log, key);
        return true;
    }

    private async Task<IReadOnlyDictionary<string, string>> LoadAsync(CancellationToken ct) =>
        await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, StringComparer.Ordinal, ct);

    /// <summary>The stored value when it is still valid (a release may have narrowed the bounds), else the default.</summary>
    private (string Value, bool IsDefault) InForce(SettingDefinition definition, string? stored)
    {
        if (stored is null)
        {
            return (definition.DefaultValue, true);
        }
        if (SettingValues.Check(definition, stored, out var normalized) is null)
        {
            return (normalized, false);
        }
        PlatformLog.SettingInvalid(log, definition.Key, stored);
        return (definition.DefaultValue, true);
    }

    private SettingResponse Describe(SettingDefinition d, PlatformSetting? row)
    {
        var (value, isDefault) = InForce(d, row?.Value);
        return new SettingResponse(
            d.Key, value, d.DefaultValue, isDefault, d.Type, d.Group,
            d.IsNumber ? SettingValues.MinOf(d) : null, d.IsNumber ? SettingValues.MaxOf(d) : null,
            d.Type == SettingType.Choice ? d.Choices : null,
            isDefault ? null : row?.UpdatedAt.AsUtcOffset());
    }
}

/// <summary>
/// All stored setting values of this process, loaded together and kept for <c>Settings:CacheSeconds</c> (5 s by
/// default). A write here clears it; a load that started before the write does not put its older values back.
/// </summary>
public sealed class SettingsCache(TimeProvider clock, IConfiguration configuration)
{
    private readonly Lock _lock = new();
    private IReadOnlyDictionary<string, string>? _values;
    private DateTimeOffset _expires;
    private long _generation;

    private TimeSpan Lifetime => TimeSpan.FromSeconds(configuration.GetValue("Settings:CacheSeconds", 5));

    public async Task<IReadOnlyDictionary<string, string>> GetAsync(
        Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>> load, CancellationToken ct)
    {
        long generation;
        lock (_lock)
        {
            if (_values is not null && clock.GetUtcNow() < _expires)
            {
                return _values;
            }
            generation = _generation;
        }
        var values = await load(ct);
        lock (_lock)
        {
            if (generation == _generation)
            {
                _values = values;
                _expires = clock.GetUtcNow() + Lifetime;
            }
        }
        return values;
    }

    public void Invalidate()
    {
        lock (_lock)
        {
            _generation++;
            _values = null;
        }
    }
}
