using CareLoop.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CareLoop.Server.Modules.Calendars;

/// <summary>A stored business calendar. Its rules are kept as the API's JSON document (weekly, holidays, extra working days).</summary>
public sealed class CalendarRecord : Entity
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string TimeZone { get; set; } = "";

    /// <summary>JSON of <see cref="CalendarRules"/>.</summary>
    public string Rules { get; set; } = "{}";

    public bool BuiltIn { get; set; }
}

internal sealed class CalendarRecordConfiguration : IEntityTypeConfiguration<CalendarRecord>
{
    public void Configure(EntityTypeBuilder<CalendarRecord> b)
    {
        b.ToTable("Calendars");
        b.HasIndex(x => x.Code).IsUnique();
        b.Property(x => x.Code).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.TimeZone).HasMaxLength(64);
        b.Property(x => x.Version).IsConcurrencyToken();
    }
}
