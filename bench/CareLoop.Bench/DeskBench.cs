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
using CareLoop.Server.Platform.Outbox;
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
    /// <param name="SlowWindows">How many of the run's 100-ms windows the slowest 1 % of requests started in: a few
    /// means pauses, many means queueing.</param>
    public sealed record LoadResult(long Count, double Seconds, double P50, double P99, int SlowWindows = 0)
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
        var latencies = new List<(double Started, double Ms)>[clients];
        var count = 0L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async n =>
        {
            var mine = latencies[n] = new List<(double, double)>(16_384);
            long i = 0;
            while (watch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var at = watch.Elapsed.TotalMilliseconds;
                await request(n, i++);
                mine.Add((at, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                Interlocked.Increment(ref count);
            }
        }));
        var seconds = watch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).OrderBy(l => l.Ms).ToArray();
        var ms = all.Select(l => l.Ms).ToArray();
        var p99 = Percentile(ms, 0.99);
        var slowWindows = all.Where(l => l.Ms >= p99).Select(l => (int)(l.Started / 100)).Distinct().Count();
        return new LoadResult(count, seconds, Percentile(ms, 0.50), p99, slowWindows);
    }

    public static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>Outbox messages not yet delivered (pending or retrying).</summary>
    private static async Task<int> OutboxWaitingAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CareLoopDbContext>().OutboxMessages
            .CountAsync(m => m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Retrying);
    }

    /// <summary>Outbox messages per ticket by kind and target (what intake asks the outbox to do).</summary>
    private static async Task<string> OutboxMixAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var tickets = Math.Max(1, await db.Tickets.CountAsync());
        // Domain events are told apart by their handler (the target); other kinds by event type only.
        var mix = await db.OutboxMessages
            .GroupBy(m => new { m.Kind, Target = m.Kind == DomainEventHandlerKind.Kind ? m.Target : "", m.EventType })
            .Select(g => new { g.Key.Kind, g.Key.Target, g.Key.EventType, Count = g.Count() }).ToListAsync();
        return string.Join("; ", mix.OrderByDescending(m => m.Count)
            .Select(m => F($"{m.Kind} {m.Target.Split('.').Last()} {m.EventType} {m.Count / (double)tickets:0.00}")));
    }

    /// <summary>POST /api/v1/tickets with concurrent clients (each request a new ticket), then GET /api/v1/me the same way.</summary>
    public static async Task<int> TicketsApiAsync(ImportBench.Options o, int clients, TimeSpan duration, TimeSpan warmup)
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

        await LoadAsync(warmup, clients, Create); // warm-up: until tiered compilation has settled
        if (o.Database == DatabaseProvider.Postgres)
        {
            // The database is a minute old: its statistics are those of empty tables until autovacuum's first round
            // (autovacuum_naptime, one minute by default). Analyze now, as autovacuum would, to measure the steady state.
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CareLoopDbContext>().Database.ExecuteSqlRawAsync("ANALYZE");
        }
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTime = System.Runtime.JitInfo.GetCompilationTime();
        var allocated = GC.GetTotalAllocatedBytes();
        var collections = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var paused = GC.GetTotalPauseDuration();
        var tickets = await LoadAsync(duration, clients, Create);
        var process = F($"process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / tickets.Count:0.00} ms/ticket (server and load client), allocated {(GC.GetTotalAllocatedBytes() - allocated) / tickets.Count / 1024.0:0.0} KB/ticket, GCs gen0 {GC.CollectionCount(0) - collections.Gen0} gen1 {GC.CollectionCount(1) - collections.Gen1} gen2 {GC.CollectionCount(2) - collections.Gen2} pausing {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:0} ms, pool threads {ThreadPool.ThreadCount}, methods compiled {System.Runtime.JitInfo.GetCompiledMethodCount() - jitted} in {(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:0} ms");
        var waiting = await OutboxWaitingAsync(app);
        var mix = await OutboxMixAsync(app);
        var me = await LoadAsync(duration, clients, Me);
        Console.WriteLine(F($"tickets-api [{o.Database}]: {tickets.Count} tickets with {clients} clients in {tickets.Seconds:0.0} s = {tickets.PerSecond:0} tickets/s, p50 {tickets.P50:0.0} ms, p99 {tickets.P99:0.0} ms (the slowest 1 % started in {tickets.SlowWindows} of {tickets.Seconds * 10:0} 100-ms windows)"));
        Console.WriteLine(F($"  {process}"));
        Console.WriteLine(F($"  outbox messages waiting when intake stopped: {waiting} (with Outbox:Enabled=false all of them)"));
        Console.WriteLine(F($"  outbox messages per ticket: {mix}"));
        if (o.Database == DatabaseProvider.Sqlite)
        {
            var wal = Directory.GetFiles(folder, "*-wal", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine(F($"  SQLite write-ahead log after the run: {wal / 1048576.0:0.0} MB"));
        }
        Console.WriteLine(F($"  trivial GET /api/v1/me same run: {me.PerSecond:0} requests/s, p50 {me.P50:0.0} ms, p99 {me.P99:0.0} ms; intake/trivial = {tickets.PerSecond / me.PerSecond:0.00}"));
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return 0;
    }
}

/// <summary>
/// The desk at scale: N open tickets bulk-loaded over 20 groups, then the escalation scan in process, and the queue
/// (and search) against a separate server process whose memory is read from /proc.
/// </summary>
public static class DeskScaleBench
{
    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public static readonly string[] Subjects =
    [
        "快递三天没动了", "申请退款一直没到账", "收到的商品有破损", "发错货了，颜色不对", "安装师傅没有按时上门", "发票抬头开错了",
        "退货运费谁承担", "电水壶用了两天就不加热", "价格保护申请", "物流显示已签收但没收到", "退款进度查询", "换货申请", "维修进度",
        "客服态度差投诉", "少发了一件", "会员积分没到账", "iPhone 15 屏幕有坏点", "洗衣机噪音很大", "空调不制冷", "优惠券无法使用",
    ];

    public static async Task<int> RunAsync(ImportBench.Options o, int tickets)
    {
        var folder = Directory.CreateTempSubdirectory("careloop-bench-").FullName;
        var options = ImportBench.ServerOptionsFor(o, folder);
        var app = CareLoopApp.Build(options, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Configuration["RateLimits:Enabled"] = "false";
            b.Configuration["Jobs:Enabled"] = "false";
        });
        await CareLoopApp.PrepareDatabaseAsync(app.Services);
        await app.StartAsync();
        var rng = new Random(42);
        var now = DateTime.UtcNow;
        var load = Stopwatch.StartNew();
        List<Guid> customers;
        List<Guid> groups;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            var cs = Enumerable.Range(0, 10_000).Select(i => new Customer
            {
                ExternalId = F($"C-SCALE-{i}"), Name = F($"顾客{i}"), Phone = F($"139{i:D8}"), CreatedAt = now, UpdatedAt = now,
                Tier = i % 20 == 0 ? CustomerTier.Vip : CustomerTier.Regular,
            }).ToList();
            var gs = Enumerable.Range(0, 20).Select(i => new SupportGroup { Code = F($"scale-{i}"), Name = F($"Group {i}"), CreatedAt = now, UpdatedAt = now }).ToList();
            await using var tx = await db.Database.BeginTransactionAsync();
            await new BulkInserter(db).InsertAsync(cs, default);
            await new BulkInserter(db).InsertAsync(gs, default);
            await tx.CommitAsync();
            customers = cs.Select(c => c.Id).ToList();
            groups = gs.Select(g => g.Id).ToList();
        }
        TicketStatus[] statuses = [TicketStatus.New, TicketStatus.Open, TicketStatus.Open, TicketStatus.Pending, TicketStatus.OnHold];
        string[] bodies =
        [
            "订单一直显示运输中，三天没更新了，请帮忙查一下物流。", "申请退款一周了还没到账，请尽快处理。", "收到的时候外包装就破了，里面的东西也坏了。",
            "师傅说好今天上午来安装，到现在也没来。", "颜色发错了，我要的是白色。", "The parcel says delivered but I never got it.",
        ];
        const int chunk = 20_000;
        for (var start = 0; start < tickets; start += chunk)
        {
            var rows = new List<Ticket>(chunk);
            var documents = new List<TicketSearchDocument>(chunk);
            for (var i = start; i < Math.Min(tickets, start + chunk); i++)
            {
                var created = now.AddMinutes(-rng.Next(0, 60 * 24 * 30));
                var ci = rng.Next(customers.Count);
                var t = new Ticket
                {
                    Number = 1_000_000 + i, CustomerId = customers[ci], Channel = (TicketChannel)rng.Next(8),
                    Category = (TicketCategory)rng.Next(14), Priority = (TicketPriority)rng.Next(4), Subject = Subjects[rng.Next(Subjects.Length)],
                    CreatedAt = created, UpdatedAt = created, LastActivityAt = created,
                };
                t.Assign(groups[i % groups.Count], null, created, "bench");
                var status = statuses[rng.Next(statuses.Length)];
                if (status != TicketStatus.New) t.ChangeStatus(status, created, "bench");
                t.SlaDueAt = status == TicketStatus.Pending ? null : now.AddMinutes(rng.Next(1, 60 * 24 * 30));
                t.SlaNextCheckAt = t.SlaDueAt is { } due ? due.AddMinutes(-30) : null;
                t.ClearEvents();
                rows.Add(t);
                documents.Add(new TicketSearchDocument
                {
                    TicketId = t.Id, Number = t.Number, UpdatedAt = created,
                    Tokens = SearchTokens.ForIndex(t.Number.ToString(CultureInfo.InvariantCulture), F($"139{ci:D8}"), t.Subject, bodies[rng.Next(bodies.Length)]),
                });
            }
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            await new BulkInserter(db).InsertAsync(rows, default);
            await new BulkInserter(db).InsertAsync(documents, default);
            await tx.CommitAsync();
        }
        load.Stop();
        Console.WriteLine(F($"desk-scale [{o.Database}]: loaded {tickets} open tickets (with their search documents) over {groups.Count} groups in {load.Elapsed.TotalSeconds:0} s"));

        // The scan: 100 real tickets whose history is an hour old (their 5-minute chat SLA breached), among N open ones.
        var token = (await Scoped(app, sp => sp.GetRequiredService<ApiKeyService>().CreateAsync("bench", Roles.Admin, null, null, default))).Token;
        using (var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            for (var i = 0; i < 100; i++)
            {
                var body = F($$"""{"channel":"chat","customer":{"externalId":"C-SCALE-{{i}}"},"subject":"在线咨询 {{i}}","message":"快递什么时候到？"}""");
                (await http.PostAsync("/api/v1/tickets", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            }
        }
        await Scoped(app, async sp =>
        {
            var db = sp.GetRequiredService<CareLoopDbContext>();
            var ids = await db.Tickets.Where(t => t.Channel == TicketChannel.Chat && t.Number < 1_000_000).Select(t => t.Id).ToListAsync();
            await db.TicketEvents.Where(e => ids.Contains(e.TicketId)).ExecuteUpdateAsync(s => s.SetProperty(e => e.At, e => e.At.AddHours(-1)));
            await db.Tickets.Where(t => ids.Contains(t.Id)).ExecuteUpdateAsync(s => s.SetProperty(t => t.SlaNextCheckAt, now.AddHours(-1)));
            return 0;
        });
        var job = ActivatorUtilities.CreateInstance<SlaEscalationJob>(app.Services);
        var pass = Stopwatch.StartNew();
        await job.RunAsync(new JobRunContext(SlaEscalationJob.Name, DateTime.UtcNow, JobTrigger.Manual, 0), default);
        pass.Stop();
        var alerts = await Scoped(app, sp => sp.GetRequiredService<CareLoopDbContext>().SlaAlerts.CountAsync());
        var empty = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var w = Stopwatch.StartNew();
            await job.RunAsync(new JobRunContext(SlaEscalationJob.Name, DateTime.UtcNow, JobTrigger.Manual, 0), default);
            empty.Add(w.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine(F($"  escalation scan: a pass over 100 due tickets (firing {alerts} alerts) {pass.Elapsed.TotalMilliseconds:0} ms; a pass with nothing due {empty.Order().ElementAt(10):0.0} ms median, {empty.Max():0.0} ms max"));
        var agentToken = (await Scoped(app, sp => sp.GetRequiredService<ApiKeyService>().CreateAsync("bench-agent", Roles.Agent, null, null, default))).Token;
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // A separate server process on the loaded database: queue latency and its memory.
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "careloop.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "serve", "--urls", F($"http://127.0.0.1:{port}"), "--data", folder, "--no-demo" }) psi.ArgumentList.Add(a);
        if (o.Database == DatabaseProvider.Postgres)
        {
            psi.ArgumentList.Add("--db");
            psi.ArgumentList.Add("postgres");
            psi.Environment["CARELOOP_POSTGRES"] = options.PostgresConnectionString;
        }
        psi.Environment["Jobs__Enabled"] = "false";
        psi.Environment["RateLimits__Enabled"] = "false";
        using var server = Process.Start(psi)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(F($"http://127.0.0.1:{port}")) };
            for (var i = 0; i < 240; i++)
            {
                try { if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
                await Task.Delay(500);
            }
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", agentToken);
            var queue = (await TimeAsync(http, 600, i => F($"/api/v1/tickets?group={groups[i % groups.Count]}&limit=50")))!;
            var all = (await TimeAsync(http, 300, _ => "/api/v1/tickets?limit=50"))!;
            var me = (await TimeAsync(http, 600, _ => "/api/v1/me"))!;
            Console.WriteLine(F($"  queue (a group's open tickets by SLA due, first 50): p50 {queue.P50:0.0} ms, p99 {queue.P99:0.0} ms; all groups: p50 {all.P50:0.0} ms, p99 {all.P99:0.0} ms; trivial /api/v1/me p99 {me.P99:0.0} ms"));
            var search = await TimeAsync(http, 300, i => "/api/v1/tickets/search?q=" + Uri.EscapeDataString(i % 2 == 0 ? "退款" : "快递") + "&limit=50", allowMissing: true);
            if (search is not null)
            {
                Console.WriteLine(F($"  search for a two-character term (退款 / 快递): p50 {search.P50:0.0} ms, p99 {search.P99:0.0} ms"));
            }
            // One character: a prefix query over every token starting with it (ADR 13); both are common in the bench texts.
            var single = await TimeAsync(http, 300, i => "/api/v1/tickets/search?q=" + Uri.EscapeDataString(i % 2 == 0 ? "退" : "坏") + "&limit=50", allowMissing: true);
            if (single is not null)
            {
                Console.WriteLine(F($"  search for a one-character term (退 / 坏): p50 {single.P50:0.0} ms, p99 {single.P99:0.0} ms"));
            }
            var rss = File.ReadAllLines(F($"/proc/{server.Id}/status")).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            Console.WriteLine(F($"  server process memory after serving: {rss.Split(':')[1].Trim()}"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static async Task<T> Scoped<T>(WebApplication app, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static async Task<DeskBench.LoadResult?> TimeAsync(HttpClient http, int n, Func<int, string> url, bool allowMissing = false)
    {
        var times = new List<double>(n);
        for (var i = -20; i < n; i++)
        {
            var w = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(url(i + 20));
            if (allowMissing && response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
            if (i >= 0) times.Add(Stopwatch.GetElapsedTime(w).TotalMilliseconds);
        }
        var sorted = times.Order().ToArray();
        return new DeskBench.LoadResult(n, times.Sum() / 1000, DeskBench.Percentile(sorted, 0.5), DeskBench.Percentile(sorted, 0.99));
    }
}
