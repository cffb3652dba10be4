namespace CareLoop.Server.Platform.Audit;

/// <summary>One append-only line of the audit log: who changed what and when. Written in the same transaction as the change.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }

    /// <summary>"user:&lt;id&gt;", "apikey:&lt;keyId&gt;", "cli" or "system".</summary>
    public string Actor { get; set; } = "";

    /// <summary>created, updated or deleted.</summary>
    public string Action { get; set; } = "";

    public string EntityType { get; set; } = "";
    public string EntityId { get; set; } = "";

    /// <summary>JSON object of the changed properties: { "name": ["old", "new"] }.</summary>
    public string? Changes { get; set; }
}
