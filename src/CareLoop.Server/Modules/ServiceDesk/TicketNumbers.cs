using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>
/// Hands out ticket numbers before the creating transaction starts, so that transaction holds no lock longer than
/// its inserts. Numbers are reserved in blocks of <see cref="Block"/> (a PostgreSQL sequence, or on SQLite a counter
/// row updated in a short transaction of its own) and handed out from memory; the next block is fetched in the
/// background once half of the current one is used, so intake rarely waits for it. Numbers are unique across
/// instances and grow, but are not gap-free (a restart leaves the rest of a block unused) nor strictly in creation
/// order across instances.
/// </summary>
public sealed class TicketNumbers(IServiceScopeFactory scopes)
{
    public const string Sequence = "TicketNumbers";
    public const string CounterName = "ticket";
    public const long First = 100001;
    public const int Block = 50;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Queue<long> _reserved = new();
    private Task<List<long>>? _next;

    public async Task<long> NextAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            if (_next is { } pending && (pending.IsCompleted || _reserved.Count == 0))
            {
                _next = null;
                Reserve(await pending);
            }
            if (_reserved.Count == 0)
            {
                Reserve(await FetchAsync(ct));
            }
            if (_reserved.Count <= Block / 2 && _next is null)
            {
                _next = FetchAsync(CancellationToken.None);
            }
            return _reserved.Dequeue();
        }
        finally
        {
            _lock.Release();
        }
    }

    private void Reserve(List<long> numbers)
    {
        foreach (var n in numbers)
        {
            _reserved.Enqueue(n);
        }
    }

    private async Task<List<long>> FetchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        if (db.IsPostgres)
        {
            return await db.Database.SqlQueryRaw<long>(
                "SELECT nextval('\"TicketNumbers\"') AS \"Value\" FROM generate_series(1, {0}) ORDER BY 1", Block).ToListAsync(ct);
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Not composable (an UPDATE): read the list as is.
        var last = (await db.Database.SqlQueryRaw<long>(
            "UPDATE \"Counters\" SET \"Value\" = \"Value\" + {0} WHERE \"Name\" = 'ticket' RETURNING \"Value\"", Block).ToListAsync(ct))[0];
        await tx.CommitAsync(ct);
        return Enumerable.Range(0, Block).Select(i => last - Block + 1 + i).ToList();
    }
}
