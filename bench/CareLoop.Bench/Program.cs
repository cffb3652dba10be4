using BenchmarkDotNet.Running;
using CareLoop.Bench;

// careloop benchmarks:
//   --smoke                       quick run of every benchmark (used by ./test.sh, under 60 s)
//   calendar                      BenchmarkDotNet: calendar add-business-time and minutes-between
//   calendar-api                  add-business-time through the HTTP API, 16 concurrent clients (requests/s)
//   import-api [--orders N]       bulk order import through POST /api/v1/orders/bulk (records/s)
//   import-cli [--orders N]       bulk order import through `careloop import orders file.jsonl` (records/s)
//   demo [--orders N]             the demo generator through the bulk path (orders/s)
//   outbox [--orders N]           N webhook events committed and delivered signed to a loopback receiver (deliveries/s)
//   tickets-api [--clients 32] [--seconds 15] [--warmup 60]   ticket intake over HTTP after a warm-up, then GET /api/v1/me the same way
//   intake-profile                one client: ms per ticket, EF Core SaveChanges time, SQL commands, CPU and allocation per ticket
//   desk-scale [--tickets N]      N open tickets: queue p99, escalation scan pass, search p99, server RSS
//   [--db postgres]               run the import benchmarks on PostgreSQL (CARELOOP_POSTGRES)
var verb = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "";
if (args.Contains("--smoke"))
{
    return await Smoke.RunAsync();
}
return verb switch
{
    "calendar" => RunCalendar(args),
    "calendar-api" => await CalendarApiBench.RunAsync(TimeSpan.FromSeconds(15), 16, ImportBench.Options.Parse(args).Database),
    "import-api" => await ImportBench.ApiAsync(ImportBench.Options.Parse(args)),
    "import-cli" => await ImportBench.CliAsync(ImportBench.Options.Parse(args)),
    "demo" => await ImportBench.DemoAsync(ImportBench.Options.Parse(args)),
    "outbox" => await OutboxBench.RunAsync(ImportBench.Options.Parse(args, 20_000).Orders, ImportBench.Options.Parse(args).Database),
    "tickets-api" => await DeskBench.TicketsApiAsync(ImportBench.Options.Parse(args), IntArg(args, "--clients", 32), TimeSpan.FromSeconds(IntArg(args, "--seconds", 15)), TimeSpan.FromSeconds(IntArg(args, "--warmup", 60))),
    "desk-scale" => await DeskScaleBench.RunAsync(ImportBench.Options.Parse(args), IntArg(args, "--tickets", 1_000_000)),
    "intake-profile" => await IntakeProfile.RunAsync(),
    _ => Usage(),
};

static int RunCalendar(string[] args)
{
    BenchmarkRunner.Run<CalendarBenchmarks>(args: args.Where(a => a != "calendar").ToArray());
    return 0;
}

static int IntArg(string[] args, string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}

static int Usage()
{
    Console.Error.WriteLine("usage: CareLoop.Bench --smoke | calendar | import-api [--orders N] [--db postgres] | import-cli [--orders N] [--db postgres] | demo [--orders N] [--db postgres]");
    return 2;
}
