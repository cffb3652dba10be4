using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CareLoop.Bench;

/// <summary>
/// add-business-time through the HTTP API (API-key auth, JSON, calendar load by code) with concurrent clients on
/// loopback: what an SLA engine or an integration sees, not just the arithmetic.
/// </summary>
public static class CalendarApiBench
{
    public static async Task<int> RunAsync(TimeSpan duration, int clients, DatabaseProvider database = DatabaseProvider.Sqlite)
    {
        var folder = Directory.CreateTempSubdirectory("careloop-bench-").FullName;
        var options = ImportBench.ServerOptionsFor(new ImportBench.Options(0, database), folder);
        await using var app = CareLoopApp.Build(options, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Configuration["RateLimits:Enabled"] = "false";
        });
        await CareLoopApp.PrepareDatabaseAsync(app.Services);
        await app.StartAsync();
        string token;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            (_, token) = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("bench", Roles.Agent, null, null, default);
        }
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var count = 0L;
        var watch = Stopwatch.StartNew();
        async Task Client(int n)
        {
            var i = 0;
            while (watch.Elapsed < duration)
            {
                var start = new DateTimeOffset(2026, 4, 1, 8, 0, 0, TimeSpan.FromHours(8)).AddMinutes((n * 7919 + i++ * 37) % 100_000);
                var body = $"{{\"start\":\"{start:yyyy-MM-ddTHH:mm:sszzz}\",\"minutes\":1440}}";
                using var response = await http.PostAsync("/api/v1/calendars/cn-mainland/add-business-time", new StringContent(body, Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref count);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(Client));
        watch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calendar-api [{database}]: {count} add-business-time requests with {clients} clients in {watch.Elapsed.TotalSeconds:0.0} s = {count / watch.Elapsed.TotalSeconds:0} requests/s"));
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return 0;
    }
}
