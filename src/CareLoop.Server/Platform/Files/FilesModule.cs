using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace CareLoop.Server.Platform.Files;

public sealed record FileResponse(
    Guid Id, string ContentType, long Size, string Name, string? RecordType, string? RecordId, bool HasThumbnail, DateTimeOffset CreatedAt)
{
    public static FileResponse Of(StoredFile f) =>
        new(f.Id, f.ContentType, f.Size, f.Name, f.RecordType, f.RecordId, f.ThumbnailKey is not null, f.CreatedAt.AsUtcOffset());
}

/// <summary>Uploads (photos, videos, PDFs as evidence) and their download, thumbnail and metadata.</summary>
public static class FilesModule
{
    public static IServiceCollection AddFiles(this IServiceCollection services)
    {
        services.AddOptions<FilesOptions>().BindConfiguration(FilesOptions.Section)
            .Validate(FilesOptions.IsValid, "Files: every limit must be positive.").ValidateOnStart();
        services.AddSingleton<IFileStore>(sp => new LocalFileStore(sp.GetRequiredService<ServerOptions>()));
        services.AddScoped<FileRecordAccess>();
        services.AddScoped<FileService>();
        return services;
    }

    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder app)
    {
        // Anyone signed in may upload (customers in the portal, staff, integrations); reading is decided per file.
        var group = app.MapGroup("/api/v1/files").WithTags("Files").RequireAuthorization(Policies.SignedIn);
        group.MapPost("/", Upload).Accepts<IFormFile>("multipart/form-data");
        group.MapGet("/{id}", Download);
        group.MapGet("/{id}/thumbnail", Thumbnail);
        group.MapGet("/{id}/meta", Meta);
        return app;
    }

    public static async Task<Results<Created<FileResponse>, ValidationProblem, ProblemHttpResult>> Upload(
        HttpContext http, FileService files, CancellationToken ct)
    {
        var result = await files.UploadAsync(http.Request, http.User, ct);
        if (result.File is { } file)
        {
            return TypedResults.Created($"/api/v1/files/{file.Id}", FileResponse.Of(file));
        }
        var r = result.Rejection!;
        if (r.Status == 400)
        {
            return Problems.Validation(r.Field, r.Message);
        }
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [r.Field] = [r.Message] })
        {
            Status = r.Status,
            Detail = char.IsLower(r.Message[0]) ? $"{r.Field} {r.Message}" : r.Message,
        };
        if (r.Limit is { } limit)
        {
            problem.Extensions["limit"] = limit;
        }
        return TypedResults.Problem(problem);
    }

    public static async Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>>> Download(
        string id, FileService files, HttpContext http, CancellationToken ct)
    {
        var file = Guid.TryParse(id, out var guid) ? await files.FindReadableAsync(guid, http.User, ct) : null;
        var content = file is null ? null : await files.OpenAsync(file, file.StorageKey, ct);
        if (content is null)
        {
            return Problems.NotFound($"No file '{id}'.");
        }
        var disposition = new ContentDispositionHeaderValue("inline");
        disposition.SetHttpFileName(file!.Name);
        http.Response.Headers.ContentDisposition = disposition.ToString();
        return Serve(http, content, file.ContentType, file);
    }

    public static async Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>>> Thumbnail(
        string id, FileService files, HttpContext http, CancellationToken ct)
    {
        var file = Guid.TryParse(id, out var guid) ? await files.FindReadableAsync(guid, http.User, ct) : null;
        var content = file?.ThumbnailKey is { } key ? await files.OpenAsync(file, key, ct) : null;
        return content is null
            ? Problems.NotFound($"No thumbnail of file '{id}'.")
            : Serve(http, content, Thumbnails.ContentType, file!);
    }

    public static async Task<Results<Ok<FileResponse>, NotFound<ProblemDetails>>> Meta(
        string id, FileService files, HttpContext http, CancellationToken ct)
    {
        var file = Guid.TryParse(id, out var guid) ? await files.FindReadableAsync(guid, http.User, ct) : null;
        return file is null ? Problems.NotFound($"No file '{id}'.") : TypedResults.Ok(FileResponse.Of(file));
    }

    /// <summary>Streams stored content with range requests; files never change, so the hash is a strong ETag.</summary>
    private static FileStreamHttpResult Serve(HttpContext http, Stream content, string contentType, StoredFile file)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.File(content, contentType, lastModified: file.CreatedAt.AsUtcOffset(),
            entityTag: new EntityTagHeaderValue($"\"{file.Sha256[..32]}\""), enableRangeProcessing: true);
    }
}
