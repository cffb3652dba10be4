using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>A likely duplicate of a ticket and why.</summary>
public sealed record DuplicateCandidate(Guid Id, long Number, string Subject, TicketStatus Status, DateTimeOffset CreatedAt, bool SameOrder, double SubjectSimilarity);

/// <summary>
/// Duplicate detection: other unsolved tickets of the same customer about the same order or with a similar subject
/// (share of the subjects' characters, character pairs and words in common, which works for Chinese), most likely
/// first. Agents merge them with <c>POST /tickets/{id}/merge</c>.
/// </summary>
public static class DuplicateTickets
{
    public const double SimilarSubject = 0.5;

    public static void Map(RouteGroupBuilder tickets) =>
        tickets.MapGet("/{id}/duplicates", GetAsync).RequireAuthorization(Policies.ServiceDesk);

    public static async Task<Results<Ok<List<DuplicateCandidate>>, NotFound<ProblemDetails>>> GetAsync(
        string id, TicketQueries queries, CareLoopDbContext db, CancellationToken ct)
    {
        var ticket = await queries.FindAsync(id, ct);
        if (ticket is null)
        {
            return Problems.NotFound("No such ticket.");
        }
        var others = await db.Tickets.AsNoTracking()
            .Where(t => t.CustomerId == ticket.CustomerId && t.Id != ticket.Id && t.QueueDueAt != null && t.MergedIntoId == null)
            .OrderByDescending(t => t.Number).Take(100)
            .Select(t => new { t.Id, t.Number, t.Subject, t.Status, t.CreatedAt, t.OrderId })
            .ToListAsync(ct);
        var mine = Tokens(ticket.Subject);
        return TypedResults.Ok(others
            .Select(o => new DuplicateCandidate(o.Id, o.Number, o.Subject, o.Status, o.CreatedAt.AsUtcOffset(),
                ticket.OrderId is not null && o.OrderId == ticket.OrderId, Math.Round(Similarity(mine, Tokens(o.Subject)), 2)))
            .Where(c => c.SameOrder || c.SubjectSimilarity >= SimilarSubject)
            .OrderByDescending(c => c.SameOrder).ThenByDescending(c => c.SubjectSimilarity).ThenByDescending(c => c.Number)
            .ToList());
    }

    private static HashSet<string> Tokens(string subject) =>
        new(SearchTokens.ForSimilarity(subject), StringComparer.Ordinal);

    /// <summary>Jaccard similarity of two token sets.</summary>
    public static double Similarity(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }
        var common = a.Count(b.Contains);
        return (double)common / (a.Count + b.Count - common);
    }
}
