using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Settings;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CareLoop.Server.Tests.Platform;

public sealed class SettingsTestsSqlite(SqliteServer fixture) : SettingsTests(fixture), IClassFixture<SqliteServer>;

public sealed class SettingsTestsPostgres(PostgresServer fixture) : SettingsTests(fixture), IClassFixture<PostgresServer>;

/// <summary>
/// The settings registry through the API and the store. The settings are global to the class's database, so each
/// test changes keys no other test here reads.
/// </summary>
public abstract class SettingsTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    private static JsonNode Item(JsonNode? list, string key) =>
        Assert.Single(list!["items"]!.AsArray(), s => s!["key"]!.GetValue<string>() == key)!;

    [Fact]
    public async Task List_ShowsEverySetting_WithDefaultTypeGroupAndConstraints()
    {
        var supervisor = await Server.ClientAsync(Roles.Supervisor);

        var list = await (await supervisor.GetAsync("/api/v1/settings")).ExpectAsync(HttpStatusCode.OK);

        var keys = list!["items"]!.AsArray().Select(s => s!["key"]!.GetValue<string>()).ToList();
        Assert.Equal(
            [SettingKeys.FilesOrphanRetentionHours, SettingKeys.NotificationQuietHours, SettingKeys.OutboxMaxAttempts,
             SettingKeys.OutboxSentRetentionDays, SettingKeys.DefaultCalendar, SettingKeys.PlatformTimeZone,
             CareLoop.Server.Modules.ServiceDesk.ServiceDeskSettings.AutoCloseDays],
            keys);
        var orphans = Item(list, SettingKeys.FilesOrphanRetentionHours);
        Assert.Equal("24", orphans["value"]!.GetValue<string>());
        Assert.Equal("24", orphans["default"]!.GetValue<string>());
        Assert.True(orphans["isDefault"]!.GetValue<bool>());
        Assert.Equal("integer", orphans["type"]!.GetValue<string>());
        Assert.Equal("files", orphans["group"]!.GetValue<string>());
        Assert.Equal(1, orphans["min"]!.GetValue<int>());
        Assert.Equal(720, orphans["max"]!.GetValue<int>());
        Assert.Null(orphans["choices"]);
        var quiet = Item(list, SettingKeys.NotificationQuietHours);
        Assert.Equal("22:00-08:00", quiet["value"]!.GetValue<string>());
        Assert.Equal("time_range", quiet["type"]!.GetValue<string>());
        Assert.Null(quiet["min"]);
        Assert.Equal("cn-mainland", Item(list, SettingKeys.DefaultCalendar)["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_StoresTheValue_AndDeleteResetsToTheDefault()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        const string url = "/api/v1/settings/outbox.maxAttempts";

        var saved = await (await admin.PutJsonAsync(url, new { value = 20 })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("20", saved!["value"]!.GetValue<string>());
        Assert.False(saved["isDefault"]!.GetValue<bool>());
        Assert.NotNull(saved["updatedAt"]);
        Assert.Equal(20, await Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().GetIntAsync(SettingKeys.OutboxMaxAttempts)));

        // A string is accepted too, and normalised.
        var again = await (await admin.PutJsonAsync(url, new { value = " 07 " })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("7", again!["value"]!.GetValue<string>());
        var read = await (await admin.GetAsync(url)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("7", read!["value"]!.GetValue<string>());
        Assert.Equal(7, await Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().GetIntAsync(SettingKeys.OutboxMaxAttempts)));

        var reset = await (await admin.DeleteAsync(url)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("12", reset!["value"]!.GetValue<string>());
        Assert.True(reset["isDefault"]!.GetValue<bool>());
        Assert.Equal(12, await Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().GetIntAsync(SettingKeys.OutboxMaxAttempts)));
        Assert.False(await Server.WithDbAsync(db => db.Settings.AnyAsync(s => s.Key == SettingKeys.OutboxMaxAttempts)));
        // Resetting a setting that has its default is no error.
        await (await admin.DeleteAsync(url)).ExpectAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("outbox.maxAttempts", "0", "from 1 to 50")]
    [InlineData("outbox.maxAttempts", "51", "from 1 to 50")]
    [InlineData("outbox.maxAttempts", "\"twelve\"", "whole number")]
    [InlineData("outbox.maxAttempts", "1.5", "whole number")]
    [InlineData("outbox.maxAttempts", "null", "is required")]
    [InlineData("outbox.maxAttempts", "[]", "string, number or boolean")]
    [InlineData("outbox.sentRetentionDays", "366", "from 1 to 365")]
    [InlineData("files.orphanRetentionHours", "721", "from 1 to 720")]
    [InlineData("notifications.quietHours", "\"25:00-08:00\"", "HH:mm-HH:mm")]
    [InlineData("notifications.quietHours", "\"08:00-08:00\"", "different start and end")]
    [InlineData("platform.defaultCalendar", "\"no-such-calendar\"", "not the code of a calendar")]
    [InlineData("platform.timeZone", "\"Mars/Olympus\"", "time zone")]
    public async Task Put_RefusesAnInvalidValue_NamingValue(string key, string json, string message)
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        using var body = new StringContent($$"""{"value":{{json}}}""", Encoding.UTF8, "application/json");

        var errors = await (await admin.PutAsync($"/api/v1/settings/{key}", body)).ExpectFieldErrorAsync("value");

        Assert.Contains(message, errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownKey_Is404Problem()
    {
        var admin = await Server.ClientAsync(Roles.Admin);

        foreach (var response in new[]
        {
            await admin.GetAsync("/api/v1/settings/no.such"),
            await admin.PutJsonAsync("/api/v1/settings/no.such", new { value = "1" }),
            await admin.DeleteAsync("/api/v1/settings/no.such"),
        })
        {
            var problem = await response.ExpectAsync(HttpStatusCode.NotFound);
            Assert.Equal(404, problem!["status"]!.GetValue<int>());
            Assert.Contains("no.such", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SupervisorsRead_OnlyAdminsWrite()
    {
        var supervisor = await Server.ClientAsync(Roles.Supervisor);
        var agent = await Server.ClientAsync(Roles.Agent);

        await (await supervisor.GetAsync("/api/v1/settings/outbox.sentRetentionDays")).ExpectAsync(HttpStatusCode.OK);
        await (await supervisor.PutJsonAsync("/api/v1/settings/outbox.sentRetentionDays", new { value = 10 })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await supervisor.DeleteAsync("/api/v1/settings/outbox.sentRetentionDays")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await agent.GetAsync("/api/v1/settings")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await Server.CreateClient().GetAsync("/api/v1/settings")).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Writes_AreAudited_WithTheKeyAndOldAndNewValues()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        var me = (await (await admin.GetAsync("/api/v1/me")).ExpectAsync(HttpStatusCode.OK))!["caller"]!.GetValue<string>();
        const string url = "/api/v1/settings/outbox.sentRetentionDays";

        await (await admin.PutJsonAsync(url, new { value = 60 })).ExpectAsync(HttpStatusCode.OK);
        await (await admin.PutJsonAsync(url, new { value = 90 })).ExpectAsync(HttpStatusCode.OK);
        await (await admin.PutJsonAsync(url, new { value = 90 })).ExpectAsync(HttpStatusCode.OK);
        await (await admin.DeleteAsync(url)).ExpectAsync(HttpStatusCode.OK);

        var audit = await (await admin.GetAsync($"/api/v1/audit?entityType=PlatformSetting&entityId={SettingKeys.OutboxSentRetentionDays}&actor={me}"))
            .ExpectAsync(HttpStatusCode.OK);
        var entries = audit!["items"]!.AsArray().Reverse().Select(e => (
            Action: e!["action"]!.GetValue<string>(),
            Changes: JsonNode.Parse(e["changes"]!.GetValue<string>())!["Value"]!.ToJsonString())).ToList();
        // Saving the value it already has changes nothing and is not logged.
        Assert.Equal([("created", """[null,"60"]"""), ("updated", """["60","90"]"""), ("deleted", """["90",null]""")], entries);
    }

    [Fact]
    public async Task TypedGetters_ReadTheDefaults_AndTheTimeRangeCrossesMidnight()
    {
        var (quiet, days, zone) = await Server.InScopeAsync(async sp =>
        {
            var store = sp.GetRequiredService<SettingsStore>();
            return (await store.GetTimeRangeAsync(SettingKeys.NotificationQuietHours),
                await store.GetIntAsync(SettingKeys.FilesOrphanRetentionHours),
                await store.GetPlatformTimeZoneAsync());
        });

        Assert.Equal(new TimeRange(new TimeOnly(22, 0), new TimeOnly(8, 0)), quiet);
        Assert.True(quiet.Contains(new TimeOnly(23, 30)));
        Assert.True(quiet.Contains(new TimeOnly(7, 59)));
        Assert.False(quiet.Contains(new TimeOnly(8, 0)));
        Assert.False(quiet.Contains(new TimeOnly(12, 0)));
        Assert.Equal(24, days);
        Assert.Equal(TimeSpan.FromHours(8), zone.BaseUtcOffset);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().GetBoolAsync(SettingKeys.OutboxMaxAttempts)));
        await Assert.ThrowsAsync<KeyNotFoundException>(() =>
            Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().GetAsync("no.such")));
    }

    [Fact]
    public async Task AChangeMadeElsewhere_IsSeen_WhenTheCacheExpires()
    {
        Task<string> ReadAsync() => Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().GetAsync(SettingKeys.PlatformTimeZone));
        Assert.Equal("Asia/Shanghai", await ReadAsync());

        // Another instance writes the row: this one keeps its cached value for a few seconds.
        await Server.WithDbAsync(async db =>
        {
            db.Settings.Add(new PlatformSetting { Key = SettingKeys.PlatformTimeZone, Value = "Europe/Berlin" });
            return await db.SaveChangesAsync();
        });
        Assert.Equal("Asia/Shanghai", await ReadAsync());
        Server.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("Europe/Berlin", await ReadAsync());

        // A write through this instance is seen at once.
        Assert.Null(await Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().SetAsync(SettingKeys.PlatformTimeZone, "Asia/Tokyo")));
        Assert.Equal("Asia/Tokyo", await ReadAsync());
        Assert.True(await Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().ResetAsync(SettingKeys.PlatformTimeZone)));
        Assert.Equal("Asia/Shanghai", await ReadAsync());
    }

    [Fact]
    public async Task AStoredValue_ThatNoLongerFits_FallsBackToTheDefault()
    {
        // E.g. a release narrowed the bounds after the value was stored.
        await Server.WithDbAsync(async db =>
        {
            db.Settings.Add(new PlatformSetting { Key = SettingKeys.FilesOrphanRetentionHours, Value = "100000" });
            return await db.SaveChangesAsync();
        });
        try
        {
            Server.Clock.Advance(TimeSpan.FromSeconds(6));
            Assert.Equal(24, await Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().GetIntAsync(SettingKeys.FilesOrphanRetentionHours)));
            var shown = await (await (await Server.ClientAsync(Roles.Admin)).GetAsync("/api/v1/settings/files.orphanRetentionHours")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("24", shown!["value"]!.GetValue<string>());
            Assert.True(shown["isDefault"]!.GetValue<bool>());
        }
        finally
        {
            await Server.InScopeAsync(sp => sp.GetRequiredService<SettingsStore>().ResetAsync(SettingKeys.FilesOrphanRetentionHours));
        }
    }
}
