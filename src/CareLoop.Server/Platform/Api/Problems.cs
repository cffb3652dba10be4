using System.Text.Json;
using CareLoop.Server.Resources;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace CareLoop.Server.Platform.Api;

/// <summary>RFC 9457 problem answers with localised titles and field-keyed errors.</summary>
public static class Problems
{
    public static ValidationProblem Validation(ValidationErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary());

    public static ValidationProblem Validation(string field, string message)
    {
        var e = new ValidationErrors();
        e.Add(field, message);
        return Validation(e);
    }

    /// <summary>404 for a record that does not exist or is outside the caller's reach (never revealed as such).</summary>
    public static NotFound<Microsoft.AspNetCore.Mvc.ProblemDetails> NotFound(string detail) =>
        TypedResults.NotFound(new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 404, Title = "Not Found", Detail = detail });

    public static ProblemHttpResult Status(int status, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);

    public static IServiceCollection AddCareLoopProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var localizer = ctx.HttpContext.RequestServices.GetService<IStringLocalizer<SharedResource>>();
            var status = ctx.ProblemDetails.Status ?? 500;
            var title = localizer?[$"Problem_{status}"];
            if (title is { ResourceNotFound: false })
            {
                ctx.ProblemDetails.Title = title.Value;
            }
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }
}

/// <summary>Turns malformed bodies and invalid input into 400 problems naming the field; concurrency conflicts into 412.</summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ValidationErrors? errors = null;
        int status;
        string? detail = null;
        switch (exception)
        {
            case ValidationFailedException v:
                errors = v.Errors;
                status = 400;
                break;
            case BadHttpRequestException { InnerException: JsonException json }:
                errors = new ValidationErrors();
                errors.Add(JsonPathToField(json.Path), CleanJsonMessage(json));
                status = 400;
                break;
            case BadHttpRequestException bad:
                status = bad.StatusCode;
                detail = bad.Message;
                if (status == 400 && TryParameterName(bad.Message) is { } field)
                {
                    errors = new ValidationErrors();
                    errors.Add(field, bad.Message);
                }
                break;
            case DbUpdateConcurrencyException:
                status = 412;
                detail = "The record was changed by someone else; fetch it again and retry.";
                break;
            default:
                return false;
        }
        context.Response.StatusCode = status;
        var pd = errors is not null
            ? new HttpValidationProblemDetails(errors.ToDictionary()) { Status = status }
            : new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Detail = detail };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = pd, Exception = exception });
    }

    /// <summary>"$.items[2].lines[0].quantity" → "items[2].lines[0].quantity"; the root → "body".</summary>
    internal static string JsonPathToField(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }
        var p = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return p.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).TrimStart('.');
    }

    private static string CleanJsonMessage(JsonException json)
    {
        var m = json.Message;
        var cut = m.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            m = m[..cut];
        }
        if (m.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return "has a value of the wrong type or an unknown value.";
        }
        return m;
    }

    private static string? TryParameterName(string message)
    {
        // e.g. Failed to bind parameter "int limit" from "abc".
        const string marker = "parameter \"";
        var i = message.IndexOf(marker, StringComparison.Ordinal);
        if (i < 0)
        {
            return null;
        }
        var rest = message[(i + marker.Length)..];
        var end = rest.IndexOf('"', StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }
        var parts = rest[..end].Split(' ');
        return parts[^1];
    }
}
