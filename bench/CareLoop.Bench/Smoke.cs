using System.Diagnostics;
using System.Globalization;
using CareLoop.Domain.Calendars;
using CareLoop.Server.Platform.Hosting;

namespace CareLoop.Bench;

/// <summary>A quick run of every benchmark, so ./test.sh proves they still work (not a measurement).</summary>
public static class Smoke
{
    public static async Task<int> RunAsync()
    {
        var calendar = new BusinessCalendar(BuiltInCalendars.CnMainlandDefinition);
        var start = new DateTimeOffset(2026, 4, 30, 17, 30, 0, TimeSpan.FromHours(8));
        var watch = Stopwatch.StartNew();
        var n = 0;
        while (watch.ElapsedMilliseconds < 1000)
        {
            calendar.AddBusinessTime(start.AddMinutes(n % 10_000), 24 * 60);
            n++;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"calendar add-business-time (24 h on cn-mainland): {n / watch.Elapsed.TotalSeconds:0} ops/s"));
        await CalendarApiBench.RunAsync(TimeSpan.FromSeconds(2), 4);
        var options = new ImportBench.Options(2000, DatabaseProvider.Sqlite);
        var code = await ImportBench.ApiAsync(options);
        if (code == 0) code = await ImportBench.CliAsync(options);
        if (code == 0) code = await OutboxBench.RunAsync(300, DatabaseProvider.Sqlite);
        return code;
    }
}
