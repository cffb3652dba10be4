namespace CareLoop.Domain.Common;

/// <summary>
/// Something that happened to an aggregate that other modules may react to (a case opened, a ticket solved).
/// Events are plain serialisable records; handlers run after the change that raised them is committed.
/// </summary>
public interface IDomainEvent;
