using System.Globalization;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Platform.Files;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using MudBlazor;

namespace CareLoop.Server.Components.Desk;

/// <summary>What a service problem (an <see cref="IResult"/> of the desk services) says, for a page to show.</summary>
public sealed record ProblemInfo(int Status, string? Detail, IReadOnlyList<string> Fields);

/// <summary>Colours, SLA texts, problems and uploads shared by the agent console and the customer portal.</summary>
public static class DeskUi
{
    /// <summary>Largest photo or file a page uploads (the platform's own limits apply on top).</summary>
    public const long MaxUploadBytes = 20 * 1024 * 1024;

    public static Color Of(TicketStatus status) => status switch
    {
        TicketStatus.New => Color.Info,
        TicketStatus.Open => Color.Primary,
        TicketStatus.Pending => Color.Warning,
        TicketStatus.OnHold => Color.Secondary,
        TicketStatus.Solved => Color.Success,
        _ => Color.Default,
    };

    public static Color Of(TicketPriority priority) => priority switch
    {
        TicketPriority.Urgent => Color.Error,
        TicketPriority.High => Color.Warning,
        TicketPriority.Normal => Color.Default,
        _ => Color.Default,
    };

    /// <summary>The SLA state of a due instant: breached (red), at risk (amber), running, or none.</summary>
    public static string SlaState(DateTimeOffset? due, bool atRisk, bool breached, DateTimeOffset now) =>
        breached || (due is { } d && d <= now) ? "breached" : atRisk ? "at-risk" : due is null ? "none" : "ok";

    public static Color SlaColor(string state) => state switch
    {
        "breached" => Color.Error,
        "at-risk" => Color.Warning,
        "ok" => Color.Success,
        _ => Color.Default,
    };

    /// <summary>"逾期 12 分钟" / "剩余 35 分钟" (or hours, days) relative to <paramref name="now"/>; empty without a due instant.</summary>
    public static string SlaText(IStringLocalizer L, DateTimeOffset? due, DateTimeOffset now)
    {
        if (due is not { } d)
        {
            return "";
        }
        var left = d - now;
        var span = left.Duration();
        var amount = span.TotalMinutes < 60
            ? string.Format(CultureInfo.CurrentCulture, L["Desk_Minutes"], Math.Max(1, (int)Math.Ceiling(span.TotalMinutes)))
            : span.TotalHours < 48
                ? string.Format(CultureInfo.CurrentCulture, L["Desk_Hours"], (int)span.TotalHours, span.Minutes)
                : string.Format(CultureInfo.CurrentCulture, L["Desk_Days"], (int)span.TotalDays, span.Hours);
        return string.Format(CultureInfo.CurrentCulture, left < TimeSpan.Zero ? L["Desk_Overdue"] : L["Desk_Remaining"], amount);
    }

    public static ProblemInfo Describe(IResult result) => result switch
    {
        ValidationProblem v => new(400, v.ProblemDetails.Detail, v.ProblemDetails.Errors.Keys.ToList()),
        ProblemHttpResult p => new(p.StatusCode, p.ProblemDetails.Detail,
            p.ProblemDetails is HttpValidationProblemDetails hv ? hv.Errors.Keys.ToList() : []),
        NotFound<ProblemDetails> n => new(404, n.Value?.Detail, []),
        IStatusCodeHttpResult s => new(s.StatusCode ?? 500, null, []),
        _ => new(500, null, []),
    };

    /// <summary>
    /// Uploads a browser file through the platform's <see cref="FileService"/> as the signed-in user (the same checks as
    /// <c>POST /api/v1/files</c>: type sniffing, limits, thumbnails, the uploader stamp). The file streams from the
    /// browser into a multipart body the service reads.
    /// </summary>
    public static async Task<UploadResult> UploadAsync(
        IServiceScopeFactory scopes, AuthenticationStateProvider auth, IBrowserFile file, CancellationToken ct)
    {
        if (file.Size > MaxUploadBytes)
        {
            return new UploadResult(null, new UploadRejection(413, "file", "too large", MaxUploadBytes));
        }
        var user = (await auth.GetAuthenticationStateAsync()).User;
        using var form = new MultipartFormDataContent();
        var part = new StreamContent(file.OpenReadStream(MaxUploadBytes, ct));
        part.Headers.ContentType = MediaTypeHeaderValue.TryParse(file.ContentType, out var type) ? type : new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", file.Name);
        var pipe = new Pipe();
        var writing = Task.Run(async () =>
        {
            try
            {
                await form.CopyToAsync(pipe.Writer.AsStream(leaveOpen: true), ct);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        }, ct);
        var http = new DefaultHttpContext { User = user };
        http.Request.Method = "POST";
        http.Request.ContentType = form.Headers.ContentType!.ToString();
        http.Request.Body = pipe.Reader.AsStream();
        try
        {
            return await scopes.ForUserAsync<FileService, UploadResult>(user, files => files.UploadAsync(http.Request, user, ct));
        }
        finally
        {
            await pipe.Reader.CompleteAsync();
            try
            {
                await writing;
            }
            catch (Exception)
            {
                // The service stopped reading (a rejected file): the rest of the browser stream is not needed.
            }
        }
    }

    public static string Number(long number) => number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Photos are shown as thumbnails; other files as download links.</summary>
    public static bool IsImage(string contentType) => contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);
}
