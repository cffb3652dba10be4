using System.Globalization;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.ServiceDesk;

public sealed record MacroBody(string? Name, string? BodyZh, string? BodyEn, TicketStatus? SetStatus);
public sealed record MacroView(Guid Id, string Name, string BodyZh, string? BodyEn, TicketStatus? SetStatus, long Version);

/// <summary>The values a macro's placeholders are filled with.</summary>
public sealed record MacroContext(string CustomerName, long TicketNumber, string AgentName);

/// <summary>Reply templates: CRUD for supervisors, and rendering of placeholders for the agent's reply box.</summary>
public sealed class Macros(CareLoopDbContext db)
{
    public const int MaxNameLength = 200;

    /// <summary>Placeholders a macro body may use.</summary>
    public static readonly IReadOnlyList<string> Placeholders = ["{{customer.name}}", "{{ticket.number}}", "{{agent.name}}"];

    public static void Map(RouteGroupBuilder api)
    {
        var macros = api.MapGroup("/macros");
        macros.MapGet("/", (Macros m, CancellationToken ct) => m.ListAsync(ct)).RequireAuthorization(Policies.ServiceDesk);
        macros.MapGet("/{id:guid}", async Task<Results<Ok<MacroView>, NotFound<ProblemDetails>>> (Guid id, Macros m, CancellationToken ct) =>
            await m.GetAsync(id, ct) is { } view ? TypedResults.Ok(view) : Problems.NotFound("No such macro.")).RequireAuthorization(Policies.ServiceDesk);
        macros.MapPost("/", async Task<Results<Created<MacroView>, ValidationProblem>> (MacroBody body, Macros m, CancellationToken ct) =>
        {
            var (view, errors) = await m.SaveAsync(null, body, ct);
            return view is null ? Problems.Validation(errors) : TypedResults.Created($"/api/v1/macros/{view.Id}", view);
        }).RequireAuthorization(Policies.Manage);
        macros.MapPut("/{id:guid}", async Task<Results<Ok<MacroView>, ValidationProblem, NotFound<ProblemDetails>>> (Guid id, MacroBody body, Macros m, CancellationToken ct) =>
        {
            if (await m.GetAsync(id, ct) is null)
            {
                return Problems.NotFound("No such macro.");
            }
            var (view, errors) = await m.SaveAsync(id, body, ct);
            return view is null ? Problems.Validation(errors) : TypedResults.Ok(view);
        }).RequireAuthorization(Policies.Manage);
        macros.MapDelete("/{id:guid}", async Task<Results<NoContent, NotFound<ProblemDetails>>> (Guid id, Macros m, CancellationToken ct) =>
            await m.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound("No such macro.")).RequireAuthorization(Policies.Manage);
    }

    public async Task<List<MacroView>> ListAsync(CancellationToken ct) =>
        (await db.Macros.AsNoTracking().OrderBy(m => m.Name).ToListAsync(ct)).Select(View).ToList();

    public async Task<MacroView?> GetAsync(Guid id, CancellationToken ct) =>
        await db.Macros.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, ct) is { } m ? View(m) : null;

    /// <summary>Creates (<paramref name="id"/> null) or replaces a macro; null and the field errors when the body is invalid.</summary>
    public async Task<(MacroView? View, ValidationErrors Errors)> SaveAsync(Guid? id, MacroBody body, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (errors.Required("name", body.Name)) errors.MaxLength("name", body.Name, MaxNameLength);
        if (errors.Required("bodyZh", body.BodyZh)) errors.MaxLength("bodyZh", body.BodyZh, TicketMessage.MaxBodyLength);
        errors.MaxLength("bodyEn", body.BodyEn, TicketMessage.MaxBodyLength);
        if (body.SetStatus is TicketStatus.New or TicketStatus.Closed) errors.Add("setStatus", "must be open, pending, on_hold or solved.");
        var name = body.Name?.Trim() ?? "";
        if (!errors.Any && await db.Macros.AnyAsync(m => m.Name == name && m.Id != id, ct)) errors.Add("name", "is already used by another macro.");
        if (errors.Any)
        {
            return (null, errors);
        }
        Macro macro;
        if (id is { } existing)
        {
            macro = await db.Macros.SingleAsync(m => m.Id == existing, ct);
        }
        else
        {
            macro = new Macro();
            db.Macros.Add(macro);
        }
        macro.Name = name;
        macro.BodyZh = body.BodyZh!.Trim();
        macro.BodyEn = string.IsNullOrWhiteSpace(body.BodyEn) ? null : body.BodyEn.Trim();
        macro.SetStatus = body.SetStatus;
        await db.SaveChangesAsync(ct);
        return (View(macro), errors);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await db.Macros.Where(m => m.Id == id).ExecuteDeleteAsync(ct) > 0;

    /// <summary>
    /// The macro's text in the viewer's language (English body when the culture is English and one exists, else the
    /// Chinese body) with its placeholders filled.
    /// </summary>
    public static string Render(MacroView macro, CultureInfo culture, MacroContext context)
    {
        var english = culture.Name.StartsWith("en", StringComparison.OrdinalIgnoreCase);
        var text = english && !string.IsNullOrWhiteSpace(macro.BodyEn) ? macro.BodyEn : macro.BodyZh;
        return text
            .Replace("{{customer.name}}", context.CustomerName, StringComparison.Ordinal)
            .Replace("{{ticket.number}}", context.TicketNumber.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{agent.name}}", context.AgentName, StringComparison.Ordinal);
    }

    private static MacroView View(Macro m) => new(m.Id, m.Name, m.BodyZh, m.BodyEn, m.SetStatus, m.Version);
}
