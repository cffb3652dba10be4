using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CareLoop.Server.Tests.Infrastructure;

/// <summary>
/// Fresh databases for test classes, cloned from a template migrated once per test run: a file copy for SQLite,
/// <c>CREATE DATABASE … TEMPLATE …</c> for PostgreSQL (server from the <c>CARELOOP_POSTGRES</c> connection string).
/// </summary>
public static class TestDatabases
{
    public const string PostgresVariable = "CARELOOP_POSTGRES";
    public const string RequirePostgresVariable = "CARELOOP_REQUIRE_POSTGRES";

    private static readonly string RunFolder = Path.Combine(Path.GetTempPath(), "careloop-tests", $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..20]);
    private static readonly SemaphoreSlim PostgresLock = new(1, 1);
    private static readonly Lazy<Task<string>> SqliteTemplate = new(CreateSqliteTemplateAsync);
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreatePostgresTemplateAsync);

    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } cs ? cs : null;

    public static bool PostgresRequired => Environment.GetEnvironmentVariable(RequirePostgresVariable) == "1";

    /// <summary>A new SQLite data folder holding a copy of the migrated template database.</summary>
    public static async Task<ServerOptions> NewSqliteAsync()
    {
        var template = await SqliteTemplate.Value;
        var folder = Path.Combine(RunFolder, "db-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        File.Copy(template, Path.Combine(folder, "careloop.db"));
        return new ServerOptions { DataFolder = folder, Database = DatabaseProvider.Sqlite, Urls = "http://127.0.0.1:0" };
    }

    /// <summary>A new PostgreSQL database created from the migrated template.</summary>
    public static async Task<ServerOptions> NewPostgresAsync()
    {
        var admin = PostgresConnectionString ?? throw new InvalidOperationException($"{PostgresVariable} is not set.");
        var template = await PostgresTemplate.Value;
        var name = "careloop_t_" + Guid.NewGuid().ToString("N")[..16];
        await PostgresLock.WaitAsync();
        try
        {
            await using var conn = new NpgsqlConnection(admin);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        finally
        {
            PostgresLock.Release();
        }
        return new ServerOptions
        {
            DataFolder = Path.Combine(RunFolder, name), Database = DatabaseProvider.Postgres, Urls = "http://127.0.0.1:0",
            PostgresConnectionString = WithDatabase(admin, name),
        };
    }

    /// <summary>Removes a class's database (PostgreSQL) or data folder (SQLite).</summary>
    public static async Task DropAsync(ServerOptions options)
    {
        if (options.Database == DatabaseProvider.Postgres && PostgresConnectionString is { } admin)
        {
            var name = new NpgsqlConnectionStringBuilder(options.PostgresConnectionString).Database;
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(admin);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(options.DataFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere: the temp folder is cleaned up by the OS.
            }
        }
    }

    private static async Task<string> CreateSqliteTemplateAsync()
    {
        var folder = Path.Combine(RunFolder, "template");
        Directory.CreateDirectory(folder);
        var options = new ServerOptions { DataFolder = folder, Database = DatabaseProvider.Sqlite };
        await MigrateAsync(options);
        var path = options.SqlitePath;
        // Fold the WAL into the main file so a plain copy is complete.
        await using (var conn = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await cmd.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
        return path;
    }

    private static async Task<string> CreatePostgresTemplateAsync()
    {
        var admin = PostgresConnectionString ?? throw new InvalidOperationException($"{PostgresVariable} is not set.");
        var name = "careloop_tmpl_" + Guid.NewGuid().ToString("N")[..12];
        await MigrateAsync(new ServerOptions
        {
            DataFolder = Path.Combine(RunFolder, name), Database = DatabaseProvider.Postgres, PostgresConnectionString = WithDatabase(admin, name),
        });
        // No connection may stay open to a template database.
        NpgsqlConnection.ClearAllPools();
        return name;
    }

    private static async Task MigrateAsync(ServerOptions options)
    {
        await using var app = CareLoopApp.Build(options, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            // The server's static-asset manifest is named after its assembly, not the test assembly.
            b.Environment.ApplicationName = "careloop";
            b.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        });
        await CareLoopApp.PrepareDatabaseAsync(app.Services);
    }

    private static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database, Pooling = true }.ConnectionString;
}
