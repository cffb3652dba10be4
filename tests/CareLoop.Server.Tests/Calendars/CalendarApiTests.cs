using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;

namespace CareLoop.Server.Tests.Calendars;

public sealed class CalendarApiTestsSqlite(SqliteServer fixture) : CalendarApiTests(fixture), IClassFixture<SqliteServer>;

public sealed class CalendarApiTestsPostgres(PostgresServer fixture) : CalendarApiTests(fixture), IClassFixture<PostgresServer>;

/// <summary>The calendars API: create, read, replace, business-time arithmetic and its bad input.</summary>
public abstract class CalendarApiTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    private static readonly string[] Weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"];

    private static object Office(string code, string[]? holidays = null, object[]? extra = null) => new
    {
        code, name = "Office " + code, timeZone = "Asia/Shanghai",
        weekly = Weekdays.ToDictionary(d => d, _ => new[] { new[] { "09:00", "12:00" }, new[] { "13:00", "18:00" } }),
        holidays = holidays ?? ["2026-05-01"],
        extraWorkdays = extra ?? [new { date = "2026-05-09" }],
    };

    private static string NewCode() => "cal-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(HttpClient Client, string Id)> CreateAsync(object? body = null)
    {
        var client = await Server.ClientAsync(Roles.Admin);
        var created = await (await client.PostJsonAsync("/api/v1/calendars", body ?? Office(NewCode()))).ExpectAsync(HttpStatusCode.Created);
        return (client, created!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_Returns201WithLocationAndTheFullCalendar()
    {
        var client = await Server.ClientAsync(Roles.Supervisor);
        var code = NewCode();
        var response = await client.PostJsonAsync("/api/v1/calendars", Office(code));
        var body = await response.ExpectAsync(HttpStatusCode.Created);

        var id = body!["id"]!.GetValue<string>();
        Assert.Equal($"/api/v1/calendars/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal(code, body["code"]!.GetValue<string>());
        Assert.Equal("Asia/Shanghai", body["timeZone"]!.GetValue<string>());
        Assert.Equal("13:00", body["weekly"]!["monday"]![1]![0]!.GetValue<string>());
        Assert.Equal("2026-05-01", body["holidays"]![0]!.GetValue<string>());
        Assert.Equal("2026-05-09", body["extraWorkdays"]![0]!["date"]!.GetValue<string>());

        var fetched = await (await client.GetAsync($"/api/v1/calendars/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(code, fetched!["code"]!.GetValue<string>());
        var byCode = await (await client.GetAsync($"/api/v1/calendars/{code}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, byCode!["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("2026-04-30T17:30:00+08:00", 60, "2026-05-04T09:30:00+08:00")] // skips the holiday and the weekend
    [InlineData("2026-05-08T17:00:00+08:00", 90, "2026-05-09T09:30:00+08:00")] // Friday into the make-up Saturday
    [InlineData("2026-05-06T11:00:00+08:00", 60, "2026-05-06T12:00:00+08:00")] // exactly the end of an interval
    [InlineData("2026-05-06T03:00:00Z", 15, "2026-05-06T11:15:00+08:00")]      // start given in UTC, answered in +08:00
    [InlineData("2026-05-10T10:00:00+08:00", 0, "2026-05-10T10:00:00+08:00")]  // zero minutes: unchanged
    [InlineData("2026-05-06T12:30:00+08:00", 30, "2026-05-06T13:30:00+08:00")] // from the lunch break
    public async Task AddBusinessTime_FollowsTheCalendar(string start, int minutes, string due)
    {
        var (client, id) = await CreateAsync();

        var body = await (await client.PostJsonAsync($"/api/v1/calendars/{id}/add-business-time", new { start, minutes })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(due, body!["due"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddWorkingDays_SkipsHolidaysAndWeekends()
    {
        var (client, id) = await CreateAsync();

        var body = await (await client.PostJsonAsync($"/api/v1/calendars/{id}/add-working-days", new { date = "2026-04-30", days = 2 })).ExpectAsync(HttpStatusCode.OK);
        var zero = await (await client.PostJsonAsync($"/api/v1/calendars/{id}/add-working-days", new { date = "2026-05-02", days = 0 })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("2026-05-05", body!["date"]!.GetValue<string>());
        Assert.Equal("2026-05-02", zero!["date"]!.GetValue<string>());
    }

    [Fact]
    public async Task BusinessMinutesBetween_RoundsFractionalMinutesDown()
    {
        var (client, id) = await CreateAsync();

        var body = await (await client.PostJsonAsync($"/api/v1/calendars/{id}/business-minutes-between",
            new { from = "2026-05-06T11:30:00+08:00", to = "2026-05-06T13:30:59+08:00" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(60, body!["minutes"]!.GetValue<long>());
    }

    [Fact]
    public async Task BusinessMinutesBetween_ToBeforeFrom_Is400NamingTo()
    {
        var (client, id) = await CreateAsync();

        var response = await client.PostJsonAsync($"/api/v1/calendars/{id}/business-minutes-between",
            new { from = "2026-05-06T11:30:00+08:00", to = "2026-05-06T10:30:00+08:00" });

        await response.ExpectFieldErrorAsync("to");
    }

    [Fact]
    public async Task BuiltInCalendars_AreSeeded_AndComputeWithStateCouncilHolidays()
    {
        var client = await Server.ClientAsync(Roles.Agent);

        // National Day 2026: Oct 1–7 off, Saturday Oct 10 is a make-up working day.
        var body = await (await client.PostJsonAsync("/api/v1/calendars/cn-mainland/add-working-days", new { date = "2026-09-30", days = 1 })).ExpectAsync(HttpStatusCode.OK);
        var allDay = await (await client.PostJsonAsync("/api/v1/calendars/24x7/add-business-time", new { start = "2026-10-01T23:00:00+08:00", minutes = 120 })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("2026-10-08", body!["date"]!.GetValue<string>());
        Assert.Equal("2026-10-02T01:00:00+08:00", allDay!["due"]!.GetValue<string>());
    }

    [Fact]
    public async Task NoWorkingTimeWithinTenYears_Is422()
    {
        var (client, id) = await CreateAsync(new { code = NewCode(), name = "Never", timeZone = "Asia/Shanghai", weekly = new { } });

        var response = await client.PostJsonAsync($"/api/v1/calendars/{id}/add-business-time", new { start = "2026-05-06T11:30:00+08:00", minutes = 1 });

        await response.ExpectAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Theory]
    [InlineData("{\"start\":\"2026-05-06T11:30:00\",\"minutes\":5}", "start")]       // no offset
    [InlineData("{\"start\":\"yesterday\",\"minutes\":5}", "start")]
    [InlineData("{\"start\":\"2026-05-06T11:30:00+08:00\",\"minutes\":-1}", "minutes")]
    [InlineData("{\"start\":\"2026-05-06T11:30:00+08:00\",\"minutes\":5256001}", "minutes")]
    [InlineData("{\"start\":\"2026-05-06T11:30:00+08:00\",\"minutes\":\"ten\"}", "minutes")]
    [InlineData("{\"start\":\"2026-05-06T11:30:00+08:00\"}", "minutes")]
    public async Task AddBusinessTime_BadInput_Is400NamingTheField(string json, string field)
    {
        var (client, id) = await CreateAsync();

        var response = await client.PostAsync($"/api/v1/calendars/{id}/add-business-time",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await response.ExpectFieldErrorAsync(field);
    }

    [Fact]
    public async Task Create_BadCalendars_Are400NamingTheField_AndStoreNothing()
    {
        var client = await Server.ClientAsync(Roles.Admin);
        var cases = new (object Body, string Field)[]
        {
            (new { code = NewCode(), name = "x", timeZone = "Mars/Olympus", weekly = new { } }, "timeZone"),
            (new { code = NewCode(), name = "x", timeZone = "Asia/Shanghai", weekly = new { monday = new[] { new[] { "18:00", "09:00" } } } }, "weekly.monday[0]"),
            (new { code = NewCode(), name = "x", timeZone = "Asia/Shanghai", weekly = new { monday = new[] { new[] { "09:00", "13:00" }, new[] { "12:00", "18:00" } } } }, "weekly.monday[1]"),
            (new { code = NewCode(), name = "x", timeZone = "Asia/Shanghai", weekly = new { monday = new[] { new[] { "09:00", "24:30" } } } }, "weekly.monday[0]"),
            (new { code = NewCode(), name = "x", timeZone = "Asia/Shanghai", weekly = new { funday = new[] { new[] { "09:00", "10:00" } } } }, "weekly.funday"),
            (Office(NewCode(), extra: [new { date = "2026-05-06" }]), "extraWorkdays[0].date"),                           // a Wednesday is already worked
            (Office(NewCode(), holidays: ["2026-05-09"], extra: [new { date = "2026-05-09" }]), "extraWorkdays[0].date"), // a holiday
            (Office(NewCode(), holidays: ["2026-13-01"]), "holidays[0]"),
            (new { code = "", name = "x", timeZone = "Asia/Shanghai", weekly = new { } }, "code"),
        };
        foreach (var (body, field) in cases)
        {
            await (await client.PostJsonAsync("/api/v1/calendars", body)).ExpectFieldErrorAsync(field);
        }
        var list = await (await client.GetAsync("/api/v1/calendars?limit=200")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(list!["items"]!.AsArray(), c => c!["name"]!.GetValue<string>() == "x");
    }

    [Fact]
    public async Task Create_DuplicateCode_Is409()
    {
        var code = NewCode();
        var (client, _) = await CreateAsync(Office(code));

        await (await client.PostJsonAsync("/api/v1/calendars", Office(code))).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Put_ReplacesTheCalendar_AndAStaleIfMatchIs412()
    {
        var (client, id) = await CreateAsync();
        var current = await client.GetAsync($"/api/v1/calendars/{id}");
        var etag = current.Headers.ETag!;
        var code = (await current.ExpectAsync(HttpStatusCode.OK))!["code"]!.GetValue<string>();

        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/calendars/{id}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(Office(code, holidays: ["2026-05-01", "2026-05-04"])),
        };
        put.Headers.IfMatch.Add(etag);
        var replaced = await (await client.SendAsync(put)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, replaced!["holidays"]!.AsArray().Count);

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/calendars/{id}") { Content = System.Net.Http.Json.JsonContent.Create(Office(code)) };
        stale.Headers.IfMatch.Add(etag);
        await (await client.SendAsync(stale)).ExpectAsync(HttpStatusCode.PreconditionFailed);

        // The replaced rules are used at once: May 4 is now a holiday too.
        var due = await (await client.PostJsonAsync($"/api/v1/calendars/{id}/add-business-time", new { start = "2026-04-30T17:30:00+08:00", minutes = 60 })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("2026-05-05T09:30:00+08:00", due!["due"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_WithoutCode_KeepsTheCode_AlsoOnABuiltInCalendar()
    {
        var admin = await Server.ClientAsync(Roles.Admin);
        var builtIn = await (await admin.GetAsync("/api/v1/calendars/24x7")).ExpectAsync(HttpStatusCode.OK);

        var replaced = await (await admin.PutJsonAsync("/api/v1/calendars/24x7", new
        {
            name = "全天候 (edited)", timeZone = "Asia/Shanghai",
            weekly = builtIn!["weekly"], holidays = Array.Empty<string>(),
        })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("24x7", replaced!["code"]!.GetValue<string>());
        Assert.Equal("全天候 (edited)", replaced["name"]!.GetValue<string>());
        await (await admin.PutJsonAsync("/api/v1/calendars/24x7", new { code = "renamed", name = "x", timeZone = "Asia/Shanghai", weekly = builtIn["weekly"] }))
            .ExpectFieldErrorAsync("code");
    }

    [Theory]
    [InlineData("9999-12-31T23:00:00+08:00")]
    [InlineData("0001-01-01T00:00:00+00:00")]
    public async Task InstantsOutsideTheSupportedYears_Are400(string start)
    {
        var (client, id) = await CreateAsync();

        await (await client.PostJsonAsync($"/api/v1/calendars/{id}/add-business-time", new { start, minutes = 5 })).ExpectFieldErrorAsync("start");
        await (await client.PostJsonAsync($"/api/v1/calendars/{id}/add-working-days", new { date = start[..10], days = 1 })).ExpectFieldErrorAsync("date");
    }

    [Fact]
    public async Task Create_ReturnsTheETagOfTheNewCalendar()
    {
        var client = await Server.ClientAsync(Roles.Admin);

        var response = await client.PostJsonAsync("/api/v1/calendars", Office(NewCode()));

        await response.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("\"1\"", response.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Agents_MayCompute_ButNotEdit()
    {
        var (_, id) = await CreateAsync();
        var agent = await Server.ClientAsync(Roles.Agent);

        await (await agent.PostJsonAsync("/api/v1/calendars", Office(NewCode()))).ExpectAsync(HttpStatusCode.Forbidden);
        await (await agent.PostJsonAsync($"/api/v1/calendars/{id}/add-working-days", new { date = "2026-04-30", days = 1 })).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task List_IsCursorPaged()
    {
        var (client, _) = await CreateAsync();
        await CreateAsync();

        var first = await (await client.GetAsync("/api/v1/calendars?limit=1")).ExpectAsync(HttpStatusCode.OK);
        var cursor = first!["nextCursor"]!.GetValue<string>();
        var second = await (await client.GetAsync($"/api/v1/calendars?limit=1&cursor={cursor}")).ExpectAsync(HttpStatusCode.OK);

        Assert.Single(first["items"]!.AsArray());
        Assert.NotEqual(first["items"]![0]!["id"]!.GetValue<string>(), second!["items"]![0]!["id"]!.GetValue<string>());
        await (await client.GetAsync("/api/v1/calendars?limit=500")).ExpectFieldErrorAsync("limit");
    }

    [Fact]
    public async Task UnknownCalendar_Is404()
    {
        var client = await Server.ClientAsync(Roles.Admin);

        await (await client.PostJsonAsync("/api/v1/calendars/no-such-calendar/add-working-days", new { date = "2026-04-30", days = 1 })).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Changes_AreWrittenToTheAuditLog()
    {
        var (_, id) = await CreateAsync();

        var entries = await Server.WithDbAsync(db => Task.FromResult(db.AuditEntries.Where(a => a.EntityType == "CalendarRecord" && a.EntityId == id).ToList()));

        var entry = Assert.Single(entries);
        Assert.Equal("created", entry.Action);
        Assert.StartsWith("apikey:", entry.Actor, StringComparison.Ordinal);
    }
}
