using System.CommandLine;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Demo;
using CareLoop.Server.Platform.Hosting;
using CareLoop.Server.Modules.Commerce;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Cli;

/// <summary>The command line of the careloop binary. Messages go to stderr; only requested output goes to stdout.</summary>
public static class CliApp
{
    private static readonly Option<string> DataOption = new("--data")
    {
        Description = "Folder of the SQLite database and stored files (default: data).",
        DefaultValueFactory = _ => "data",
        Recursive = true,
    };

    private static readonly Option<string> DbOption = new("--db")
    {
        Description = "Database: sqlite (default) or postgres (connection string from ConnectionStrings:Postgres or CARELOOP_POSTGRES).",
        DefaultValueFactory = _ => "sqlite",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        DbOption.AcceptOnlyFromAmong("sqlite", "postgres");
        var root = new RootCommand("CareLoop — after-sales service and quality control for e-commerce. Without a verb, serves the product.");
        root.Options.Add(DataOption);
        root.Options.Add(DbOption);

        var serve = ServeCommand();
        root.Subcommands.Add(serve);
        root.Subcommands.Add(MigrateCommand());
        root.Subcommands.Add(DemoCommand());
        root.Subcommands.Add(ImportCommand());
        root.Subcommands.Add(UsersCommand());
        root.Subcommands.Add(ApiKeysCommand());

        // `careloop` alone (or with only global and serve options) serves; global options may precede a verb.
        var verbs = root.Subcommands.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var asksForHelp = args.Any(a => a is "--help" or "-h" or "-?" or "--version");
        var effective = FirstBareWord(args) is { } verb && verbs.Contains(verb) || asksForHelp ? args : ["serve", .. args];
        var parse = root.Parse(effective);
        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>The first argument that is neither an option nor an option's value: the verb, if any.</summary>
    private static string? FirstBareWord(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--data" or "--db" or "--urls")
            {
                i++;
            }
            else if (!args[i].StartsWith('-'))
            {
                return args[i];
            }
        }
        return null;
    }

    private static ServerOptions Options(ParseResult parse, string? urls = null)
    {
        var config = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        return new ServerOptions
        {
            DataFolder = parse.GetValue(DataOption) ?? "data",
            Database = parse.GetValue(DbOption) == "postgres" ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite,
            PostgresConnectionString = config.GetConnectionString("Postgres") ?? Environment.GetEnvironmentVariable("CARELOOP_POSTGRES"),
            Urls = urls,
        };
    }

    private static Command ServeCommand()
    {
        var urls = new Option<string?>("--urls") { Description = $"URLs to listen on (default {ServerOptions.DefaultUrl})." };
        var noDemo = new Option<bool>("--no-demo") { Description = "Do not load the demo marketplace on first start." };
        var cmd = new Command("serve", "Serve the web UI and API (the default verb). Applies migrations; loads demo data on first start.");
        cmd.Options.Add(urls);
        cmd.Options.Add(noDemo);
        cmd.SetAction(async (parse, ct) =>
        {
            var options = Options(parse, parse.GetValue(urls));
            var app = CareLoopApp.Build(options);
            await CareLoopApp.PrepareDatabaseAsync(app.Services, ct);
            var demoNote = "";
            if (!parse.GetValue(noDemo))
            {
                var loaded = await DemoData.LoadIfEmptyAsync(app.Services, DemoScale.Default, ct);
                demoNote = loaded ? " (demo marketplace loaded)" : "";
            }
            await app.StartAsync(ct);
            var addresses = string.Join(", ", app.Urls);
            Console.Error.WriteLine($"CareLoop is running at {addresses}{demoNote}");
            Console.Error.WriteLine(DemoData.LoginsText);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return cmd;
    }

    private static Command MigrateCommand()
    {
        var cmd = new Command("migrate", "Apply pending database migrations and seed the built-in calendars and roles.");
        cmd.SetAction(async (parse, ct) =>
        {
            await using var session = await CliSession.OpenAsync(Options(parse), ct);
            Console.Error.WriteLine("Database is up to date.");
            return 0;
        });
        return cmd;
    }

    private static Command DemoCommand()
    {
        var orders = new Option<int>("--orders") { Description = "Number of orders to generate (default 20000).", DefaultValueFactory = _ => DemoScale.Default.Orders };
        var cmd = new Command("demo", "Load the deterministic demo marketplace (merchants, suppliers, products, customers, orders, shipments, tracking) and the demo logins.");
        cmd.Options.Add(orders);
        cmd.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(orders);
            if (n < 1 || n > 10_000_000)
            {
                Console.Error.WriteLine("error: --orders must be between 1 and 10000000.");
                return 2;
            }
            await using var session = await CliSession.OpenAsync(Options(parse), ct);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var loaded = await DemoData.LoadIfEmptyAsync(session.Services, DemoScale.ForOrders(n), ct, progress: Console.Error);
            Console.Error.WriteLine(loaded
                ? $"Demo marketplace loaded in {watch.Elapsed.TotalSeconds:0.0} s."
                : "The database already holds demo data; nothing loaded.");
            Console.Error.WriteLine(DemoData.LoginsText);
            return 0;
        });
        return cmd;
    }

    private static Command ImportCommand()
    {
        var kind = new Argument<string>("kind") { Description = "merchants, suppliers, categories, products, lots, customers, orders, shipments or tracking-events." };
        var file = new Argument<FileInfo>("file") { Description = "A .csv or .jsonl file; all-or-nothing per file." };
        var cmd = new Command("import", "Load records from a CSV or JSON-lines file through the same rules as the integration API. Errors name the line.");
        cmd.Arguments.Add(kind);
        cmd.Arguments.Add(file);
        cmd.SetAction(async (parse, ct) =>
        {
            await using var session = await CliSession.OpenAsync(Options(parse), ct);
            return await FileImport.RunAsync(session.Services, parse.GetValue(kind)!, parse.GetValue(file)!, Console.Error, ct);
        });
        return cmd;
    }

    private static Command UsersCommand()
    {
        var role = new Option<string>("--role") { Description = "One of: " + string.Join(", ", Roles.All), Required = true };
        var email = new Option<string>("--email") { Description = "The user's e-mail (their sign-in name).", Required = true };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input." };
        var merchant = new Option<string?>("--merchant") { Description = "External id of the merchant a merchant user acts for." };
        var customer = new Option<string?>("--customer") { Description = "External id of the customer a customer user is." };
        var name = new Option<string?>("--name") { Description = "Display name." };
        var create = new Command("create", "Create a user who signs in to the UI.");
        foreach (var o in new Option[] { role, email, passwordStdin, merchant, customer, name }) create.Options.Add(o);
        create.SetAction(async (parse, ct) =>
        {
            var r = parse.GetValue(role)!;
            if (!Roles.IsKnown(r) || r == Roles.Integration)
            {
                Console.Error.WriteLine($"error: --role must be one of {string.Join(", ", Roles.All.Where(x => x != Roles.Integration))}.");
                return 2;
            }
            if (!parse.GetValue(passwordStdin))
            {
                Console.Error.WriteLine("error: pass the password on standard input with --password-stdin.");
                return 2;
            }
            var password = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r') ?? "";
            await using var session = await CliSession.OpenAsync(Options(parse), ct);
            var db = session.Services.GetRequiredService<CareLoopDbContext>();
            var (merchantId, customerId, error) = await Bind(db, r, parse.GetValue(merchant), parse.GetValue(customer), ct);
            if (error is not null)
            {
                Console.Error.WriteLine("error: " + error);
                return 2;
            }
            var users = session.Services.GetRequiredService<UserManager<User>>();
            var e = parse.GetValue(email)!;
            var user = new User
            {
                Id = Guid.CreateVersion7(), UserName = e, Email = e, EmailConfirmed = true,
                DisplayName = parse.GetValue(name) ?? e, MerchantId = merchantId, CustomerId = customerId,
                CreatedAt = session.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
            };
            var result = await users.CreateAsync(user, password);
            if (result.Succeeded) result = await users.AddToRoleAsync(user, r);
            if (!result.Succeeded)
            {
                foreach (var err in result.Errors) Console.Error.WriteLine($"error: {err.Description}");
                return 1;
            }
            Console.Error.WriteLine($"User {e} created with role {r}.");
            return 0;
        });
        var cmd = new Command("users", "Manage users who sign in to the UI.");
        cmd.Subcommands.Add(create);
        return cmd;
    }

    private static Command ApiKeysCommand()
    {
        var role = new Option<string>("--role") { Description = "One of: " + string.Join(", ", Roles.All), Required = true };
        var merchant = new Option<string?>("--merchant") { Description = "External id of the merchant the key is bound to (required for role merchant)." };
        var customer = new Option<string?>("--customer") { Description = "External id of the customer the key is bound to (required for role customer)." };
        var name = new Option<string>("--name") { Description = "What the key is for.", Required = true };
        var create = new Command("create", "Create an API key. Prints only the key on stdout, once; it cannot be shown again.");
        foreach (var o in new Option[] { role, merchant, customer, name }) create.Options.Add(o);
        create.SetAction(async (parse, ct) =>
        {
            var r = parse.GetValue(role)!;
            if (!Roles.IsKnown(r))
            {
                Console.Error.WriteLine($"error: --role must be one of {string.Join(", ", Roles.All)}.");
                return 2;
            }
            await using var session = await CliSession.OpenAsync(Options(parse), ct);
            var db = session.Services.GetRequiredService<CareLoopDbContext>();
            var (merchantId, customerId, error) = await Bind(db, r, parse.GetValue(merchant), parse.GetValue(customer), ct);
            if (error is not null)
            {
                Console.Error.WriteLine("error: " + error);
                return 2;
            }
            var (_, token) = await session.Services.GetRequiredService<ApiKeyService>()
                .CreateAsync(parse.GetValue(name)!, r, merchantId, customerId, ct);
            Console.Error.WriteLine($"API key created for role {r}. Store it now: it is shown only once.");
            Console.Out.WriteLine(token);
            return 0;
        });
        var keyId = new Argument<string>("keyId") { Description = "The key id: the part between cl_ and the second underscore." };
        var revoke = new Command("revoke", "Revoke an API key; every server refuses it within the key cache time (10 s by default).");
        revoke.Arguments.Add(keyId);
        revoke.SetAction(async (parse, ct) =>
        {
            await using var session = await CliSession.OpenAsync(Options(parse), ct);
            var id = parse.GetValue(keyId)!;
            if (!await session.Services.GetRequiredService<ApiKeyService>().RevokeAsync(id, ct))
            {
                Console.Error.WriteLine($"error: no API key '{id}'.");
                return 1;
            }
            Console.Error.WriteLine($"API key {id} revoked.");
            return 0;
        });
        var list = new Command("list", "List API keys (id, role, name, created, revoked); secrets are never shown.");
        list.SetAction(async (parse, ct) =>
        {
            await using var session = await CliSession.OpenAsync(Options(parse), ct);
            var db = session.Services.GetRequiredService<CareLoopDbContext>();
            foreach (var k in await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct))
            {
                Console.Out.WriteLine(string.Join('\t', k.KeyId, k.Role, k.Name, k.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                    k.RevokedAt is { } r ? "revoked " + r.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "active"));
            }
            return 0;
        });
        var cmd = new Command("apikeys", "Manage API keys for integrations and scripts.");
        cmd.Subcommands.Add(create);
        cmd.Subcommands.Add(list);
        cmd.Subcommands.Add(revoke);
        return cmd;
    }

    /// <summary>The merchant or customer a role is bound to, by the same rules as API keys created through the API.</summary>
    private static async Task<(Guid? Merchant, Guid? Customer, string? Error)> Bind(
        CareLoopDbContext db, string role, string? merchantExternalId, string? customerExternalId, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var (merchantId, customerId) = await ApiKeyRequests.ValidateAsync(
            new ApiKeyBody(role, role, merchantExternalId, customerExternalId), db, errors, ct);
        return errors.Any
            ? (null, null, string.Join(Environment.NewLine + "error: ", errors.All().Select(e => $"--{e.Field}: {e.Message}")))
            : (merchantId, customerId, null);
    }
}

/// <summary>What a verb works in: the services, a migrated and seeded database, and one scope (disposed together).</summary>
internal sealed class CliSession : IAsyncDisposable
{
    private readonly ServiceProvider _root;
    private readonly AsyncServiceScope _scope;

    private CliSession(ServiceProvider root)
    {
        _root = root;
        _scope = root.CreateAsyncScope();
    }

    public IServiceProvider Services => _scope.ServiceProvider;

    /// <summary>Builds the services and applies pending migrations, so every verb works on a current database.</summary>
    public static async Task<CliSession> OpenAsync(ServerOptions options, CancellationToken ct)
    {
        var root = CliServices.Build(options);
        try
        {
            await CareLoopApp.PrepareDatabaseAsync(root, ct);
        }
        catch
        {
            await root.DisposeAsync();
            throw;
        }
        return new CliSession(root);
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _root.DisposeAsync();
    }
}

/// <summary>The services CLI verbs need, without the web host.</summary>
public static class CliServices
{
    public static ServiceProvider Build(ServerOptions options)
    {
        var services = new ServiceCollection();
        // Logs go to stderr: stdout carries only what a verb prints (a new API key, a list).
        services.AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Microsoft", LogLevel.Warning)
            .SetMinimumLevel(LogLevel.Warning));
        services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services.AddSingleton(TimeProvider.System);
        services.AddCareLoopData(options);
        services.AddCareLoopAuth();
        // Anything the CLI protects (e.g. Identity tokens) uses the instances' shared key ring.
        services.AddCareLoopDataProtection();
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables("CARELOOP__").Build();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddCareLoopModules(configuration);
        services.AddScoped<Audit.CurrentActor>(_ => new Audit.CurrentActor { Name = "cli" });
        return services.BuildServiceProvider();
    }
}
