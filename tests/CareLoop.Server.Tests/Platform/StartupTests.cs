using CareLoop.Server.Platform.Cli;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Hosting;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CareLoop.Server.Tests.Platform;

/// <summary>Several instances starting at once against one new database: migrations and seeding happen once, nobody fails.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task TwoInstancesPreparingOneNewSqliteDatabase_BothSucceed_AndSeedOnce()
    {
        var options = new ServerOptions { DataFolder = Directory.CreateTempSubdirectory("careloop-startup-").FullName };

        await PrepareTwiceAtOnceAsync(options);

        await TestDatabases.DropAsync(options);
    }

    [Fact]
    public async Task TwoInstancesPreparingOneNewPostgresDatabase_BothSucceed_AndSeedOnce()
    {
        if (TestDatabases.PostgresConnectionString is not { } admin)
        {
            if (TestDatabases.PostgresRequired) throw new InvalidOperationException($"{TestDatabases.PostgresVariable} is required.");
            Assert.Skip($"PostgreSQL tests need {TestDatabases.PostgresVariable}; not set.");
            return;
        }
        var name = "careloop_start_" + Guid.NewGuid().ToString("N")[..12];
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var options = new ServerOptions
        {
            DataFolder = Directory.CreateTempSubdirectory("careloop-startup-").FullName, Database = DatabaseProvider.Postgres,
            PostgresConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString,
        };

        await PrepareTwiceAtOnceAsync(options);

        await TestDatabases.DropAsync(options);
    }

    private static async Task PrepareTwiceAtOnceAsync(ServerOptions options)
    {
        await using var first = CliServices.Build(options);
        await using var second = CliServices.Build(options);

        await Task.WhenAll(
            Task.Run(() => CareLoopApp.PrepareDatabaseAsync(first)),
            Task.Run(() => CareLoopApp.PrepareDatabaseAsync(second)));

        await using var scope = first.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        Assert.Equal(2, await db.Calendars.CountAsync(c => c.BuiltIn));
        Assert.Equal(9, await db.Roles.CountAsync());
    }
}
