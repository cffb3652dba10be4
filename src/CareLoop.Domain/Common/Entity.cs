namespace CareLoop.Domain.Common;

/// <summary>Base of stored records: an opaque id, a version used for optimistic concurrency and as the ETag, and audit times.</summary>
public abstract class Entity
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>Incremented on every change; the ETag of the record.</summary>
    public long Version { get; set; } = 1;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    private List<IDomainEvent>? _events;

    /// <summary>Events raised since the record was loaded; the platform stores them with the change and dispatches them after commit.</summary>
    public IReadOnlyList<IDomainEvent> PendingEvents() => _events ?? (IReadOnlyList<IDomainEvent>)[];

    /// <summary>Called by the platform once the events are stored with the change.</summary>
    public void ClearEvents() => _events = null;

    /// <summary>Raises a domain event: other modules react to it after the change is committed.</summary>
    protected void Raise(IDomainEvent domainEvent) => (_events ??= []).Add(domainEvent);
}

/// <summary>A record fed by an external system and keyed by that system's id.</summary>
public abstract class ExternalEntity : Entity
{
    public string ExternalId { get; set; } = "";

    /// <summary>The source system's own last-change instant; older payloads are ignored.</summary>
    public DateTime? SourceUpdatedAt { get; set; }
}
