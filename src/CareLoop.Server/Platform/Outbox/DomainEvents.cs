using System.Text.Json;
using CareLoop.Domain.Common;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CareLoop.Server.Platform.Outbox;

/// <summary>Reacts to one kind of domain event, after the change that raised it is committed.</summary>
public interface IDomainEventHandler<in TEvent> where TEvent : IDomainEvent
{
    Task HandleAsync(TEvent domainEvent, CancellationToken ct);
}

/// <summary>One handler registered for one event type; <see cref="Name"/> is the outbox target.</summary>
public sealed record DomainEventRegistration(Type EventType, Type HandlerType, Func<IServiceProvider, object, CancellationToken, Task> Invoke)
{
    public string Name { get; } = HandlerType.FullName!;
}

public static class DomainEventServices
{
    /// <summary>Registers a handler: each event of the type raised by a saved aggregate reaches it once it is committed.</summary>
    public static IServiceCollection AddDomainEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : IDomainEvent where THandler : class, IDomainEventHandler<TEvent>
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new DomainEventRegistration(typeof(TEvent), typeof(THandler),
            (sp, domainEvent, ct) => sp.GetRequiredService<THandler>().HandleAsync((TEvent)domainEvent, ct)));
        return services;
    }
}

/// <summary>
/// Turns the events raised by saved aggregates into outbox messages (one per registered handler) in the same
/// SaveChanges, so a reaction is never lost and never runs for a change that was rolled back; and wakes the
/// dispatcher once the change is committed.
/// </summary>
public sealed class DomainEventInterceptor(IEnumerable<DomainEventRegistration> registrations, OutboxWriter writer, OutboxSignal signal)
    : SaveChangesInterceptor
{
    private readonly DomainEventRegistration[] _registrations = registrations.ToArray();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        NotifyIfCommitted(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        NotifyIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void NotifyIfCommitted(DbContext? context)
    {
        // Inside an explicit transaction the commit interceptor signals instead (the rows are not visible before).
        if (context?.Database.CurrentTransaction is null)
        {
            signal.Notify();
        }
    }

    private void Collect(DbContext? context)
    {
        if (context is not CareLoopDbContext db)
        {
            return;
        }
        foreach (var entry in db.ChangeTracker.Entries<Entity>().ToList())
        {
            if (entry.Entity.PendingEvents().Count == 0)
            {
                continue;
            }
            db.OutboxMessages.AddRange(MessagesFor(entry.Entity, entry.Metadata.ClrType.Name));
            entry.Entity.ClearEvents();
        }
    }

    /// <summary>
    /// The outbox messages that deliver the entity's pending events, one per registered handler, for a caller that
    /// writes rows without change tracking (it clears the events once they are committed).
    /// </summary>
    public IEnumerable<OutboxMessage> MessagesFor(Entity entity, string typeName)
    {
        foreach (var domainEvent in entity.PendingEvents())
        {
            var eventId = OutboxWriter.NewEventId();
            foreach (var registration in _registrations.Where(r => r.EventType == domainEvent.GetType()))
            {
                yield return writer.Create(DomainEventHandlerKind.Kind, registration.Name, domainEvent.GetType().Name,
                    JsonSerializer.Serialize(domainEvent, domainEvent.GetType(), ApiJson.Options), eventId,
                    aggregateKey: typeName + ":" + entity.Id);
            }
        }
    }
}

/// <summary>Wakes the dispatcher when an explicit transaction that may carry outbox messages commits.</summary>
public sealed class OutboxCommitInterceptor(OutboxSignal signal) : DbTransactionInterceptor
{
    public override void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => signal.Notify();

    public override Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        signal.Notify();
        return Task.CompletedTask;
    }
}

/// <summary>Delivers domain events to their in-process handlers (outbox kind <c>domain_event</c>).</summary>
public sealed class DomainEventHandlerKind(IEnumerable<DomainEventRegistration> registrations, IServiceProvider services) : IOutboxHandler
{
    public const string Kind = "domain_event";

    string IOutboxHandler.Kind => Kind;

    public async Task<OutboxResult> DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        // One handler class may handle several event types: the message's event type picks the registration.
        var registration = registrations.FirstOrDefault(r => r.Name == message.Target && r.EventType.Name == message.EventType);
        if (registration is null)
        {
            return OutboxResult.Refused($"No handler named '{message.Target}' is registered for {message.EventType} events.");
        }
        var domainEvent = JsonSerializer.Deserialize(message.Payload, registration.EventType, ApiJson.Options)
            ?? throw new InvalidOperationException("The event payload is empty.");
        await registration.Invoke(services, domainEvent, ct);
        return OutboxResult.Success;
    }
}
