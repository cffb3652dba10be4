using System.Net.Http.Headers;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Hosting;
using CareLoop.Server.Platform.Outbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CareLoop.Server.Tests.Infrastructure;

/// <summary>
/// A running CareLoop app on an in-memory test server with its own database, a fake clock, and helpers to create
/// API keys for any role and clients that send them.
/// </summary>
public sealed class CareLoopServer : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;

    private CareLoopServer(WebApplication app, ServerOptions options, FakeTimeProvider clock)
    {
        _app = app;
        Options = options;
        Clock = clock;
    }

    public ServerOptions Options { get; }

    /// <summary>The app's clock; starts at <see cref="Epoch"/>; advance it to move time.</summary>
    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => _app.Services;

    public DatabaseProvider Provider => Options.Database;

    /// <summary>Builds, migrates (a no-op on a cloned template) and starts the app on the given database.</summary>
    public static async Task<CareLoopServer> StartAsync(ServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var clock = new FakeTimeProvider(Epoch);
        var app = CareLoopApp.Build(options, configure: b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Configuration["RateLimits:Enabled"] = "false";
            // Key lookups are not cached, so a revocation is seen by the next request.
            b.Configuration["Auth:ApiKeyCacheSeconds"] = "0";
            // Scheduled jobs run only in the classes that test them (their fixture turns them on).
            b.Configuration["Jobs:Enabled"] = "false";
            configure?.Invoke(b);
        });
        await CareLoopApp.PrepareDatabaseAsync(app.Services);
        await app.StartAsync();
        return new CareLoopServer(app, options, clock);
    }

    /// <summary>A client without credentials.</summary>
    public HttpClient CreateClient(string? token = null)
    {
        var client = ((TestServer)_app.Services.GetRequiredService<IServer>()).CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>Creates an API key (<c>cl_…</c>) for a role, bound to a merchant or customer given by external id.</summary>
    public async Task<string> CreateApiKeyAsync(string role, string? merchant = null, string? customer = null)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        Guid? merchantId = merchant is null ? null
            : await db.Merchants.IgnoreQueryFilters().Where(m => m.ExternalId == merchant).Select(m => (Guid?)m.Id).SingleOrDefaultAsync()
              ?? throw new InvalidOperationException($"No merchant '{merchant}'.");
        Guid? customerId = customer is null ? null
            : await db.Customers.IgnoreQueryFilters().Where(c => c.ExternalId == customer).Select(c => (Guid?)c.Id).SingleOrDefaultAsync()
              ?? throw new InvalidOperationException($"No customer '{customer}'.");
        var (_, token) = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .CreateAsync($"test {role}", role, merchantId, customerId, CancellationToken.None);
        return token;
    }

    /// <summary>
    /// A person in <paramref name="role"/> (a new user) and a client acting as them through a personal API key, as an
    /// agent's own token would.
    /// </summary>
    public async Task<(Guid UserId, HttpClient Client)> PersonAsync(string role, string displayName)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<User>>();
        var email = $"{Guid.NewGuid():N}@people.test";
        var user = new User { Id = Guid.CreateVersion7(), UserName = email, Email = email, DisplayName = displayName, CreatedAt = Clock.GetUtcNow().UtcDateTime };
        var created = await users.CreateAsync(user, "Passw0rd-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        var (_, token) = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .CreateAsync($"personal {displayName}", role, null, null, CancellationToken.None, user.Id);
        return (user.Id, CreateClient(token));
    }

    /// <summary>A client authenticated with a new API key for the role (and merchant or customer).</summary>
    public async Task<HttpClient> ClientAsync(string role, string? merchant = null, string? customer = null) =>
        CreateClient(await CreateApiKeyAsync(role, merchant, customer));

    /// <summary>Runs code against the database in a fresh, unscoped (sees everything) service scope.</summary>
    public async Task<T> WithDbAsync<T>(Func<CareLoopDbContext, Task<T>> action)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CareLoopDbContext>());
    }

    /// <summary>Runs code with a fresh service scope (e.g. to call a CLI use case such as FileImport).</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>Delivers the outbox messages due now (as the background dispatcher would on its next poll).</summary>
    public Task<int> DispatchOutboxAsync() =>
        _app.Services.GetRequiredService<CareLoop.Server.Platform.Outbox.OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);

    /// <summary>
    /// Runs the outbox until none of <paramref name="messages"/> waits and at least <paramref name="sent"/> of them are
    /// sent. The server's own dispatcher may hold a message this call does not see, so it waits for that too. A message
    /// that fails (retrying or dead) fails the test with its error.
    /// </summary>
    public async Task DeliverAsync(System.Linq.Expressions.Expression<Func<OutboxMessage, bool>> messages, int sent, string what)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            while (await DispatchOutboxAsync() > 0)
            {
            }
            var states = await WithDbAsync(db => db.OutboxMessages.AsNoTracking().Where(messages)
                .Select(m => new { m.Status, m.LastError }).ToListAsync());
            Assert.DoesNotContain(states, m => m.Status is OutboxStatus.Retrying or OutboxStatus.Dead);
            if (states.Count(m => m.Status == OutboxStatus.Sent) >= sent && states.All(m => m.Status == OutboxStatus.Sent))
            {
                return;
            }
            await Task.Delay(20);
        }
        Assert.Fail($"{what} were not delivered.");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
