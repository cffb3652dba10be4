using CareLoop.Server.Platform.Hosting;

namespace CareLoop.Server.Tests.Infrastructure;

/// <summary>
/// One server with a fresh database per test class (use as <c>IClassFixture&lt;SqliteServer&gt;</c> or
/// <c>IClassFixture&lt;PostgresServer&gt;</c>). When PostgreSQL is not configured the PostgreSQL fixture does not
/// start and <see cref="Server"/> skips the test with the reason; with <c>CARELOOP_REQUIRE_POSTGRES=1</c> it fails.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private CareLoopServer? _server;
    private string? _unavailable;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Changes the server before it is built (e.g. configuration a test class needs); nothing by default.</summary>
    protected virtual void Configure(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
    }

    /// <summary>The running server; skips the calling test when its database is unavailable.</summary>
    public CareLoopServer Server
    {
        get
        {
            if (_server is null)
            {
                Assert.Skip(_unavailable ?? "The test server did not start.");
            }
            return _server;
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (Provider == DatabaseProvider.Postgres && TestDatabases.PostgresConnectionString is null)
        {
            _unavailable = $"PostgreSQL tests need {TestDatabases.PostgresVariable} (a connection string to a server); not set.";
            if (TestDatabases.PostgresRequired)
            {
                throw new InvalidOperationException(_unavailable + $" {TestDatabases.RequirePostgresVariable}=1 requires them to run.");
            }
            return;
        }
        var options = Provider == DatabaseProvider.Postgres ? await TestDatabases.NewPostgresAsync() : await TestDatabases.NewSqliteAsync();
        _server = await CareLoopServer.StartAsync(options, Configure);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            var options = _server.Options;
            await _server.DisposeAsync();
            await TestDatabases.DropAsync(options);
        }
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteServer : ServerFixture
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresServer : ServerFixture
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
