using System.Text.Json;
using CareLoop.Domain.Calendars;
using CareLoop.Server.Platform.Api;

namespace CareLoop.Server.Modules.Calendars;

/// <summary>Writes a validated calendar document onto its stored record (shared by the API's PUT and the calendar page).</summary>
public static class CalendarEditing
{
    /// <summary>
    /// Copies <paramref name="body"/> (already validated by <see cref="CalendarMapping.Parse"/> into
    /// <paramref name="definition"/>, with its code filled in) onto <paramref name="record"/>.
    /// </summary>
    public static void Apply(CalendarRecord record, CalendarBody body, CalendarDefinition definition)
    {
        record.Code = body.Code!;
        record.Name = body.Name!.Trim();
        record.TimeZone = definition.TimeZoneId;
        record.Rules = JsonSerializer.Serialize(CalendarMapping.ToRules(definition), ApiJson.Options);
    }

    /// <summary>The stored record as an API document, with other holidays and extra working days.</summary>
    public static CalendarBody BodyWith(CalendarRecord record, List<string> holidays, List<ExtraWorkdayBody> extraWorkdays)
    {
        var rules = JsonSerializer.Deserialize<CalendarRules>(record.Rules, ApiJson.Options)!;
        return new CalendarBody(record.Code, record.Name, record.TimeZone, rules.Weekly, holidays, extraWorkdays);
    }
}
