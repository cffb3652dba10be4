using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace CareLoop.Server.Platform.Data;

public static class DataServices
{
    /// <summary>Registers the provider-specific DbContext as <see cref="CareLoopDbContext"/>.</summary>
    public static IServiceCollection AddCareLoopData(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(options);
        services.AddScoped<CallerScope>();
        services.AddScoped<CurrentActor>();
        services.AddSingleton<AuditInterceptor>();
        // Contexts come from a pool (ADR 18): each scope leases one and binds it to the caller's scope and actor.
        if (options.Database == DatabaseProvider.Postgres)
        {
            services.AddPooledDbContextFactory<PostgresCareLoopDbContext>((sp, o) =>
                ConfigurePostgres(o, options.ConnectionString).AddInterceptors(Interceptors(sp)));
            services.AddScoped<CareLoopDbContext>(Lease<PostgresCareLoopDbContext>);
        }
        else
        {
            Directory.CreateDirectory(Path.GetFullPath(options.DataFolder));
            services.AddSingleton<SqliteWriteGate>();
            services.AddHostedService<SqliteCheckpointer>();
            services.AddPooledDbContextFactory<SqliteCareLoopDbContext>((sp, o) =>
                ConfigureSqlite(o, options.ConnectionString).AddInterceptors(Interceptors(sp)).AddInterceptors(sp.GetRequiredService<SqliteWriteGate>()));
            services.AddScoped<CareLoopDbContext>(Lease<SqliteCareLoopDbContext>);
        }
        return services;
    }

    /// <summary>A pooled context for the scope, bound to its caller; the scope's end returns it to the pool.</summary>
    private static CareLoopDbContext Lease<TContext>(IServiceProvider scope) where TContext : CareLoopDbContext
    {
        var db = scope.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext();
        db.Bind(scope.GetRequiredService<CallerScope>(), scope.GetRequiredService<CurrentActor>());
        return db;
    }

    private static Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] Interceptors(IServiceProvider sp) =>
    [
        sp.GetRequiredService<Outbox.DomainEventInterceptor>(),
        sp.GetRequiredService<AuditInterceptor>(),
        sp.GetRequiredService<Outbox.OutboxCommitInterceptor>(),
        // The modules' own (a module registers its save interceptors as ISaveChangesInterceptor).
        .. sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.ISaveChangesInterceptor>(),
    ];

    private static readonly string MigrationsAssembly = typeof(CareLoopDbContext).Assembly.GetName().Name!;

    internal static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder o, string connectionString) =>
        o.UseSqlite(connectionString, s => s.MigrationsAssembly(MigrationsAssembly)
            .CommandTimeout(60))
         .AddInterceptors(new SqlitePragmaInterceptor());

    internal static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder o, string connectionString) =>
        o.UseNpgsql(WithPostgresDefaults(connectionString), n => n.MigrationsAssembly(MigrationsAssembly)
            .CommandTimeout(120));

    /// <summary>
    /// Connection settings CareLoop relies on unless the operator set them (ADR 17): pooled connections are not reset
    /// with <c>DISCARD ALL</c> on every return (CareLoop leaves no session state behind: no temporary tables, and its
    /// one advisory lock is released explicitly), and statements used repeatedly are prepared automatically, so the
    /// server parses and plans them once per connection.
    /// </summary>
    public static string WithPostgresDefaults(string connectionString)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var given = connectionString.ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal);
        if (!given.Contains("NORESETONCLOSE", StringComparison.Ordinal))
        {
            b.NoResetOnClose = true;
        }
        if (!given.Contains("MAXAUTOPREPARE", StringComparison.Ordinal))
        {
            b.MaxAutoPrepare = 100;
        }
        return b.ConnectionString;
    }

    /// <summary>Applies pending migrations (and turns on WAL for SQLite).</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        if (!db.IsPostgres)
        {
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
            await db.Database.MigrateAsync(ct);
            return;
        }
        // EF's migration lock on PostgreSQL ends with the transaction of one migration: with several pending, two
        // instances starting at once both apply the later ones ("relation already exists"). A session advisory
        // lock (key: "CareLoop" in ASCII) held on one connection across the whole run makes the second instance
        // wait, then find nothing pending.
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(ct))
        {
            try
            {
                await creator.CreateAsync(ct);
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DuplicateDatabase)
            {
                // Another instance created it first.
            }
        }
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(4855287652681740144)", ct);
            await db.Database.MigrateAsync(ct);
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(4855287652681740144)", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }
}

/// <summary>Sets per-connection SQLite pragmas: a busy timeout so concurrent writers wait instead of failing.</summary>
internal sealed class SqlitePragmaInterceptor : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        Apply(connection);
    }

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>Pooled native handles that already have the pragmas (they stick to the handle, not to the pooled wrapper).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Configured = [];

    private static void Apply(System.Data.Common.DbConnection connection)
    {
        if (connection is SqliteConnection sqlite && sqlite.Handle is { } handle && !Configured.TryGetValue(handle, out _))
        {
            Configured.AddOrUpdate(handle, handle);
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=100000;";
            cmd.ExecuteNonQuery();
        }
    }
}

/// <summary>Design-time factories so `dotnet ef` can build each provider's context.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCareLoopDbContext>
{
    public SqliteCareLoopDbContext CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<SqliteCareLoopDbContext>();
        DataServices.ConfigureSqlite(o, "Data Source=design.db");
        return new SqliteCareLoopDbContext(o.Options);
    }
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCareLoopDbContext>
{
    public PostgresCareLoopDbContext CreateDbContext(string[] args)
    {
        var o = new DbContextOptionsBuilder<PostgresCareLoopDbContext>();
        DataServices.ConfigurePostgres(o, "Host=localhost;Database=careloop_design");
        return new PostgresCareLoopDbContext(o.Options);
    }
}
