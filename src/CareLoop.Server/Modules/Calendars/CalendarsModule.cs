using System.Text.Json;
using CareLoop.Domain.Calendars;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Calendars;

/// <summary>Business calendars: CRUD for admins and supervisors; business-time arithmetic for any caller.</summary>
public static class CalendarsModule
{
    public const long MaxMinutes = 5_256_000;

    public static IServiceCollection AddCalendars(this IServiceCollection services)
    {
        services.AddScoped<CalendarService>();
        services.AddSingleton<CalendarCache>();
        services.AddSetting(new SettingDefinition(SettingKeys.DefaultCalendar, SettingType.Text, BuiltInCalendars.CnMainland, "platform")
        {
            MaxLength = 100,
            Validator = async (value, services, ct) => await services.GetRequiredService<CareLoopDbContext>().Calendars.AnyAsync(c => c.Code == value, ct)
                ? null
                : SettingError.Of("calendar", "is not the code of a calendar."),
        });
        return services;
    }

    public static IEndpointRouteBuilder MapCalendars(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/calendars").WithTags("Calendars").RequireAuthorization(Policies.SignedIn);
        group.MapPost("/", Create).RequireAuthorization(Policies.Manage).Idempotent();
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", Replace).RequireAuthorization(Policies.Manage);
        group.MapPost("/{id}/add-business-time", AddBusinessTime);
        group.MapPost("/{id}/add-working-days", AddWorkingDays);
        group.MapPost("/{id}/business-minutes-between", MinutesBetween);
        return app;
    }

    public static async Task<Results<Created<CalendarResponse>, ValidationProblem, Conflict<ProblemDetails>>> Create(
        CalendarBody body, CareLoopDbContext db, HttpContext http, ILogger<CalendarService> log, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var definition = CalendarMapping.Parse(body, errors);
        if (definition is null)
        {
            return Problems.Validation(errors);
        }
        if (await db.Calendars.AnyAsync(c => c.Code == body.Code, ct))
        {
            return Conflict("code", $"A calendar with code '{body.Code}' already exists.");
        }
        var record = new CalendarRecord
        {
            Code = body.Code!, Name = body.Name!.Trim(), TimeZone = definition.TimeZoneId,
            Rules = JsonSerializer.Serialize(CalendarMapping.ToRules(definition), ApiJson.Options),
        };
        db.Calendars.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request created the same code between the check above and this insert.
            return Conflict("code", $"A calendar with code '{body.Code}' already exists.");
        }
        ETags.Set(http, record.Version);
        CalendarsLog.Created(log, record.Code);
        return TypedResults.Created($"/api/v1/calendars/{record.Id}", CalendarMapping.ToResponse(record));
    }

    public static async Task<Results<Ok<Page<CalendarResponse>>, ValidationProblem>> List(
        CareLoopDbContext db, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var (l, after) = Paging.Read(limit, cursor, errors);
        if (errors.Any) return Problems.Validation(errors);
        var q = db.Calendars.AsNoTracking().OrderBy(c => c.Code).AsQueryable();
        if (after is not null) q = q.Where(c => string.Compare(c.Code, after) > 0);
        var rows = await q.Take(l + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.ToPage(rows, l, r => r.Code, CalendarMapping.ToResponse));
    }

    public static async Task<Results<Ok<CalendarResponse>, NotFound<ProblemDetails>>> Get(
        string id, CareLoopDbContext db, HttpContext http, CancellationToken ct)
    {
        var record = await Find(db, id, ct);
        if (record is null) return NotFound(id);
        ETags.Set(http, record.Version);
        return TypedResults.Ok(CalendarMapping.ToResponse(record));
    }

    public static async Task<Results<Ok<CalendarResponse>, ValidationProblem, NotFound<ProblemDetails>, ProblemHttpResult, Conflict<ProblemDetails>>> Replace(
        string id, CalendarBody body, CareLoopDbContext db, HttpContext http, ILogger<CalendarService> log, CancellationToken ct)
    {
        var record = await Find(db, id, ct, track: true);
        if (record is null) return NotFound(id);
        if (!ETags.Matches(http.Request.Headers.IfMatch, record.Version))
        {
            return Problems.Status(412, "If-Match does not name the calendar's current version.");
        }
        var errors = new ValidationErrors();
        var code = body.Code ?? record.Code;
        body = body with { Code = code };
        var definition = CalendarMapping.Parse(body, errors);
        if (definition is null) return Problems.Validation(errors);
        if (record.BuiltIn && code != record.Code)
        {
            return Problems.Validation("code", "A built-in calendar's code cannot change.");
        }
        if (code != record.Code && await db.Calendars.AnyAsync(c => c.Code == code && c.Id != record.Id, ct))
        {
            return Conflict("code", $"A calendar with code '{code}' already exists.");
        }
        CalendarEditing.Apply(record, body, definition);
        await db.SaveChangesAsync(ct);
        ETags.Set(http, record.Version);
        CalendarsLog.Replaced(log, record.Code, record.Version);
        return TypedResults.Ok(CalendarMapping.ToResponse(record));
    }

    public static async Task<Results<Ok<AddBusinessTimeResponse>, ValidationProblem, NotFound<ProblemDetails>, ProblemHttpResult>> AddBusinessTime(
        string id, AddBusinessTimeRequest body, CalendarService calendars, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var start = CalendarMapping.ParseInstant(body.Start, "start", errors);
        if (body.Minutes is null) errors.Add("minutes", "is required.");
        else if (body.Minutes is < 0 or > MaxMinutes) errors.Add("minutes", $"must be between 0 and {MaxMinutes}.");
        if (errors.Any) return Problems.Validation(errors);
        if (await calendars.FindAsync(id, ct) is not { } calendar) return NotFound(id);
        try
        {
            var due = calendar.AddBusinessTime(start!.Value, body.Minutes!.Value);
            return TypedResults.Ok(new AddBusinessTimeResponse(CalendarMapping.FormatInstant(due)));
        }
        catch (NoWorkingTimeException)
        {
            return Problems.Status(422, "The calendar has no working time within 10 years of the start.");
        }
    }

    public static async Task<Results<Ok<AddWorkingDaysResponse>, ValidationProblem, NotFound<ProblemDetails>, ProblemHttpResult>> AddWorkingDays(
        string id, AddWorkingDaysRequest body, CalendarService calendars, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        DateOnly? date = null;
        if (errors.Required("date", body.Date))
        {
            date = CalendarMapping.ParseDate(body.Date);
            if (date is null) errors.Add("date", "must be a date YYYY-MM-DD.");
        }
        if (body.Days is null) errors.Add("days", "is required.");
        else if (body.Days is < 0 or > 3650) errors.Add("days", "must be between 0 and 3650.");
        if (errors.Any) return Problems.Validation(errors);
        if (await calendars.FindAsync(id, ct) is not { } calendar) return NotFound(id);
        try
        {
            var result = calendar.AddWorkingDays(date!.Value, body.Days!.Value);
            return TypedResults.Ok(new AddWorkingDaysResponse(result.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        }
        catch (NoWorkingTimeException)
        {
            return Problems.Status(422, "The calendar has no working day within 10 years of the date.");
        }
    }

    public static async Task<Results<Ok<MinutesBetweenResponse>, ValidationProblem, NotFound<ProblemDetails>>> MinutesBetween(
        string id, MinutesBetweenRequest body, CalendarService calendars, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var from = CalendarMapping.ParseInstant(body.From, "from", errors);
        var to = CalendarMapping.ParseInstant(body.To, "to", errors);
        if (from is not null && to is not null && to < from) errors.Add("to", "must not be before from.");
        if (from is not null && to is not null && (to.Value - from.Value).TotalDays > 3660) errors.Add("to", "must be within 10 years of from.");
        if (errors.Any) return Problems.Validation(errors);
        if (await calendars.FindAsync(id, ct) is not { } calendar) return NotFound(id);
        var span = calendar.BusinessTimeBetween(from!.Value, to!.Value);
        return TypedResults.Ok(new MinutesBetweenResponse((long)Math.Floor(span.TotalMinutes)));
    }

    private static async Task<CalendarRecord?> Find(CareLoopDbContext db, string id, CancellationToken ct, bool track = false)
    {
        var q = track ? db.Calendars : db.Calendars.AsNoTracking();
        return await q.WhereIdOrCode(id).SingleOrDefaultAsync(ct);
    }

    private static NotFound<ProblemDetails> NotFound(string id) => Problems.NotFound($"No calendar '{id}'.");

    private static Conflict<ProblemDetails> Conflict(string field, string detail) =>
        TypedResults.Conflict(new ProblemDetails { Status = 409, Title = "Conflict", Detail = detail, Extensions = { ["field"] = field } });
}
