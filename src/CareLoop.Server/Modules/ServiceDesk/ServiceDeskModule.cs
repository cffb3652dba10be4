using System.Security.Claims;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Jobs;
using CareLoop.Server.Platform.Notifications;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Platform.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CareLoop.Server.Modules.ServiceDesk;

/// <summary>Service desk: tickets from every channel, SLA in business time, routing, escalation.</summary>
public static class ServiceDeskModule
{
    public static IServiceCollection AddServiceDesk(this IServiceCollection services)
    {
        services.AddSingleton<SlaPolicyCache>();
        services.AddSingleton<DeskSetupCache>();
        services.AddSingleton<TicketNumbers>();
        services.AddSingleton<TicketIntakeWriter>();
        services.AddSingleton<SlaCalendarCache>();
        services.AddScoped<TicketSla>();
        services.AddScoped<TicketRouter>();
        services.AddScoped<TicketQueries>();
        services.AddScoped<CreateTicket>();
        services.AddScoped<TicketActions>();
        services.AddScoped<ServiceDeskAdmin>();
        services.AddScoped<Macros>().AddScoped<CustomerContext>();
        services.AddScoped<Platform.Files.IFileRecordAccess, TicketFileAccess>();
        services.AddDomainEventHandler<TicketMessageAdded, TicketNotifications>();
        services.AddSingleton<TicketFeed>();
        services.AddDomainEventHandler<TicketStatusChanged, TicketFeedPublisher>();
        services.AddDomainEventHandler<TicketAssigned, TicketFeedPublisher>();
        services.AddDomainEventHandler<TicketMessageAdded, TicketFeedPublisher>();
        services.AddNotificationTemplate(ServiceDeskTemplates.RepliedMessage);
        services.AddNotificationTemplate(ServiceDeskTemplates.EscalatedMessage);
        services.AddSetting(ServiceDeskSettings.AutoClose);
        services.AddScheduledJob<SlaEscalationJob>(SlaEscalationJob.Name, JobSchedule.Every(TimeSpan.FromSeconds(30)));
        services.AddScheduledJob<AutoCloseJob>(AutoCloseJob.Name, JobSchedule.Every(TimeSpan.FromHours(1)));
        services.AddTicketSearch();
        return services;
    }

    public static IEndpointRouteBuilder MapServiceDesk(this IEndpointRouteBuilder app)
    {
        var tickets = app.MapGroup("/api/v1/tickets").WithTags("Service desk");
        tickets.MapPost("/", Create).RequireAuthorization(Policies.SubmitTickets).Idempotent();
        tickets.MapGet("/", List).RequireAuthorization(Policies.ReadTickets);
        app.MapTicketSearch();
        tickets.MapGet("/{id}", Get).RequireAuthorization(Policies.ReadTickets);
        tickets.MapGet("/{id}/sla", GetSla).RequireAuthorization(Policies.ReadTickets);
        tickets.MapGet("/{id}/messages", Messages).RequireAuthorization(Policies.ReadTickets);
        tickets.MapGet("/{id}/timeline", Timeline).RequireAuthorization(Policies.ServiceDesk);
        tickets.MapPost("/{id}/messages", Reply).RequireAuthorization(Policies.SubmitTickets).Idempotent();
        tickets.MapPatch("/{id}", Update).RequireAuthorization(Policies.ServiceDesk);
        tickets.MapPost("/{id}/rating", Rate).RequireAuthorization(Policies.SubmitTickets);
        tickets.MapPost("/{id}/merge", Merge).RequireAuthorization(Policies.ServiceDesk);
        DuplicateTickets.Map(tickets);
        ServiceDeskAdmin.Map(app.MapGroup("/api/v1").WithTags("Service desk setup"));
        SlaReports.Map(app.MapGroup("/api/v1").WithTags("Service desk reports"));
        Macros.Map(app.MapGroup("/api/v1").WithTags("Service desk macros"));
        return app;
    }

    private static async Task<IResult> Create(CreateTicketRequest body, CreateTicket handler, ClaimsPrincipal user, CancellationToken ct) =>
        await handler.HandleAsync(body, user, ct);

    private static async Task<Results<Ok<Page<TicketListItem>>, ValidationProblem>> List(
        TicketQueries queries, ClaimsPrincipal user, CancellationToken ct,
        string? view = null, Guid? group = null, string? status = null, string? priority = null, string? channel = null, string? category = null,
        string? customer = null, Guid? assignee = null, int? limit = null, string? cursor = null)
    {
        var errors = new ValidationErrors();
        var (take, after) = Paging.Read(limit, cursor, errors);
        if (view is not (null or "all" or "mine" or "unassigned")) errors.Add("view", "must be all, mine or unassigned.");
        var statuses = new List<TicketStatus>();
        foreach (var s in (status ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ApiJson.TryParseEnum<TicketStatus>(s, out var st)) statuses.Add(st);
            else errors.Add("status", $"'{s}' is not a ticket status.");
        }
        var p = Parse<TicketPriority>(priority, "priority", errors);
        var ch = Parse<TicketChannel>(channel, "channel", errors);
        var cat = Parse<TicketCategory>(category, "category", errors);
        if (errors.Any)
        {
            return Problems.Validation(errors);
        }
        return TypedResults.Ok(await queries.ListAsync(new TicketFilter(view, group, statuses, p, ch, cat, customer, assignee), take, after, user, ct));
    }

    private static T? Parse<T>(string? text, string field, ValidationErrors errors) where T : struct, Enum
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (ApiJson.TryParseEnum<T>(text, out var value))
        {
            return value;
        }
        errors.Add(field, $"'{text}' is not a known value.");
        return null;
    }

    private static async Task<Results<Ok<TicketView>, NotFound<ProblemDetails>>> Get(string id, TicketQueries queries, HttpContext http, CancellationToken ct)
    {
        var view = await queries.GetAsync(id, ct);
        if (view is null)
        {
            return Problems.NotFound("No such ticket.");
        }
        ETags.Set(http, view.Version);
        return TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<SlaView>, NotFound<ProblemDetails>>> GetSla(string id, TicketQueries queries, TicketSla sla, CancellationToken ct)
    {
        var ticket = await queries.FindAsync(id, ct);
        return ticket is null ? Problems.NotFound("No such ticket.") : TypedResults.Ok(SlaView.From(await sla.EvaluateAsync(ticket, ct)));
    }

    private static async Task<Results<Ok<List<MessageView>>, NotFound<ProblemDetails>>> Messages(string id, TicketQueries queries, ClaimsPrincipal user, CancellationToken ct)
    {
        var ticket = await queries.FindAsync(id, ct);
        return ticket is null ? Problems.NotFound("No such ticket.") : TypedResults.Ok(await queries.MessagesAsync(ticket, TicketQueries.IsStaff(user), ct));
    }

    private static async Task<Results<Ok<List<TimelineEntry>>, NotFound<ProblemDetails>>> Timeline(string id, TicketQueries queries, CancellationToken ct)
    {
        var ticket = await queries.FindAsync(id, ct);
        return ticket is null
            ? Problems.NotFound("No such ticket.")
            : TypedResults.Ok(ticket.Events.OrderBy(e => e.Seq)
                .Select(e => new TimelineEntry(e.Seq, e.At.AsUtcOffset(), e.Kind, e.Actor, e.From, e.To, e.MessageId, e.Note)).ToList());
    }

    private static async Task<IResult> Reply(string id, ReplyRequest body, TicketActions actions, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        actions.IfMatch = http.Request.Headers.IfMatch;
        var change = await actions.ReplyAsync(id, body, user, ct);
        if (change.Problem is { } problem)
        {
            return problem;
        }
        ETags.Set(http, change.Ticket!.Version);
        return change.FollowUp
            ? TypedResults.Created($"/api/v1/tickets/{change.Ticket.Id}", change.Ticket)
            : TypedResults.Ok(change.Ticket);
    }

    private static async Task<IResult> Update(string id, UpdateTicketRequest body, TicketActions actions, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        actions.IfMatch = http.Request.Headers.IfMatch;
        return Answer(await actions.UpdateAsync(id, body, user, ct), http);
    }

    private static async Task<IResult> Rate(string id, RateRequest body, TicketActions actions, ClaimsPrincipal user, HttpContext http, CancellationToken ct) =>
        Answer(await actions.RateAsync(id, body, user, ct), http);

    private static async Task<IResult> Merge(string id, MergeRequest body, TicketActions actions, HttpContext http, CancellationToken ct) =>
        Answer(await actions.MergeAsync(id, body, ct), http);

    private static IResult Answer(TicketChange change, HttpContext http)
    {
        if (change.Problem is { } problem)
        {
            return problem;
        }
        ETags.Set(http, change.Ticket!.Version);
        return TypedResults.Ok(change.Ticket);
    }
}
