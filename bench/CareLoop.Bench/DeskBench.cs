using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using CareLoop.Domain.Commerce;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Modules.ServiceDesk;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Hosting;
using CareLoop.Server.Platform.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CareLoop.Bench;

/// <summary>
/// Service-desk benchmarks: ticket intake over HTTP with concurrent clients (against a trivial endpoint in the same
/// run), and the queue, the escalation scan and server memory at a large number of tickets.
/// </summary>
public static class DeskBench
{
    public sealed record LoadResult(long Count, double Seconds, double P50, double P99)
    {
        public double PerSecond => Count / Seconds;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static async Task<WebApplication> StartAsync(ServerOptions options, bool jobs)
    {
        var app = CareLoopApp.Build(options, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Configuration["RateLimits:Enabled"] = "false";
            b.Configuration["Jobs:Enabled"] = jobs ? "true" : "false";
        });
        await CareLoopApp.PrepareDatabaseAsync(app.Services);
        await app.StartAsync();
        return app;
    }

    private static async Task<string> KeyAsync(WebApplication app, string role)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("bench", role, null, null, default)).Token;
    }

    /// <summary>Customers C-BENCH-0..n-1 (every tenth a VIP), inserted in bulk.</summary>
    private static async Task<List<Guid>> CustomersAsync(WebApplication app, int n)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var now = DateTime.UtcNow;
        var customers = Enumerable.Range(0, n).Select(i => new Customer
        {
            ExternalId = F($"C-BENCH-{i}"), Name = F($"顾客{i}"), Phone = F($"1380000{i:D4}"), Email = F($"c{i}@bench.test"),
            Tier = i % 10 == 0 ? CustomerTier.Vip : CustomerTier.Regular, CreatedAt = now, UpdatedAt = now,
        }).ToList();
        await using var tx = await db.Database.BeginTransactionAsync();
        await new BulkInserter(db).InsertAsync(customers, default);
        await tx.CommitAsync();
        return customers.Select(c => c.Id).ToList();
    }

    /// <summary>Runs <paramref name="clients"/> loops of <paramref name="request"/> for the duration; latencies in ms.</summary>
    public static async Task<LoadResult> LoadAsync(TimeSpan duration, int clients, Func<int, long, Task> request)
    {
        var latencies = new List<double>[clients];
        var count = 0L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async n =>
        {
            var mine = latencies[n] = new List<double>(16_384);
            long i = 0;
            while (watch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await request(n, i++);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref count);
            }
        }));
        var seconds = watch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(count, seconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    public static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>POST /api/v1/tickets with concurrent clients (each request a new ticket), then GET /api/v1/me the same way.</summary>
    public static async Task<int> TicketsApiAsync(ImportBench.Options o, int clients, TimeSpan duration)
    {
        var folder = Directory.CreateTempSubdirectory("careloop-bench-").FullName;
        await using var app = await StartAsync(ImportBench.ServerOptionsFor(o, folder), jobs: true);
        var token = await KeyAsync(app, Roles.Integration);
        await CustomersAsync(app, 1000);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        string[] channels = ["web", "app", "chat", "phone", "email", "api"];
        string[] categories = ["logistics", "quality_issue", "return_refund", "refund_progress", "service_complaint", "invoice"];

        async Task Create(int client, long i)
        {
            var n = client * 1_000_003L + i;
            var body = F($$"""{"channel":"{{channels[n % channels.Length]}}","customer":{"externalId":"C-BENCH-{{n % 1000}}"},"category":"{{categories[n % categories.Length]}}","subject":"快递三天没动了 {{n}}","message":"订单一直显示运输中，三天没更新了，请帮忙查一下物流。"}""");
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/api/v1/tickets", content);
            if (response.StatusCode != System.Net.HttpStatusCode.Created)
            {
                throw new InvalidOperationException(F($"POST /api/v1/tickets answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}"));
            }
        }

        async Task Me(int client, long i)
        {
            using var response = await http.GetAsync("/api/v1/me");
            response.EnsureSuccessStatusCode();
        }

        await LoadAsync(TimeSpan.FromSeconds(2), clients, Create); // warm-up
        var tickets = await LoadAsync(duration, clients, Create);
        var me = await LoadAsync(duration, clients, Me);
        Console.WriteLine(F($"tickets-api [{o.Database}]: {tickets.Count} tickets with {clients} clients in {tickets.Seconds:0.0} s = {tickets.PerSecond:0} tickets/s, p50 {tickets.P50:0.0} ms, p99 {tickets.P99:0.0} ms"));
        Console.WriteLine(F($"  trivial GET /api/v1/me same run: {me.PerSecond:0} requests/s, p50 {me.P50:0.0} ms, p99 {me.P99:0.0} ms; intake/trivial = {tickets.PerSecond / me.PerSecond:0.00}"));
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return 0;
    }
}
