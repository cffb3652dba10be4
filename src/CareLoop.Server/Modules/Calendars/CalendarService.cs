using System.Collections.Concurrent;
using CareLoop.Domain.Calendars;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Calendars;

/// <summary>
/// Loads business calendars by id or code. Built engines are cached per (id, version), so an edit on any instance
/// is seen at once without stale rules.
/// </summary>
public sealed class CalendarService(CareLoopDbContext db, CalendarCache cache)
{
    /// <summary>
    /// The calendar engine for an id or code. Only the id and version are read when the engine is cached, so a hot
    /// path (SLA scans, the arithmetic endpoints) does not load and parse the rules on every call.
    /// </summary>
    public async Task<BusinessCalendar?> FindAsync(string idOrCode, CancellationToken ct)
    {
        var head = await db.Calendars.AsNoTracking().WhereIdOrCode(idOrCode).Select(c => new { c.Id, c.Version }).SingleOrDefaultAsync(ct);
        if (head is null)
        {
            return null;
        }
        if (cache.TryGet(head.Id, head.Version) is { } hit)
        {
            return hit;
        }
        var record = await db.Calendars.AsNoTracking().SingleAsync(c => c.Id == head.Id, ct);
        return cache.Get(record);
    }
}

public static class CalendarLookup
{
    /// <summary>A calendar by its id (a GUID) or, for anything else, its code.</summary>
    public static IQueryable<CalendarRecord> WhereIdOrCode(this IQueryable<CalendarRecord> calendars, string idOrCode) =>
        Guid.TryParse(idOrCode, out var id) ? calendars.Where(c => c.Id == id) : calendars.Where(c => c.Code == idOrCode);
}

/// <summary>Process-wide cache of built calendar engines keyed by id and version.</summary>
public sealed class CalendarCache
{
    private readonly ConcurrentDictionary<Guid, (long Version, BusinessCalendar Calendar)> _byId = new();

    public BusinessCalendar? TryGet(Guid id, long version) =>
        _byId.TryGetValue(id, out var hit) && hit.Version == version ? hit.Calendar : null;

    public BusinessCalendar Get(CalendarRecord record)
    {
        if (_byId.TryGetValue(record.Id, out var hit) && hit.Version == record.Version)
        {
            return hit.Calendar;
        }
        var calendar = new BusinessCalendar(CalendarMapping.ToDefinition(record));
        _byId[record.Id] = (record.Version, calendar);
        return calendar;
    }
}

/// <summary>Seeds the built-in calendars (24x7 and cn-mainland) when missing.</summary>
public static class CalendarSeed
{
    public static async Task EnsureBuiltInsAsync(CareLoopDbContext db, CancellationToken ct)
    {
        var have = await db.Calendars.Select(c => c.Code).ToListAsync(ct);
        Add(BuiltInCalendars.TwentyFourSeven, "7×24 全天候", BuiltInCalendars.TwentyFourSevenDefinition);
        Add(BuiltInCalendars.CnMainland, "中国大陆工作日 (法定节假日与调休)", BuiltInCalendars.CnMainlandDefinition);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance starting at the same time seeded them first.
            db.ChangeTracker.Clear();
        }

        void Add(string code, string name, CalendarDefinition definition)
        {
            if (have.Contains(code))
            {
                return;
            }
            db.Calendars.Add(new CalendarRecord
            {
                Code = code, Name = name, TimeZone = definition.TimeZoneId, BuiltIn = true,
                Rules = System.Text.Json.JsonSerializer.Serialize(CalendarMapping.ToRules(definition), Platform.Api.ApiJson.Options),
            });
        }
    }
}
