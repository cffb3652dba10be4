using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>
/// Hands out ticket numbers before the creating transaction starts, so that transaction holds no lock longer than
/// its inserts: a PostgreSQL sequence, or on SQLite blocks of <see cref="Block"/> numbers reserved from a counter row
/// in a short transaction of their own and handed out from memory. Numbers are unique across instances and grow,
/// but are not gap-free (a restart leaves the rest of a block unused) nor strictly in creation order across instances.
/// </summary>
public sealed class TicketNumbers
{
    public const string Sequence = "TicketNumbers";
    public const string CounterName = "ticket";
    public const long First = 100001;
    public const int Block = 50;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private long _next;
    private long _end;

    public async Task<long> NextAsync(CareLoopDbContext db, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            return await NextFromDatabaseAsync(db, 1, ct);
        }
        await _lock.WaitAsync(ct);
        try
        {
            if (_next >= _end)
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var last = await NextFromDatabaseAsync(db, Block, ct);
                await tx.CommitAsync(ct);
                _next = last - Block + 1;
                _end = last + 1;
            }
            return _next++;
        }
        finally
        {
            _lock.Release();
        }
    }

    private static async Task<long> NextFromDatabaseAsync(CareLoopDbContext db, int count, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            return (await db.Database.SqlQueryRaw<long>("SELECT nextval('\"TicketNumbers\"') AS \"Value\"").ToListAsync(ct))[0];
        }
        // Not composable (an UPDATE): read the list as is.
        return (await db.Database.SqlQueryRaw<long>(
            "UPDATE \"Counters\" SET \"Value\" = \"Value\" + {0} WHERE \"Name\" = 'ticket' RETURNING \"Value\"", count).ToListAsync(ct))[0];
    }
}
