using System.Diagnostics;
using System.Globalization;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Hosting;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Platform.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CareLoop.Bench;

/// <summary>
/// Webhook delivery through the outbox: N events (over 200 aggregates) are committed, then the server's own background
/// dispatcher signs and POSTs them to a loopback receiver. Measures deliveries per second until all are sent.
/// </summary>
public static class OutboxBench
{
    public static async Task<int> RunAsync(int events, DatabaseProvider database)
    {
        var received = 0;
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.Logging.ClearProviders();
        receiverBuilder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/hook", () => { Interlocked.Increment(ref received); return Results.Ok(); });
        await receiver.StartAsync();

        var folder = Directory.CreateTempSubdirectory("careloop-bench-").FullName;
        var options = ImportBench.ServerOptionsFor(new ImportBench.Options(events, database), folder);
        await using var app = CareLoopApp.Build(options, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Error);
            b.Configuration["Jobs:Enabled"] = "false";
            b.Services.AddWebhookEvent("bench.changed");
        });
        await CareLoopApp.PrepareDatabaseAsync(app.Services);
        await app.StartAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            db.WebhookSubscriptions.Add(new WebhookSubscription { Url = receiver.Urls.First() + "/hook", Events = ["bench.changed"], Secret = WebhookSignature.NewSecret() });
            await db.SaveChangesAsync();
        }

        var watch = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(0, events).Chunk(500))
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<WebhookPublisher>();
            foreach (var i in chunk)
            {
                await publisher.PublishAsync(db, "bench.changed", new { i, note = "工单已更新 ticket updated" }, "thing:" + (i % 200));
            }
            await db.SaveChangesAsync();
        }
        var enqueued = watch.Elapsed;
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            if (!await db.OutboxMessages.AnyAsync(m => m.Status != OutboxStatus.Sent))
            {
                break;
            }
            await Task.Delay(20);
        }
        watch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"outbox-webhooks [{database}]: {events} events committed in {enqueued.TotalSeconds:0.00} s, all {received} delivered signed in {watch.Elapsed.TotalSeconds:0.00} s = {events / watch.Elapsed.TotalSeconds:0} deliveries/s"));
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return received >= events ? 0 : 1;
    }
}
