namespace CareLoop.Domain.Commerce;

/// <summary>A postal address in mainland-China form.</summary>
public sealed class Address
{
    public string? Label { get; set; }
    public string? Recipient { get; set; }
    public string? Phone { get; set; }
    public string Province { get; set; } = "";
    public string City { get; set; } = "";
    public string? District { get; set; }
    public string? Line { get; set; }
    public bool IsDefault { get; set; }
}
