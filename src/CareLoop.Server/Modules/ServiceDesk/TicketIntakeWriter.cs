using System.Collections.Concurrent;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Notifications;
using CareLoop.Server.Platform.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>A new ticket with everything decided, waiting to be written: its first message, search document and owner.</summary>
public sealed class NewTicket(Ticket ticket, TicketMessage message, TicketSearchDocument search, Guid? owner, DateTime at)
{
    public Ticket Ticket { get; } = ticket;
    public TicketMessage Message { get; } = message;
    public TicketSearchDocument Search { get; } = search;

    /// <summary>The agent routing chose, whose last-assignment time is recorded with the ticket.</summary>
    public Guid? Owner { get; } = owner;

    public DateTime At { get; } = at;

    /// <summary>Outbox messages written with the ticket (its acknowledgement e-mail to the customer).</summary>
    public IReadOnlyList<OutboxMessage> Outbox { get; init; } = [];

    /// <summary>In-app notifications written with the ticket (its acknowledgement in the customer's inbox).</summary>
    public IReadOnlyList<InAppNotification> Inbox { get; init; } = [];

    internal TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Adds the rows to <paramref name="db"/> (saved by the caller).</summary>
    public void Stage(CareLoopDbContext db)
    {
        db.Tickets.Add(Ticket);
        db.TicketMessages.Add(Message);
        db.TicketSearch.Add(Search);
        db.OutboxMessages.AddRange(Outbox);
        db.InAppNotifications.AddRange(Inbox);
    }
}

/// <summary>
/// Group commit for ticket intake (ADR 17): concurrent submissions are written together in one transaction, so the
/// write lock (SQLite) and the commit (both databases) are paid once per group instead of once per ticket. Whoever
/// finds the writer free writes everything queued so far, its own ticket included; the others wait for their group's
/// outcome. The rows are new, so they are written without change tracking (<see cref="BulkInserter"/>), with what the
/// save interceptors would add: the record stamps and the outbox messages of the tickets' domain events. A group that
/// fails is retried ticket by ticket, so one bad ticket fails alone.
/// </summary>
public sealed class TicketIntakeWriter(IServiceScopeFactory scopes, DomainEventInterceptor domainEvents, OutboxSignal signal)
{
    /// <summary>The most tickets written in one transaction.</summary>
    public const int MaxGroup = 128;

    private readonly ConcurrentQueue<NewTicket> _queue = new();
    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <summary>Writes the ticket (with whatever else is queued); returns once it is committed.</summary>
    public async Task WriteAsync(NewTicket ticket)
    {
        _queue.Enqueue(ticket);
        // Not cancellable: once queued, the ticket is written whether or not its caller still waits.
        await _writer.WaitAsync(CancellationToken.None);
        try
        {
            while (!ticket.Written.Task.IsCompleted)
            {
                var group = new List<NewTicket>();
                while (group.Count < MaxGroup && _queue.TryDequeue(out var next))
                {
                    group.Add(next);
                }
                await WriteGroupAsync(group);
            }
        }
        finally
        {
            _writer.Release();
        }
        await ticket.Written.Task;
    }

    private async Task WriteGroupAsync(List<NewTicket> group)
    {
        try
        {
            await SaveAsync(group);
            foreach (var t in group)
            {
                t.Written.TrySetResult();
            }
        }
        catch (Exception) when (group.Count > 1)
        {
            foreach (var t in group)
            {
                try
                {
                    await SaveAsync([t]);
                    t.Written.TrySetResult();
                }
                catch (Exception e)
                {
                    t.Written.TrySetException(e);
                }
            }
        }
        catch (Exception e)
        {
            group[0].Written.TrySetException(e);
        }
    }

    private async Task SaveAsync(IReadOnlyList<NewTicket> group)
    {
        var tickets = new List<Ticket>(group.Count);
        var events = new List<TicketEvent>(group.Count * 4);
        var messages = new List<TicketMessage>(group.Count);
        var documents = new List<TicketSearchDocument>(group.Count);
        var outbox = new List<OutboxMessage>(group.Count);
        var inbox = new List<InAppNotification>(group.Count);
        foreach (var t in group)
        {
            t.Ticket.CreatedAt = t.Ticket.UpdatedAt = t.At;
            t.Ticket.Version = 1;
            tickets.Add(t.Ticket);
            events.AddRange(t.Ticket.Events);
            messages.Add(t.Message);
            documents.Add(t.Search);
            outbox.AddRange(domainEvents.MessagesFor(t.Ticket, nameof(Ticket)));
            outbox.AddRange(t.Outbox);
            inbox.AddRange(t.Inbox);
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var bulk = new BulkInserter(db);
        if (db.IsPostgres)
        {
            await SavePostgresAsync(db, bulk, group, tickets, events, messages, documents, outbox, inbox);
        }
        else
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            await bulk.InsertAsync(tickets, default);
            await bulk.InsertAsync(events, default);
            await bulk.InsertAsync(messages, default);
            await bulk.InsertAsync(documents, default);
            await bulk.InsertAsync(outbox, default);
            await bulk.InsertAsync(inbox, default);
            foreach (var (owner, at) in Owners(group))
            {
                await TicketRouter.TouchAsync(db, owner, at, default);
            }
            await tx.CommitAsync();
        }
        foreach (var t in group)
        {
            t.Ticket.ClearEvents();
        }
    }

    /// <summary>
    /// PostgreSQL: the whole group in one round trip. The statements go in one batch ended by a single protocol Sync,
    /// which PostgreSQL runs as one implicit transaction: all of it is committed, or nothing (a failing statement rolls
    /// back the ones before it).
    /// </summary>
    private async Task SavePostgresAsync(CareLoopDbContext db, BulkInserter bulk, IReadOnlyList<NewTicket> group, List<Ticket> tickets,
        List<TicketEvent> events, List<TicketMessage> messages, List<TicketSearchDocument> documents, List<OutboxMessage> outbox,
        List<InAppNotification> inbox)
    {
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection());
            bulk.AddInserts(batch, tickets);
            bulk.AddInserts(batch, events);
            bulk.AddInserts(batch, messages);
            bulk.AddInserts(batch, documents);
            bulk.AddInserts(batch, outbox);
            bulk.AddInserts(batch, inbox);
            if (Owners(group).ToList() is { Count: > 0 } owners)
            {
                var profile = db.Model.FindEntityType(typeof(AgentProfile))!;
                var table = StoreObjectIdentifier.Table(profile.GetTableName()!, profile.GetSchema());
                var update = $"UPDATE \"{table.Name}\" SET \"{profile.FindProperty(nameof(AgentProfile.LastAssignedAt))!.GetColumnName(table)}\" = $1 "
                    + $"WHERE \"{profile.FindProperty(nameof(AgentProfile.UserId))!.GetColumnName(table)}\" = $2";
                foreach (var (owner, at) in owners)
                {
                    batch.BatchCommands.Add(new NpgsqlBatchCommand(update) { Parameters = { new() { Value = at }, new() { Value = owner } } });
                }
            }
            await batch.ExecuteNonQueryAsync();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        if (outbox.Count > 0)
        {
            signal.Notify();
        }
    }

    /// <summary>The agents routing chose in the group, each with its latest assignment time.</summary>
    private static IEnumerable<(Guid Owner, DateTime At)> Owners(IReadOnlyList<NewTicket> group) =>
        group.Where(t => t.Owner is not null).GroupBy(t => t.Owner!.Value).Select(g => (g.Key, g.Max(t => t.At)));
}
