using System.Globalization;
using System.Security.Claims;
using System.Text;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>
/// A ticket's search tokens (ADR 13): the distinct unigrams, bigrams and words of its number, subject, order number,
/// the customer's phone and name, and every message body (public messages and internal notes), separated by spaces.
/// </summary>
/// <remarks>
/// SQLite indexes <see cref="Tokens"/> in the FTS5 table <c>TicketSearchFts</c> (external content, rowid =
/// <see cref="Number"/>), kept in sync by triggers on this table; PostgreSQL by a GIN index on
/// <c>"Tokens"::tsvector</c>. Both are created by the <c>TicketSearch</c> migrations (PostgreSQL's index as it is now by
/// <c>SearchIndexWithoutParser</c>).
/// </remarks>
public sealed class TicketSearchDocument
{
    public Guid TicketId { get; set; }

    /// <summary>The ticket's number: grows with recency, so it is the result order and the FTS5 rowid.</summary>
    public long Number { get; set; }

    public string Tokens { get; set; } = "";

    public DateTime UpdatedAt { get; set; }
}

internal sealed class TicketSearchDocumentConfiguration : IEntityTypeConfiguration<TicketSearchDocument>
{
    public void Configure(EntityTypeBuilder<TicketSearchDocument> b)
    {
        b.ToTable("TicketSearch");
        b.HasKey(x => x.TicketId);
        b.Property(x => x.TicketId).ValueGeneratedNever();
        b.HasIndex(x => x.Number).IsUnique();
        b.HasOne<Ticket>().WithOne().HasForeignKey<TicketSearchDocument>(x => x.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Rebuilds tickets' search documents after the change is committed (from the outbox): on every public message, every
/// internal note, a subject edit or a merge, and for all of a customer's tickets when their name or phone changes.
/// A new ticket's document is written by intake in its own transaction (its texts are at
/// hand there, and the busiest path saves an outbox round trip).
/// </summary>
public sealed class TicketSearchIndexer(CareLoopDbContext db, TimeProvider clock)
    : IDomainEventHandler<TicketMessageAdded>, IDomainEventHandler<TicketNoteAdded>, IDomainEventHandler<TicketTextsChanged>,
      IDomainEventHandler<CareLoop.Domain.Commerce.CustomerContactChanged>
{
    public const int BatchSize = 500;

    public Task HandleAsync(TicketMessageAdded domainEvent, CancellationToken ct) => IndexAsync([domainEvent.TicketId], ct);

    public Task HandleAsync(TicketNoteAdded domainEvent, CancellationToken ct) => IndexAsync([domainEvent.TicketId], ct);

    public Task HandleAsync(TicketTextsChanged domainEvent, CancellationToken ct) => IndexAsync([domainEvent.TicketId], ct);

    /// <summary>Re-indexes the customer's tickets.</summary>
    public Task HandleAsync(CareLoop.Domain.Commerce.CustomerContactChanged domainEvent, CancellationToken ct) =>
        IndexAllAsync(db.Tickets.IgnoreQueryFilters().Where(t => t.CustomerId == domainEvent.CustomerId), ct);

    /// <summary>Recomputes and upserts the documents of <paramref name="ticketIds"/>; returns how many tickets exist of them.</summary>
    public async Task<int> IndexAsync(IReadOnlyCollection<Guid> ticketIds, CancellationToken ct)
    {
        var texts = await TicketSearchTexts.LoadAsync(db, ticketIds, includeInternal: true, ct);
        if (texts.Count == 0)
        {
            return 0;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        foreach (var t in texts.Values)
        {
            // The same statement on both providers; the document is rewritten (and re-indexed) only when its tokens changed.
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO "TicketSearch" ("TicketId", "Number", "Tokens", "UpdatedAt") VALUES ({0}, {1}, {2}, {3})
                ON CONFLICT ("TicketId") DO UPDATE SET "Number" = excluded."Number", "Tokens" = excluded."Tokens", "UpdatedAt" = excluded."UpdatedAt"
                WHERE "TicketSearch"."Tokens" <> excluded."Tokens" OR "TicketSearch"."Number" <> excluded."Number"
                """,
                [t.TicketId, t.Number, t.Tokens(), now], ct);
        }
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }
        return texts.Count;
    }

    /// <summary>Re-indexes every ticket; returns the count.</summary>
    public Task<int> RebuildAsync(CancellationToken ct) => IndexAllAsync(db.Tickets.IgnoreQueryFilters(), ct);

    /// <summary>Re-indexes the tickets, oldest first, in batches of <see cref="BatchSize"/>; returns the count.</summary>
    private async Task<int> IndexAllAsync(IQueryable<Ticket> tickets, CancellationToken ct)
    {
        var count = 0;
        var after = long.MinValue;
        while (true)
        {
            var batch = await tickets.AsNoTracking().Where(t => t.Number > after).OrderBy(t => t.Number)
                .Select(t => new { t.Id, t.Number }).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return count;
            }
            count += await IndexAsync(batch.Select(b => b.Id).ToList(), ct);
            db.ChangeTracker.Clear();
            after = batch[^1].Number;
        }
    }
}

/// <summary>The texts a ticket is found by, loaded for a set of tickets in four queries.</summary>
internal sealed class TicketSearchTexts
{
    public Guid TicketId { get; init; }
    public long Number { get; init; }
    public string Subject { get; init; } = "";
    public string? Order { get; set; }
    public string? Phone { get; set; }
    public string? CustomerName { get; set; }
    public List<string> Bodies { get; init; } = [];

    /// <summary>The tokens to store.</summary>
    public string Tokens() => SearchTokens.ForIndex(Texts());

    /// <summary>The post-filter: every term of <paramref name="query"/> occurs in one of the texts.</summary>
    public bool Matches(string query) => SearchTokens.MatchesAllTerms(query, Texts());

    /// <summary>Identifiers first, then the subject and the conversation in order (the token cap drops the latest text).</summary>
    private string?[] Texts()
    {
        var texts = new string?[5 + Bodies.Count];
        texts[0] = Number.ToString(CultureInfo.InvariantCulture);
        texts[1] = Order;
        texts[2] = Phone;
        texts[3] = CustomerName;
        texts[4] = Subject;
        Bodies.CopyTo(texts!, 5);
        return texts;
    }

    /// <summary>
    /// Loads the tickets (without query filters: callers pass ids they may see, or index everything) with their order
    /// number, the customer's phone and name, and the message bodies (internal notes only when asked).
    /// </summary>
    public static async Task<Dictionary<Guid, TicketSearchTexts>> LoadAsync(CareLoopDbContext db, IReadOnlyCollection<Guid> ticketIds, bool includeInternal, CancellationToken ct)
    {
        if (ticketIds.Count == 0)
        {
            return [];
        }
        var tickets = await db.Tickets.IgnoreQueryFilters().AsNoTracking().Where(t => ticketIds.Contains(t.Id))
            .Select(t => new { t.Id, t.Number, t.Subject, t.OrderId, t.CustomerId }).ToListAsync(ct);
        var orderIds = tickets.Where(t => t.OrderId != null).Select(t => t.OrderId!.Value).Distinct().ToList();
        var customerIds = tickets.Select(t => t.CustomerId).Distinct().ToList();
        var orders = orderIds.Count == 0 ? [] : await db.Orders.IgnoreQueryFilters().AsNoTracking().Where(o => orderIds.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.ExternalId, ct);
        var customers = await db.Customers.IgnoreQueryFilters().AsNoTracking().Where(c => customerIds.Contains(c.Id))
            .Select(c => new { c.Id, c.Name, c.Phone }).ToDictionaryAsync(c => c.Id, ct);
        var ids = tickets.Select(t => t.Id).ToList();
        var messages = db.TicketMessages.AsNoTracking().Where(m => ids.Contains(m.TicketId));
        if (!includeInternal)
        {
            messages = messages.Where(m => m.Visibility == MessageVisibility.Public);
        }
        var bodies = await messages.OrderBy(m => m.At).ThenBy(m => m.Id).Select(m => new { m.TicketId, m.Body }).ToListAsync(ct);
        var result = new Dictionary<Guid, TicketSearchTexts>(tickets.Count);
        foreach (var t in tickets)
        {
            var customer = customers.GetValueOrDefault(t.CustomerId);
            result[t.Id] = new TicketSearchTexts
            {
                TicketId = t.Id, Number = t.Number, Subject = t.Subject,
                Order = t.OrderId is { } o ? orders.GetValueOrDefault(o) : null,
                Phone = customer?.Phone, CustomerName = customer?.Name,
            };
        }
        foreach (var m in bodies)
        {
            result[m.TicketId].Bodies.Add(m.Body);
        }
        return result;
    }
}

/// <summary>
/// Full-text ticket search, newest first: candidate numbers come from the index (FTS5 on SQLite, GIN on PostgreSQL)
/// in number order with a LIMIT; the candidates are loaded through <see cref="CareLoopDbContext.Tickets"/> (so the
/// caller's row-level isolation applies) and checked with <see cref="SearchTokens.MatchesAllTerms"/>.
/// </summary>
public sealed class TicketSearchQueries(CareLoopDbContext db)
{
    public const int MaxQueryLength = 200;

    /// <summary>Candidate rounds per page at most: a page may come back short (with a cursor) rather than scan on.</summary>
    public const int MaxRounds = 4;

    /// <summary>
    /// PostgreSQL: the newest documents checked by a plain token comparison (about 1 µs each) before the GIN index is
    /// asked; a term on at least 2 × limit of them is answered from this window alone (see ADR 13).
    /// </summary>
    public const int RecentWindow = 10_000;

    /// <summary>Searches as the current caller; internal notes count unless the caller is merchant- or customer-bound.</summary>
    public Task<Page<TicketListItem>> SearchAsync(string q, int limit, string? cursor, CancellationToken ct) =>
        SearchAsync(q, limit, cursor, includeInternal: db.ScopeMerchantId is null && db.ScopeCustomerId is null, ct);

    /// <summary>
    /// The tickets matching every term of <paramref name="q"/>, newest (highest number) first, after the ticket number
    /// in <paramref name="cursor"/> (decoded). With <paramref name="includeInternal"/> false a ticket must match
    /// without its internal notes (they are indexed for the desk, but must not reveal anything to others).
    /// </summary>
    public async Task<Page<TicketListItem>> SearchAsync(string q, int limit, string? cursor, bool includeInternal, CancellationToken ct)
    {
        var tokens = SearchTokens.QueryTokens(q);
        if (tokens.Count == 0)
        {
            return new Page<TicketListItem>([], null);
        }
        var before = TryCursor(cursor, out var number) ? number : long.MaxValue;
        var take = Math.Clamp(limit * 2, 20, 400);
        var found = new List<TicketSearchTexts>(limit + 1);
        var exhausted = false;
        for (var round = 0; round < MaxRounds && found.Count <= limit; round++)
        {
            var candidates = await CandidatesAsync(tokens, before, take, ct);
            if (candidates.Count == 0)
            {
                exhausted = true;
                break;
            }
            // Through the query-filtered set: a merchant or customer never gets another's ticket, whatever the index says.
            var visible = await db.Tickets.AsNoTracking().Where(t => candidates.Contains(t.Number)).Select(t => t.Id).ToListAsync(ct);
            var texts = (await TicketSearchTexts.LoadAsync(db, visible, includeInternal, ct)).Values.ToDictionary(t => t.Number);
            foreach (var candidate in candidates)
            {
                before = candidate;
                if (texts.TryGetValue(candidate, out var t) && t.Matches(q))
                {
                    found.Add(t);
                    if (found.Count > limit)
                    {
                        break;
                    }
                }
            }
            if (candidates.Count < take && found.Count <= limit)
            {
                exhausted = true;
                break;
            }
        }

        string? next = null;
        if (found.Count > limit)
        {
            found.RemoveAt(found.Count - 1);
            next = Paging.Encode(found[^1].Number.ToString(CultureInfo.InvariantCulture));
        }
        else if (!exhausted)
        {
            // The rounds ran out before the page filled: the next page continues below the last candidate checked.
            next = Paging.Encode(before.ToString(CultureInfo.InvariantCulture));
        }
        return new Page<TicketListItem>(await ItemsAsync(found.Select(f => f.TicketId).ToList(), ct), next);
    }

    /// <summary>Ticket numbers below <paramref name="before"/> whose documents hold every token, highest first.</summary>
    private async Task<List<long>> CandidatesAsync(IReadOnlyList<string> tokens, long before, int take, CancellationToken ct)
    {
        var merchant = db.ScopeMerchantId;
        var customer = db.ScopeCustomerId;
        if (!db.IsPostgres && !tokens.Any(SearchTokens.IsPrefix))
        {
            // FTS5 walks its doclists in rowid (= number) order from the top and stops at the LIMIT.
            return await Fts5CandidatesAsync(tokens, before, take, merchant, customer, ct);
        }

        // Step 1: the newest documents, read backwards along the number index and checked by plain token comparison.
        // A common term fills the page here without touching its (then huge) posting lists: on PostgreSQL for every
        // query, on SQLite for one with a one-character (prefix) token, whose FTS5 query merges the doclists of every
        // token starting with the character before it can return the newest.
        var recent = new StringBuilder("""
            SELECT w."Number" AS "Value" FROM (
                SELECT s."Number", s."TicketId", s."Tokens" FROM "TicketSearch" AS s WHERE s."Number" < {0} ORDER BY s."Number" DESC LIMIT {1}
            ) AS w
            """).Append(' ');
        var recentArgs = new List<object> { before, RecentWindow, take };
        AppendScope(recent, recentArgs, "t.\"Id\" = w.\"TicketId\"", merchant, customer);
        recent.Append("WHERE 1 = 1");
        var position = db.IsPostgres ? "strpos" : "instr";
        foreach (var token in tokens)
        {
            recent.Append(CultureInfo.InvariantCulture, $" AND {position}(' ' || w.\"Tokens\" || ' ', {{{recentArgs.Count}}}) > 0");
            // " 快递 " is the whole token; " 退" (a prefix token) any token starting with it.
            recentArgs.Add(SearchTokens.IsPrefix(token) ? " " + SearchTokens.Term(token) : " " + token + " ");
        }
        recent.Append(""" ORDER BY w."Number" DESC LIMIT {2}""");
        var hits = await db.Database.SqlQueryRaw<long>(recent.ToString(), recentArgs.ToArray()).ToListAsync(ct);
        if (hits.Count >= take)
        {
            return hits;
        }
        if (!db.IsPostgres)
        {
            // A rarer character: its tokens' doclists are short.
            return await Fts5CandidatesAsync(tokens, before, take, merchant, customer, ct);
        }

        // Step 2: a rarer term (under 2 × limit in the window): its short posting lists in the GIN index give every
        // match, the newest are kept by a top-N sort. "+ 0" keeps the planner off the backward number-index scan that
        // it otherwise picks for a LIMIT: that scan converts each row's tokens to a tsvector until enough rows match.
        var indexed = new StringBuilder("""SELECT s."Number" AS "Value" FROM "TicketSearch" AS s """);
        var indexedArgs = new List<object> { SearchTokens.PgTsQuery(tokens), before, take };
        AppendScope(indexed, indexedArgs, "t.\"Id\" = s.\"TicketId\"", merchant, customer);
        indexed.Append("""WHERE s."Tokens"::tsvector @@ {0}::tsquery AND s."Number" < {1} ORDER BY s."Number" + 0 DESC LIMIT {2}""");
        return await db.Database.SqlQueryRaw<long>(indexed.ToString(), indexedArgs.ToArray()).ToListAsync(ct);
    }

    private async Task<List<long>> Fts5CandidatesAsync(IReadOnlyList<string> tokens, long before, int take, Guid? merchant, Guid? customer,
        CancellationToken ct)
    {
        var sql = new StringBuilder("""SELECT f.rowid AS "Value" FROM "TicketSearchFts" AS f """);
        var args = new List<object> { SearchTokens.Fts5Match(tokens), before, take };
        AppendScope(sql, args, "t.\"Number\" = f.rowid", merchant, customer);
        sql.Append("""WHERE f."TicketSearchFts" MATCH {0} AND f.rowid < {1} ORDER BY f.rowid DESC LIMIT {2}""");
        return await db.Database.SqlQueryRaw<long>(sql.ToString(), args.ToArray()).ToListAsync(ct);
    }

    /// <summary>
    /// Narrows the candidates of a merchant- or customer-bound caller to their own tickets already in the index query
    /// (so their pages fill); the query filters on <see cref="CareLoopDbContext.Tickets"/> remain the guarantee.
    /// </summary>
    private static void AppendScope(StringBuilder sql, List<object> args, string join, Guid? merchant, Guid? customer)
    {
        if (merchant is null && customer is null)
        {
            return;
        }
        sql.Append(CultureInfo.InvariantCulture, $"JOIN \"Tickets\" AS t ON {join} ");
        if (merchant is { } m)
        {
            sql.Append(CultureInfo.InvariantCulture, $"AND t.\"MerchantId\" = {{{args.Count}}} ");
            args.Add(m);
        }
        if (customer is { } c)
        {
            sql.Append(CultureInfo.InvariantCulture, $"AND t.\"CustomerId\" = {{{args.Count}}} ");
            args.Add(c);
        }
    }

    private async Task<List<TicketListItem>> ItemsAsync(List<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        var rows = await db.Tickets.AsNoTracking().Where(t => ids.Contains(t.Id))
            .Select(t => new
            {
                t.Id, t.Number, t.Status, t.Priority, t.Channel, t.Category, t.Subject, t.CustomerId, t.AssigneeId, t.GroupId, t.Vip,
                t.SlaDueAt, t.SlaAtRisk, t.SlaBreached, t.CreatedAt, t.UpdatedAt,
            }).ToListAsync(ct);
        var customerIds = rows.Select(r => r.CustomerId).Distinct().ToList();
        var names = await db.Customers.IgnoreQueryFilters().Where(x => customerIds.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        return rows.OrderByDescending(r => r.Number).Select(r => new TicketListItem(r.Id, r.Number, r.Status, r.Priority, r.Channel, r.Category,
            r.Subject, r.CustomerId, names.GetValueOrDefault(r.CustomerId, ""), r.AssigneeId, r.GroupId, r.Vip, r.SlaDueAt?.AsUtcOffset(),
            r.SlaAtRisk, r.SlaBreached, r.CreatedAt.AsUtcOffset(), r.UpdatedAt.AsUtcOffset())).ToList();
    }

    private static bool TryCursor(string? text, out long number)
    {
        number = 0;
        return text is not null && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    internal static bool IsCursor(string? text) => text is null || TryCursor(text, out _);
}

/// <summary>The search surface of the service desk: <c>GET /api/v1/tickets/search</c> and the admin rebuild.</summary>
public static class TicketSearchEndpoints
{
    public static IServiceCollection AddTicketSearch(this IServiceCollection services)
    {
        services.AddScoped<TicketSearchQueries>();
        services.AddDomainEventHandler<TicketMessageAdded, TicketSearchIndexer>();
        services.AddDomainEventHandler<TicketNoteAdded, TicketSearchIndexer>();
        services.AddDomainEventHandler<TicketTextsChanged, TicketSearchIndexer>();
        services.AddDomainEventHandler<CareLoop.Domain.Commerce.CustomerContactChanged, TicketSearchIndexer>();
        return services;
    }

    public static IEndpointRouteBuilder MapTicketSearch(this IEndpointRouteBuilder app)
    {
        var search = app.MapGroup("/api/v1/tickets/search").WithTags("Service desk");
        search.MapGet("/", Search).RequireAuthorization(Policies.ReadTickets);
        search.MapPost("/rebuild", Rebuild).RequireAuthorization(Policies.Admin);
        return app;
    }

    private static async Task<Results<Ok<Page<TicketListItem>>, ValidationProblem>> Search(
        TicketSearchQueries queries, ClaimsPrincipal user, CancellationToken ct, string? q = null, int? limit = null, string? cursor = null)
    {
        var errors = new ValidationErrors();
        if (errors.Required("q", q)) errors.MaxLength("q", q, TicketSearchQueries.MaxQueryLength);
        var (take, after) = Paging.Read(limit, cursor, errors);
        if (after is not null && !TicketSearchQueries.IsCursor(after)) errors.Add("cursor", "is not a cursor this API issued.");
        if (errors.Any)
        {
            return Problems.Validation(errors);
        }
        return TypedResults.Ok(await queries.SearchAsync(q!, take, after, TicketQueries.IsStaff(user), ct));
    }

    private static async Task<Ok<RebuildResult>> Rebuild(TicketSearchIndexer indexer, CancellationToken ct) =>
        TypedResults.Ok(new RebuildResult(await indexer.RebuildAsync(ct)));
}

/// <summary>How many tickets the rebuild indexed.</summary>
public sealed record RebuildResult(int Indexed);
