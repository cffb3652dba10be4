using System.Net;
using System.Net.Http.Headers;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Files;
using CareLoop.Server.Platform.Hosting;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CareLoop.Server.Tests.Platform;

public sealed class FilesSqliteServer : ServerFixture
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
    protected override void Configure(WebApplicationBuilder builder) => FilesTests.SmallImageLimit(builder);
}

public sealed class FilesPostgresServer : ServerFixture
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
    protected override void Configure(WebApplicationBuilder builder) => FilesTests.SmallImageLimit(builder);
}

public sealed class FilesTestsSqlite(FilesSqliteServer fixture) : FilesTests(fixture), IClassFixture<FilesSqliteServer>;

public sealed class FilesTestsPostgres(FilesPostgresServer fixture) : FilesTests(fixture), IClassFixture<FilesPostgresServer>;

/// <summary>Uploads: checked by content, limited by size, names sanitised, streamed back with ranges, served only to those allowed.</summary>
public abstract class FilesTests(ServerFixture fixture)
{
    public const int ImageLimit = 100_000;

    private CareLoopServer Server => fixture.Server;

    public static void SmallImageLimit(WebApplicationBuilder builder) => builder.Configuration["Files:MaxImageBytes"] = ImageLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static async Task<(Guid Id, System.Text.Json.Nodes.JsonNode Body)> UploadAsync(HttpClient client, HttpContent form)
    {
        var response = await client.PostAsync("/api/v1/files", form);
        var body = await response.ExpectAsync(HttpStatusCode.Created);
        var id = Guid.Parse(body!["id"]!.GetValue<string>());
        Assert.Equal($"/api/v1/files/{id}", response.Headers.Location!.OriginalString);
        return (id, body);
    }

    /// <summary>Asserts the status of an answer whose body is a file (not JSON).</summary>
    private static void ExpectStatus(HttpResponseMessage response, HttpStatusCode status) =>
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {status}, got {(int)response.StatusCode} for {response.RequestMessage?.RequestUri}");

    private Task<StoredFile?> RowAsync(Guid id) => Server.WithDbAsync(db => db.Files.SingleOrDefaultAsync(f => f.Id == id));

    private string StorePath(string key) => new LocalFileStore(Server.Options).PathOf(key);

    /// <summary>Every file under the data folder except the database's own.</summary>
    private HashSet<string> FilesOnDisk() => !Directory.Exists(Server.Options.DataFolder) ? []
        : Directory.EnumerateFiles(Server.Options.DataFolder, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith("careloop.db", StringComparison.Ordinal)).ToHashSet();

    [Fact]
    public async Task Png_IsStored_AndRoundTrips_WithAThumbnail()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var png = FileSamples.Image(800, 400);
        var uploadedAt = Server.Clock.GetUtcNow();

        var (id, body) = await UploadAsync(client, FileSamples.Form(png, "kettle-scratch.png", "image/png"));

        Assert.Equal("image/png", body["contentType"]!.GetValue<string>());
        Assert.Equal(png.Length, body["size"]!.GetValue<long>());
        Assert.Equal("kettle-scratch.png", body["name"]!.GetValue<string>());
        Assert.True(body["hasThumbnail"]!.GetValue<bool>());
        Assert.Null(body["recordType"]);
        Assert.Equal(uploadedAt, body["createdAt"]!.GetValue<DateTimeOffset>());

        var content = await client.GetAsync($"/api/v1/files/{id}");
        ExpectStatus(content, HttpStatusCode.OK);
        Assert.Equal(png, await content.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", content.Content.Headers.ContentType!.MediaType);
        Assert.Equal("inline", content.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("kettle-scratch.png", content.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());

        var thumbnail = await client.GetAsync($"/api/v1/files/{id}/thumbnail");
        ExpectStatus(thumbnail, HttpStatusCode.OK);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType!.MediaType);
        using var decoded = FileSamples.Decode(await thumbnail.Content.ReadAsByteArrayAsync());
        Assert.NotNull(decoded);
        Assert.Equal((320, 160), (decoded.Width, decoded.Height));

        var meta = await (await client.GetAsync($"/api/v1/files/{id}/meta")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(body.ToJsonString(), meta!.ToJsonString());

        // Stored under the id and the date, hashed, and recorded in the audit log without the content.
        var row = await RowAsync(id);
        Assert.Equal($"2026/05/{id}", row!.StorageKey);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png)), row.Sha256);
        Assert.Equal(png, await File.ReadAllBytesAsync(StorePath(row.StorageKey)));
        var audit = await Server.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.EntityType == nameof(StoredFile) && a.EntityId == id.ToString()));
        Assert.Equal("created", audit.Action);
        Assert.Null(audit.Changes);
    }

    [Fact]
    public async Task ContractPng_AsAPlainClientSendsIt_IsAcceptedAndThumbnailed()
    {
        var client = await Server.ClientAsync(Roles.Admin);

        var (id, body) = await UploadAsync(client, FileSamples.RawForm(FileSamples.ContractPng, "photo.png", "image/png"));

        Assert.Equal("photo.png", body["name"]!.GetValue<string>());
        Assert.True(body["hasThumbnail"]!.GetValue<bool>());
        using var decoded = FileSamples.Decode(await client.GetByteArrayAsync($"/api/v1/files/{id}/thumbnail"));
        Assert.Equal((2, 2), (decoded!.Width, decoded.Height));
    }

    [Theory]
    [InlineData("elf named png", "evil.png", "image/png")]
    [InlineData("elf without a type", "evil.png", null)]
    [InlineData("pdf claimed as png", "invoice.png", "image/png")]
    [InlineData("corrupt png", "broken.png", "image/png")]
    public async Task Upload_WhoseContentIsNotWhatItShouldBe_Is415_NamingFile_AndStoresNothing(string kind, string name, string? contentType)
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var bytes = kind switch
        {
            "pdf claimed as png" => FileSamples.Pdf,
            "corrupt png" => FileSamples.CorruptPng(),
            _ => FileSamples.Elf,
        };
        var before = FilesOnDisk();

        var response = await client.PostAsync("/api/v1/files", FileSamples.Form(bytes, name, contentType));

        var problem = await response.ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.True(problem!["errors"]!.AsObject().ContainsKey("file"), problem.ToJsonString());
        Assert.False(await Server.WithDbAsync(db => db.Files.AnyAsync(f => f.Name == name)));
        Assert.Equal(before, FilesOnDisk());
    }

    [Fact]
    public async Task Pdf_SentAsPdfOrWithoutAType_IsStoredAsPdf_WithoutThumbnail()
    {
        var client = await Server.ClientAsync(Roles.Integration);

        var (id, body) = await UploadAsync(client, FileSamples.Form(FileSamples.Pdf, "invoice.pdf", "application/octet-stream"));

        Assert.Equal("application/pdf", body["contentType"]!.GetValue<string>());
        Assert.False(body["hasThumbnail"]!.GetValue<bool>());
        await (await client.GetAsync($"/api/v1/files/{id}/thumbnail")).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(FileSamples.Pdf, await client.GetByteArrayAsync($"/api/v1/files/{id}"));
    }

    [Fact]
    public async Task Upload_EmptyOrWithoutAFile_Is400_NamingFile()
    {
        var client = await Server.ClientAsync(Roles.Integration);

        await (await client.PostAsync("/api/v1/files", FileSamples.Form([], "empty.png", "image/png"))).ExpectFieldErrorAsync("file");
        using var noFile = new MultipartFormDataContent { { new StringContent("x"), "note" } };
        await (await client.PostAsync("/api/v1/files", noFile)).ExpectFieldErrorAsync("file");
        var json = await client.PostJsonAsync("/api/v1/files", new { file = "aGVsbG8=" });
        await json.ExpectAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("../../etc/x.png", "x.png")]
    [InlineData("..\\..\\a.png", "a.png")]
    [InlineData("bad\u0001na\u001fme\u0000.png", "badname.png")]
    [InlineData("/", "file.png")]
    [InlineData("发票\u202Egnp.exe", "发票gnp.exe.png")]
    public async Task PathTraversalAndControlCharacters_AreStrippedFromTheName_AndNeverReachTheStore(string name, string stored)
    {
        var client = await Server.ClientAsync(Roles.Integration);

        var (id, body) = await UploadAsync(client, FileSamples.RawForm(FileSamples.ContractPng, name, "image/png", encoded: true));

        Assert.Equal(stored, body["name"]!.GetValue<string>());
        var row = await RowAsync(id);
        Assert.Equal(stored, row!.Name);
        Assert.True(File.Exists(StorePath(row.StorageKey)));
        Assert.DoesNotContain(stored, row.StorageKey, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/x.png", "x.png")]
    [InlineData("..\\..\\a.png", "a.png")]
    [InlineData("tab\there.png", "tabhere.png")]
    public async Task PathTraversalName_SentAsAPlainClientSendsIt_IsStrippedToTheLastSegment(string name, string stored)
    {
        var client = await Server.ClientAsync(Roles.Integration);

        var (_, body) = await UploadAsync(client, FileSamples.RawForm(FileSamples.ContractPng, name, "image/png"));

        Assert.Equal(stored, body["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Image_OverTheConfiguredLimit_Is413_WithTheLimit_AndLeavesNothingBehind()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        byte[] tooLarge = [.. FileSamples.ContractPng[..16], .. new byte[ImageLimit * 3]];
        var name = NewId("big") + ".png";
        var before = FilesOnDisk();

        var response = await client.PostAsync("/api/v1/files", FileSamples.Form(tooLarge, name, "image/png"));

        var problem = await response.ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.True(problem!["errors"]!.AsObject().ContainsKey("file"), problem.ToJsonString());
        Assert.Equal(ImageLimit, problem["limit"]!.GetValue<long>());
        Assert.False(await Server.WithDbAsync(db => db.Files.AnyAsync(f => f.Name == name)));
        Assert.Equal(before, FilesOnDisk());
    }

    [Fact]
    public async Task Video_IsStreamedBack_WithRangeRequests()
    {
        var client = await Server.ClientAsync(Roles.Integration);
        var video = FileSamples.Mp4(3 * 1024 * 1024 + 17);

        var (id, body) = await UploadAsync(client, FileSamples.Form(video, "unboxing.mp4", "video/mp4"));
        Assert.Equal("video/mp4", body["contentType"]!.GetValue<string>());
        Assert.False(body["hasThumbnail"]!.GetValue<bool>());

        using var range = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/files/{id}");
        range.Headers.Range = new RangeHeaderValue(0, 99);
        var partial = await client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(video[..100], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal(video.Length, partial.Content.Headers.ContentRange!.Length);

        using var tail = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/files/{id}");
        tail.Headers.Range = new RangeHeaderValue(null, 17);
        var end = await client.SendAsync(tail);
        Assert.Equal(HttpStatusCode.PartialContent, end.StatusCode);
        Assert.Equal(video[^17..], await end.Content.ReadAsByteArrayAsync());

        var whole = await client.GetAsync($"/api/v1/files/{id}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        Assert.Equal(video, await whole.Content.ReadAsByteArrayAsync());
    }

    /// <summary>A merchant, two customers, another merchant, and an order of the first customer at the first merchant.</summary>
    private async Task<(string Merchant, string OtherMerchant, string Customer, string OtherCustomer, string Order)> SeedOrderAsync()
    {
        var integration = await Server.ClientAsync(Roles.Integration);
        var (merchant, other, customer, otherCustomer, product, order) = (NewId("m"), NewId("m"), NewId("c"), NewId("c"), NewId("p"), NewId("SO"));
        foreach (var m in new[] { merchant, other })
        {
            await (await integration.PutJsonAsync($"/api/v1/merchants/{m}", new { name = "Shop " + m })).ExpectAsync(HttpStatusCode.Created);
        }
        foreach (var c in new[] { customer, otherCustomer })
        {
            await (await integration.PutJsonAsync($"/api/v1/customers/{c}", new { name = "Wang Fang", phone = "139" + Random.Shared.Next(10_000_000, 99_999_999) })).ExpectAsync(HttpStatusCode.Created);
        }
        await (await integration.PutJsonAsync($"/api/v1/products/{product}", new { merchant, name = "Kettle", price = new { amount = "129.00", currency = "CNY" } })).ExpectAsync(HttpStatusCode.Created);
        await (await integration.PutJsonAsync($"/api/v1/orders/{order}", new
        {
            merchant, customer, paidAt = "2026-04-30T10:00:00+08:00",
            lines = new[] { new { externalId = order + "-1", product, quantity = 1, unitPrice = new { amount = "129.00", currency = "CNY" } } },
        })).ExpectAsync(HttpStatusCode.Created);
        return (merchant, other, customer, otherCustomer, order);
    }

    [Fact]
    public async Task FileOnAnOrder_IsServedToThoseWhoSeeTheOrder_AndToNoOneElse()
    {
        var (merchant, otherMerchant, customer, otherCustomer, order) = await SeedOrderAsync();
        var owner = await Server.ClientAsync(Roles.Customer, customer: customer);

        var (id, body) = await UploadAsync(owner, FileSamples.Form(FileSamples.ContractPng, "scratch.png", "image/png", "order", order));
        Assert.Equal("order", body["recordType"]!.GetValue<string>());
        Assert.Equal(order, body["recordId"]!.GetValue<string>());

        var allowed = new[]
        {
            owner,
            await Server.ClientAsync(Roles.Customer, customer: customer),    // another key of the same customer
            await Server.ClientAsync(Roles.Merchant, merchant: merchant),    // the order's merchant
            await Server.ClientAsync(Roles.Agent),
            await Server.ClientAsync(Roles.Integration),                     // unbound: sees every order
        };
        foreach (var client in allowed)
        {
            ExpectStatus(await client.GetAsync($"/api/v1/files/{id}"), HttpStatusCode.OK);
            ExpectStatus(await client.GetAsync($"/api/v1/files/{id}/thumbnail"), HttpStatusCode.OK);
            await (await client.GetAsync($"/api/v1/files/{id}/meta")).ExpectAsync(HttpStatusCode.OK);
        }
        var refused = new[]
        {
            await Server.ClientAsync(Roles.Customer, customer: otherCustomer),
            await Server.ClientAsync(Roles.Merchant, merchant: otherMerchant),
        };
        foreach (var client in refused)
        {
            await (await client.GetAsync($"/api/v1/files/{id}")).ExpectAsync(HttpStatusCode.NotFound);
            await (await client.GetAsync($"/api/v1/files/{id}/thumbnail")).ExpectAsync(HttpStatusCode.NotFound);
            await (await client.GetAsync($"/api/v1/files/{id}/meta")).ExpectAsync(HttpStatusCode.NotFound);
        }
        await (await Server.CreateClient().GetAsync($"/api/v1/files/{id}")).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Upload_ToSomeoneElsesOrUnknownRecord_IsRefused_AndStoresNothing()
    {
        var (_, otherMerchant, _, otherCustomer, order) = await SeedOrderAsync();
        var stranger = await Server.ClientAsync(Roles.Customer, customer: otherCustomer);
        var otherShop = await Server.ClientAsync(Roles.Merchant, merchant: otherMerchant);
        var name = NewId("evidence") + ".png";
        var before = FilesOnDisk();

        await (await stranger.PostAsync("/api/v1/files", FileSamples.Form(FileSamples.ContractPng, name, "image/png", "order", order))).ExpectAsync(HttpStatusCode.NotFound);
        await (await otherShop.PostAsync("/api/v1/files", FileSamples.Form(FileSamples.ContractPng, name, "image/png", "order", order))).ExpectAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync("/api/v1/files", FileSamples.Form(FileSamples.ContractPng, name, "image/png", "order", "no-such-order"))).ExpectAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync("/api/v1/files", FileSamples.Form(FileSamples.ContractPng, name, "image/png", "no-such-type", order))).ExpectFieldErrorAsync("recordType");
        await (await stranger.PostAsync("/api/v1/files", FileSamples.Form(FileSamples.ContractPng, name, "image/png", recordId: order))).ExpectFieldErrorAsync("recordType");
        await (await stranger.PostAsync("/api/v1/files", FileSamples.Form(FileSamples.ContractPng, name, "image/png", recordType: "order"))).ExpectFieldErrorAsync("recordId");

        Assert.False(await Server.WithDbAsync(db => db.Files.AnyAsync(f => f.Name == name)));
        Assert.Equal(before, FilesOnDisk());
    }

    [Fact]
    public async Task UnattachedFile_IsServedToItsUploaderAndStaff_Only()
    {
        var uploader = await Server.ClientAsync(Roles.Integration);
        var (id, _) = await UploadAsync(uploader, FileSamples.Form(FileSamples.ContractPng, "draft.png", "image/png"));

        ExpectStatus(await uploader.GetAsync($"/api/v1/files/{id}"), HttpStatusCode.OK);
        ExpectStatus(await (await Server.ClientAsync(Roles.Supervisor)).GetAsync($"/api/v1/files/{id}"), HttpStatusCode.OK);
        await (await (await Server.ClientAsync(Roles.Integration)).GetAsync($"/api/v1/files/{id}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await (await Server.ClientAsync(Roles.Warehouse)).GetAsync($"/api/v1/files/{id}/meta")).ExpectAsync(HttpStatusCode.NotFound);
        await (await uploader.GetAsync($"/api/v1/files/{Guid.NewGuid()}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await uploader.GetAsync("/api/v1/files/not-an-id")).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteOrphans_RemovesOldUnattachedFiles_RowAndContent_AndKeepsTheRest()
    {
        var (_, _, customer, _, order) = await SeedOrderAsync();
        var client = await Server.ClientAsync(Roles.Customer, customer: customer);
        var (orphan, _) = await UploadAsync(client, FileSamples.Form(FileSamples.Image(400, 300), "old-draft.png", "image/png"));
        var (attached, _) = await UploadAsync(client, FileSamples.Form(FileSamples.ContractPng, "kept.png", "image/png", "order", order));
        var orphanRow = await RowAsync(orphan);
        Server.Clock.Advance(TimeSpan.FromDays(2));
        var (recent, _) = await UploadAsync(client, FileSamples.Form(FileSamples.ContractPng, "new-draft.png", "image/png"));

        var deleted = await Server.InScopeAsync(sp => sp.GetRequiredService<FileService>()
            .DeleteOrphansAsync(Server.Clock.GetUtcNow().UtcDateTime.AddDays(-1), CancellationToken.None));

        Assert.True(deleted >= 1);
        Assert.Null(await RowAsync(orphan));
        Assert.False(File.Exists(StorePath(orphanRow!.StorageKey)));
        Assert.False(File.Exists(StorePath(orphanRow.ThumbnailKey!)));
        Assert.NotNull(await RowAsync(attached));
        Assert.NotNull(await RowAsync(recent));
        ExpectStatus(await client.GetAsync($"/api/v1/files/{attached}"), HttpStatusCode.OK);
        await (await client.GetAsync($"/api/v1/files/{orphan}")).ExpectAsync(HttpStatusCode.NotFound);
    }
}

/// <summary>The upload endpoint raises Kestrel's 16 MB request limit for itself (a real Kestrel server, not the test host).</summary>
public sealed class FilesBodyLimitTests
{
    [Fact]
    public async Task Upload_LargerThanTheGlobalRequestLimit_IsAccepted_OnKestrel()
    {
        var options = await TestDatabases.NewSqliteAsync();
        var app = CareLoopApp.Build(options, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Environment.ApplicationName = "careloop";
            b.Configuration["RateLimits:Enabled"] = "false";
        });
        try
        {
            await CareLoopApp.PrepareDatabaseAsync(app.Services);
            await app.StartAsync();
            string token;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                (_, token) = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("big files", Roles.Integration, null, null, CancellationToken.None);
            }
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(2) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var video = FileSamples.Mp4(17 * 1024 * 1024);

            var response = await client.PostAsync("/api/v1/files", FileSamples.Form(video, "long.mp4", "video/mp4"));

            var body = await response.ExpectAsync(HttpStatusCode.Created);
            Assert.Equal(video.Length, body!["size"]!.GetValue<long>());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await TestDatabases.DropAsync(options);
        }
    }
}
