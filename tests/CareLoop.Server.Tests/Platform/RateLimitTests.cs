using System.Net;
using CareLoop.Server.Tests.Infrastructure;

namespace CareLoop.Server.Tests.Platform;

/// <summary>Sign-in is rate limited per client; the limit is configuration (and can be switched off for benchmarks).</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task SignIn_BeyondTheLimit_Is429()
    {
        var options = await TestDatabases.NewSqliteAsync();
        await using var server = await CareLoopServer.StartAsync(options, b =>
        {
            b.Configuration["RateLimits:Enabled"] = "true";
            b.Configuration["RateLimits:SignInPerMinute"] = "2";
        });
        var client = server.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "x@example.com", ["password"] = "wrong" });
            statuses.Add((await client.PostAsync("/account/login", form)).StatusCode);
        }

        Assert.NotEqual(HttpStatusCode.TooManyRequests, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[2]);
        await TestDatabases.DropAsync(options);
    }
}
