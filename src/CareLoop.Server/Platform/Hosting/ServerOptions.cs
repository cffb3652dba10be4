namespace CareLoop.Server.Platform.Hosting;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>What the command line decides about a process: where data lives and which database it uses.</summary>
public sealed record ServerOptions
{
    /// <summary>Folder of the SQLite database and stored files.</summary>
    public string DataFolder { get; init; } = "data";

    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>URLs to listen on; null = configuration or <see cref="DefaultUrl"/>.</summary>
    public string? Urls { get; init; }

    public DatabaseProvider Database { get; init; } = DatabaseProvider.Sqlite;

    /// <summary>PostgreSQL connection string (from <c>ConnectionStrings:Postgres</c> or <c>CARELOOP_POSTGRES</c>).</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Explicit SQLite connection string; defaults to careloop.db in the data folder.</summary>
    public string? SqliteConnectionString { get; init; }

    public string SqlitePath => Path.Combine(Path.GetFullPath(DataFolder), "careloop.db");

    public string ConnectionString => Database == DatabaseProvider.Postgres
        ? PostgresConnectionString ?? throw new InvalidOperationException(
            "No PostgreSQL connection string: set ConnectionStrings:Postgres or CARELOOP_POSTGRES.")
        : SqliteConnectionString ?? $"Data Source={SqlitePath};Pooling=True;Default Timeout=30";
}
