using System.Text.Json;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CareLoop.Server.Platform.Settings;

/// <summary>The new value: a string, or a number or boolean for settings of those types.</summary>
public sealed record SettingBody(JsonElement? Value);

/// <summary>
/// The settings registry: modules add <see cref="SettingDefinition"/>s with <c>services.AddSetting(…)</c>; admins
/// read and change them through <c>/api/v1/settings</c> and the settings page.
/// </summary>
public static class SettingsModule
{
    public static IServiceCollection AddSettings(this IServiceCollection services)
    {
        services.AddSingleton<SettingsCatalog>();
        services.AddSingleton<SettingsCache>();
        services.AddScoped<SettingsStore>();

        services.AddSetting(new SettingDefinition(SettingKeys.PlatformTimeZone, SettingType.Text, "Asia/Shanghai", "platform")
        {
            MaxLength = 100,
            Validator = (value, _, _) => Task.FromResult(TimeZoneInfo.TryFindSystemTimeZoneById(value, out _)
                ? null
                : SettingError.Of("time_zone", "is not a known IANA time zone.")),
        });
        services.AddSetting(new SettingDefinition(SettingKeys.NotificationQuietHours, SettingType.TimeRange, "22:00-08:00", "notifications"));
        services.AddSetting(new SettingDefinition(SettingKeys.OutboxMaxAttempts, SettingType.Integer, "12", "outbox") { Min = 1, Max = 50 });
        services.AddSetting(new SettingDefinition(SettingKeys.OutboxSentRetentionDays, SettingType.Integer, "30", "outbox") { Min = 1, Max = 365 });
        services.AddSetting(new SettingDefinition(SettingKeys.FilesOrphanRetentionHours, SettingType.Integer, "24", "files") { Min = 1, Max = 720 });
        return services;
    }

    public static IEndpointRouteBuilder MapSettings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/settings").WithTags("Settings");
        group.MapGet("/", List).RequireAuthorization(Policies.Manage);
        group.MapGet("/{key}", Get).RequireAuthorization(Policies.Manage);
        group.MapPut("/{key}", Put).RequireAuthorization(Policies.Admin);
        group.MapDelete("/{key}", Reset).RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<Ok<Page<SettingResponse>>> List(SettingsStore store, CancellationToken ct) =>
        TypedResults.Ok(new Page<SettingResponse>(await store.AllAsync(ct), null));

    public static async Task<Results<Ok<SettingResponse>, NotFound<ProblemDetails>>> Get(string key, SettingsStore store, CancellationToken ct) =>
        store.Catalog.Find(key) is null ? Unknown(key) : TypedResults.Ok(await store.DescribeAsync(key, ct));

    public static async Task<Results<Ok<SettingResponse>, ValidationProblem, NotFound<ProblemDetails>>> Put(
        string key, SettingBody body, SettingsStore store, CancellationToken ct)
    {
        if (store.Catalog.Find(key) is null)
        {
            return Unknown(key);
        }
        var value = body.Value;
        if (value is { ValueKind: JsonValueKind.Array or JsonValueKind.Object })
        {
            return Problems.Validation("value", "must be a string, number or boolean.");
        }
        var text = value?.ValueKind switch
        {
            JsonValueKind.String => value.Value.GetString(),
            JsonValueKind.Number => value.Value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        if (await store.SetAsync(key, text, ct) is { } error)
        {
            return Problems.Validation("value", error.Message);
        }
        return TypedResults.Ok(await store.DescribeAsync(key, ct));
    }

    public static async Task<Results<Ok<SettingResponse>, NotFound<ProblemDetails>>> Reset(string key, SettingsStore store, CancellationToken ct)
    {
        if (store.Catalog.Find(key) is null)
        {
            return Unknown(key);
        }
        await store.ResetAsync(key, ct);
        return TypedResults.Ok(await store.DescribeAsync(key, ct));
    }

    private static NotFound<ProblemDetails> Unknown(string key) => Problems.NotFound($"No setting '{key}'.");
}
