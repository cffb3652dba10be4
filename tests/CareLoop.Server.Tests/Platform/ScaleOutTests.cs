using System.Net;
using System.Text.RegularExpressions;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Hosting;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CareLoop.Server.Tests.Platform;

public sealed class ScaleOutTestsSqlite() : ScaleOutTests(DatabaseProvider.Sqlite);

public sealed class ScaleOutTestsPostgres() : ScaleOutTests(DatabaseProvider.Postgres);

/// <summary>Two instances on one database accept each other's sign-in cookies (the Data Protection keys are in the database).</summary>
public abstract partial class ScaleOutTests(DatabaseProvider provider)
{
    private const string Password = "Scale-out-test-2026";

    private static async Task<ServerOptions> NewDatabaseAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Postgres && TestDatabases.PostgresConnectionString is null)
        {
            var reason = $"PostgreSQL tests need {TestDatabases.PostgresVariable}; not set.";
            if (TestDatabases.PostgresRequired)
            {
                throw new InvalidOperationException(reason);
            }
            Assert.Skip(reason);
        }
        return provider == DatabaseProvider.Postgres ? await TestDatabases.NewPostgresAsync() : await TestDatabases.NewSqliteAsync();
    }

    /// <summary>Signs in through the form (with its antiforgery token) and returns the cookies to send afterwards.</summary>
    private static async Task<string> SignInAsync(HttpClient client, string email)
    {
        var page = await client.GetAsync("/account/login");
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html);
        Assert.True(token.Success, "no antiforgery token on the sign-in page");
        var cookies = Cookies(page);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = email, ["password"] = Password, ["returnUrl"] = "/", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login") { Content = form };
        request.Headers.Add("Cookie", cookies);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        var auth = Cookies(response);
        Assert.Contains("careloop.auth", auth, StringComparison.Ordinal);
        return auth;
    }

    private static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).Where(v => !v.EndsWith('=')) : []);

    private static async Task<HttpResponseMessage> MeAsync(CareLoopServer server, string cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("Cookie", cookies);
        return await server.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task SignInCookie_IssuedByOneInstance_IsAcceptedByAnother()
    {
        var options = await NewDatabaseAsync(provider);
        try
        {
            await using var first = await CareLoopServer.StartAsync(options);
            await using var second = await CareLoopServer.StartAsync(options);
            var email = $"scale-{Guid.NewGuid().ToString("N")[..12]}@example.com";
            await first.InScopeAsync(async sp =>
            {
                var users = sp.GetRequiredService<UserManager<User>>();
                var user = new User { UserName = email, Email = email, DisplayName = "Scale Out" };
                Assert.True((await users.CreateAsync(user, Password)).Succeeded);
                Assert.True((await users.AddToRoleAsync(user, Roles.Supervisor)).Succeeded);
                return 0;
            });

            var cookies = await SignInAsync(first.CreateClient(), email);

            var me = await (await MeAsync(second, cookies)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal($"user:{email}", me!["caller"]!.GetValue<string>());
            Assert.Equal(["supervisor"], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
            // One key ring, in the database: the second instance used the key the first one created.
            Assert.Equal(1, await second.WithDbAsync(db => db.DataProtectionKeys.CountAsync()));
            // A cookie the key ring did not protect is refused by both.
            await (await MeAsync(second, "careloop.auth=CfDJ8" + new string('A', 200))).ExpectAsync(HttpStatusCode.Unauthorized);
        }
        finally
        {
            await TestDatabases.DropAsync(options);
        }
    }

    [GeneratedRegex("""name="__RequestVerificationToken"[^>]*value="([^"]+)""")]
    private static partial Regex AntiforgeryField();
}

/// <summary>The Redis SignalR backplane is registered only when a Redis connection is configured (nothing connects here).</summary>
public sealed class RedisBackplaneTests
{
    private static (Type? LifetimeManager, IServiceProvider Services) Build(params string[] args)
    {
        var data = Directory.CreateTempSubdirectory("careloop-redis-").FullName;
        Type? manager = null;
        var app = CareLoopApp.Build(new ServerOptions { DataFolder = data, Urls = "http://127.0.0.1:0" }, args,
            b => manager = b.Services.LastOrDefault(s => s.ServiceType == typeof(HubLifetimeManager<>))?.ImplementationType);
        return (manager, app.Services);
    }

    [Fact]
    public void WithRedisConfigured_HubsUseTheRedisLifetimeManager_WithTheCareLoopPrefix()
    {
        var (manager, services) = Build("--Redis:Connection=redis.invalid:6379");

        Assert.Equal(typeof(RedisHubLifetimeManager<>), manager);
        var redis = services.GetRequiredService<IOptions<RedisOptions>>().Value;
        Assert.Equal("careloop", redis.Configuration.ChannelPrefix.ToString());
        Assert.Contains(redis.Configuration.EndPoints, e => e.ToString()!.Contains("redis.invalid", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutRedis_HubsStayInProcess()
    {
        Assert.SkipWhen(Environment.GetEnvironmentVariable(ScaleOut.RedisVariable) is { Length: > 0 }, $"{ScaleOut.RedisVariable} is set in this environment.");

        var (manager, _) = Build();

        Assert.Equal(typeof(DefaultHubLifetimeManager<>), manager);
    }
}
