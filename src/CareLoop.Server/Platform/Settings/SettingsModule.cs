using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Settings;

public sealed record SettingResponse(string Key, string Value, bool IsDefault);
public sealed record SettingBody(string? Value);

/// <summary>Platform settings (default calendar, platform time zone …) with defaults and validation.</summary>
public static class SettingsModule
{
    public static IServiceCollection AddSettings(this IServiceCollection services)
    {
        services.AddScoped<SettingsStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapSettings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/settings").WithTags("Settings");
        group.MapGet("/", List).RequireAuthorization(Policies.Manage);
        group.MapPut("/{key}", Put).RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<Ok<Page<SettingResponse>>> List(SettingsStore store, CancellationToken ct)
    {
        var all = await store.AllAsync(ct);
        return TypedResults.Ok(new Page<SettingResponse>(all, null));
    }

    public static async Task<Results<Ok<SettingResponse>, ValidationProblem, NotFound>> Put(
        string key, SettingBody body, SettingsStore store, CareLoopDbContext db, CancellationToken ct)
    {
        if (!SettingKeys.Defaults.ContainsKey(key)) return TypedResults.NotFound();
        var errors = new ValidationErrors();
        if (errors.Required("value", body.Value))
        {
            if (key == SettingKeys.PlatformTimeZone && !TimeZoneInfo.TryFindSystemTimeZoneById(body.Value!, out _))
                errors.Add("value", "is not a known IANA time zone.");
            if (key == SettingKeys.DefaultCalendar && !await db.Calendars.AnyAsync(c => c.Code == body.Value, ct))
                errors.Add("value", "is not the code of a calendar.");
        }
        if (errors.Any) return Problems.Validation(errors);
        await store.SetAsync(key, body.Value!, ct);
        return TypedResults.Ok(new SettingResponse(key, body.Value!, false));
    }
}

public sealed class SettingsStore(CareLoopDbContext db, TimeProvider clock)
{
    public async Task<string> GetAsync(string key, CancellationToken ct) =>
        await db.Settings.AsNoTracking().Where(s => s.Key == key).Select(s => s.Value).SingleOrDefaultAsync(ct)
        ?? SettingKeys.Defaults[key];

    public async Task<IReadOnlyList<SettingResponse>> AllAsync(CancellationToken ct)
    {
        var stored = await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, ct);
        return SettingKeys.Defaults.Select(d => stored.TryGetValue(d.Key, out var v)
            ? new SettingResponse(d.Key, v, false) : new SettingResponse(d.Key, d.Value, true)).ToList();
    }

    public async Task SetAsync(string key, string value, CancellationToken ct)
    {
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == key, ct);
        if (row is null) db.Settings.Add(row = new PlatformSetting { Key = key });
        row.Value = value;
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }
}
