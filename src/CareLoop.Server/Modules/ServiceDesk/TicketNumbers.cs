using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>
/// Hands out ticket numbers: a PostgreSQL sequence (no lock held until commit), or on SQLite a counter row updated
/// inside the creating transaction (SQLite has one writer at a time anyway). Numbers are unique, not gap-free.
/// </summary>
public static class TicketNumbers
{
    public const string Sequence = "TicketNumbers";
    public const string CounterName = "ticket";
    public const long First = 100001;

    public static async Task<long> NextAsync(CareLoopDbContext db, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            return (await db.Database.SqlQueryRaw<long>("SELECT nextval('\"TicketNumbers\"') AS \"Value\"").ToListAsync(ct))[0];
        }
        // Not composable (an UPDATE): read the list as is.
        return (await db.Database.SqlQueryRaw<long>(
            "UPDATE \"Counters\" SET \"Value\" = \"Value\" + 1 WHERE \"Name\" = 'ticket' RETURNING \"Value\"").ToListAsync(ct))[0];
    }
}
