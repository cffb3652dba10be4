using System.Diagnostics;
using CareLoop.Server.Modules.ServiceDesk;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CareLoop.Bench;

/// <summary>
/// Where a ticket's intake time goes, one client at a time: time per ticket, EF Core SaveChanges time, and the SQL
/// commands (count and mean duration) seen through EF Core's diagnostic events. The outbox is off, so only intake runs.
/// </summary>
public sealed class IntakeProfile : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private static double SaveMs, CommandMs; private static int Saves, Commands;
    [ThreadStatic] private static long _saveStart;
    public void OnNext(DiagnosticListener l) { if (l.Name == "Microsoft.EntityFrameworkCore") l.Subscribe(this); }
    public void OnNext(KeyValuePair<string, object?> kv)
    {
        if (kv.Key.EndsWith("SaveChangesStarting", StringComparison.Ordinal)) _saveStart = Stopwatch.GetTimestamp();
        else if (kv.Key.EndsWith("SaveChangesCompleted", StringComparison.Ordinal)) { SaveMs += Stopwatch.GetElapsedTime(_saveStart).TotalMilliseconds; Saves++; }
        else if (kv.Value is CommandExecutedEventData e) { CommandMs += e.Duration.TotalMilliseconds; Commands++; }
    }
    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public static async Task<int> RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("careloop-bench-").FullName;
        var options = ImportBench.ServerOptionsFor(new ImportBench.Options(0, DatabaseProvider.Sqlite), folder);
        await using var app = CareLoopApp.Build(options, configure: b => { b.Logging.SetMinimumLevel(LogLevel.Warning); b.Configuration["Jobs:Enabled"] = "false"; b.Configuration["Outbox:Enabled"] = "false"; });
        await CareLoopApp.PrepareDatabaseAsync(app.Services);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        string token;
        await using (var scope = app.Services.CreateAsyncScope())
            (_, token) = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("p", Roles.Integration, null, null, default);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        (await http.PutAsync("/api/v1/customers/C1", new StringContent("{\"name\":\"x\"}", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        using var sub = DiagnosticListener.AllListeners.Subscribe(new IntakeProfile());
        // Eight rounds: tiered compilation settles after the first thousand or so requests.
        for (var round = 0; round < 8; round++)
        {
            SaveMs = CommandMs = 0; Saves = Commands = 0;
            var w = Stopwatch.StartNew();
            var allocated = GC.GetTotalAllocatedBytes();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < 300; i++)
            {
                var r = await http.PostAsync("/api/v1/tickets", new StringContent("{\"channel\":\"chat\",\"customer\":{\"externalId\":\"C1\"},\"subject\":\"快递\",\"message\":\"快递没到\"}", System.Text.Encoding.UTF8, "application/json"));
                r.EnsureSuccessStatusCode();
            }
            Console.WriteLine($"round {round}: {w.Elapsed.TotalMilliseconds / 300:0.00} ms/ticket; SaveChanges {Saves} x {SaveMs / Math.Max(1, Saves):0.00} ms; commands {Commands} ({Commands / 300.0:0.0}/ticket) x {CommandMs / Math.Max(1, Commands):0.000} ms; "
                + $"process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 300:0.00} ms/ticket, allocated {(GC.GetTotalAllocatedBytes() - allocated) / 300 / 1024} KB/ticket");
        }
        return 0;
    }
}
