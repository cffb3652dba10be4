using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CareLoop.Server.Modules.Commerce;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Cli;
using CareLoop.Server.Platform.Demo;
using CareLoop.Server.Platform.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CareLoop.Bench;

/// <summary>Bulk-import benchmarks: orders with lines through the API, the CLI import and the demo generator.</summary>
public static class ImportBench
{
    public sealed record Options(int Orders, DatabaseProvider Database)
    {
        public static Options Parse(string[] args, int defaultOrders = 20_000)
        {
            var orders = defaultOrders;
            var i = Array.IndexOf(args, "--orders");
            if (i >= 0 && i + 1 < args.Length) orders = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            var db = args.Contains("postgres") ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
            return new Options(orders, db);
        }
    }

    internal static ServerOptions ServerOptionsFor(Options o, string folder)
    {
        var pg = Environment.GetEnvironmentVariable("CARELOOP_POSTGRES");
        if (o.Database == DatabaseProvider.Postgres && pg is not null)
        {
            // A fresh database per run.
            var b = new Npgsql.NpgsqlConnectionStringBuilder(pg) { Database = "careloop_bench_" + Guid.NewGuid().ToString("N")[..8] };
            pg = b.ConnectionString;
        }
        return new ServerOptions { DataFolder = folder, Database = o.Database, PostgresConnectionString = pg, Urls = "http://127.0.0.1:0" };
    }

    /// <summary>Orders as the bulk API and JSONL import take them, referencing the demo catalogue.</summary>
    public static IEnumerable<Dictionary<string, object?>> Orders(int count, string prefix)
    {
        // The demo catalogue is deterministic: the same generator tells which products each merchant sells.
        var demo = new DemoGenerator(DemoScale.ForOrders(1), DateTime.UtcNow);
        var merchants = demo.Merchants.ToDictionary(m => m.Id, m => m.ExternalId);
        var catalogue = demo.Products.GroupBy(p => merchants[p.MerchantId]).ToDictionary(g => g.Key, g => g.Select(p => p.ExternalId).ToArray());
        var merchantIds = catalogue.Keys.Order().ToArray();
        var random = new Random(42);
        for (var i = 0; i < count; i++)
        {
            var number = $"{prefix}{i + 1:0000000}";
            var merchant = merchantIds[random.Next(merchantIds.Length)];
            var products = catalogue[merchant];
            var lines = Enumerable.Range(1, 1 + random.Next(3)).Select(l => new Dictionary<string, object?>
            {
                ["externalId"] = $"{number}-{l}",
                ["product"] = products[random.Next(products.Length)],
                ["quantity"] = 1 + random.Next(2),
                ["unitPrice"] = new { amount = (99 + random.Next(900)).ToString("0.00", CultureInfo.InvariantCulture), currency = "CNY" },
            }).ToList();
            yield return new Dictionary<string, object?>
            {
                ["externalId"] = number,
                ["merchant"] = merchant,
                ["customer"] = $"C{1 + random.Next(10):000000}",
                ["paidAt"] = "2026-11-01T10:00:00+08:00",
                ["paymentMethod"] = "alipay",
                ["shippingFee"] = new { amount = "8.00", currency = "CNY" },
                ["deliveryAddress"] = new { province = "浙江省", city = "杭州市", district = "西湖区", line = "文三路 1 号" },
                ["lines"] = lines,
            };
        }
    }

    private static async Task<WebApplication> StartServerAsync(ServerOptions options)
    {
        var app = CareLoopApp.Build(options, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Configuration["RateLimits:Enabled"] = "false";
        });
        await CareLoopApp.PrepareDatabaseAsync(app.Services);
        await DemoData.LoadIfEmptyAsync(app.Services, DemoScale.ForOrders(1), CancellationToken.None);
        await app.StartAsync();
        return app;
    }

    public static async Task<int> ApiAsync(Options o)
    {
        var folder = Directory.CreateTempSubdirectory("careloop-bench-").FullName;
        await using var app = await StartServerAsync(ServerOptionsFor(o, folder));
        string token;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            (_, token) = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("bench", Roles.Integration, null, null, default);
        }
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var batches = Orders(o.Orders, "BA").Chunk(1000).Select(c => JsonSerializer.Serialize(new { items = c })).ToList();
        var lines = 0L;
        var watch = Stopwatch.StartNew();
        // Two clients post batches concurrently, as two shop connectors would.
        var queue = new System.Collections.Concurrent.ConcurrentQueue<string>(batches);
        async Task Worker()
        {
            while (queue.TryDequeue(out var body))
            {
                using var response = await http.PostAsync("/api/v1/orders/bulk", new StringContent(body, Encoding.UTF8, "application/json"));
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"bulk import answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
        await Task.WhenAll(Worker(), Worker());
        watch.Stop();
        lines = Orders(o.Orders, "BA").Sum(x => ((System.Collections.ICollection)x["lines"]!).Count);
        Report("import-api", o, watch.Elapsed, lines);
        await app.StopAsync();
        Cleanup(folder);
        return 0;
    }

    public static async Task<int> CliAsync(Options o)
    {
        var folder = Directory.CreateTempSubdirectory("careloop-bench-").FullName;
        var options = ServerOptionsFor(o, folder) with { Urls = null };
        await using (var sp = CliServices.Build(options))
        {
            await CareLoopApp.PrepareDatabaseAsync(sp);
            await DemoData.LoadIfEmptyAsync(sp, DemoScale.ForOrders(1), CancellationToken.None);
        }
        var file = Path.Combine(folder, "orders.jsonl");
        long lines = 0;
        await using (var writer = new StreamWriter(file))
        {
            foreach (var order in Orders(o.Orders, "BC"))
            {
                lines += ((System.Collections.ICollection)order["lines"]!).Count;
                await writer.WriteLineAsync(JsonSerializer.Serialize(order));
            }
        }
        var watch = Stopwatch.StartNew();
        int code;
        await using (var sp = CliServices.Build(options))
        await using (var scope = sp.CreateAsyncScope())
        {
            code = await FileImport.RunAsync(scope.ServiceProvider, "orders", new FileInfo(file), Console.Error, default);
        }
        watch.Stop();
        if (code != 0)
        {
            Console.Error.WriteLine($"import failed with exit code {code}");
            return code;
        }
        Report("import-cli", o, watch.Elapsed, lines);
        Cleanup(folder);
        return 0;
    }

    public static async Task<int> DemoAsync(Options o)
    {
        var folder = Directory.CreateTempSubdirectory("careloop-bench-").FullName;
        await using var sp = CliServices.Build(ServerOptionsFor(o, folder) with { Urls = null });
        await CareLoopApp.PrepareDatabaseAsync(sp);
        var watch = Stopwatch.StartNew();
        await DemoData.LoadIfEmptyAsync(sp, DemoScale.ForOrders(o.Orders), CancellationToken.None, Console.Error);
        watch.Stop();
        Report("demo", o, watch.Elapsed, null);
        Cleanup(folder);
        return 0;
    }

    private static void Cleanup(string folder)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private static void Report(string name, Options o, TimeSpan elapsed, long? lines)
    {
        var perSecond = o.Orders / elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} [{o.Database}]: {o.Orders} orders{(lines is { } l ? $" ({l} lines)" : "")} in {elapsed.TotalSeconds:0.00} s = {perSecond:0} orders/s"));
    }
}
