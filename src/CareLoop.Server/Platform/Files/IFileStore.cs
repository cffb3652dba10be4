using System.Text.RegularExpressions;
using CareLoop.Server.Platform.Hosting;

namespace CareLoop.Server.Platform.Files;

/// <summary>
/// Where file content lives, by key (e.g. <c>2026/05/&lt;id&gt;</c>). <see cref="LocalFileStore"/> keeps it under the
/// data folder; an object store (S3, OSS, MinIO) can implement the same four operations.
/// </summary>
public interface IFileStore
{
    /// <summary>Stores the stream's content under the key; nothing is left under the key when it fails.</summary>
    Task SaveAsync(string key, Stream content, CancellationToken ct);

    /// <summary>The content, seekable where the store can (so ranges can be served), or null when there is none.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken ct);

    /// <summary>Removes the content; no error when there is none.</summary>
    Task DeleteAsync(string key, CancellationToken ct);

    Task<bool> ExistsAsync(string key, CancellationToken ct);
}

/// <summary>Content as files under <c>&lt;data folder&gt;/files/&lt;key&gt;</c>, written to a side file and moved into place.</summary>
public sealed partial class LocalFileStore(string root) : IFileStore
{
    public LocalFileStore(ServerOptions options) : this(Path.Combine(Path.GetFullPath(options.DataFolder), "files"))
    {
    }

    public string Root { get; } = Path.GetFullPath(root);

    [GeneratedRegex(@"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)*$")]
    private static partial Regex KeyPattern();

    /// <summary>The file of a key; keys are ids and dates, so anything else (e.g. <c>..</c>) is refused.</summary>
    public string PathOf(string key)
    {
        if (key.Length > 200 || !KeyPattern().IsMatch(key))
        {
            throw new ArgumentException($"'{key}' is not a valid storage key.", nameof(key));
        }
        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    public async Task SaveAsync(string key, Stream content, CancellationToken ct)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = $"{path}.partial-{Guid.NewGuid():N}";
        try
        {
            await using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(target, ct);
                await target.FlushAsync(ct);
                target.Flush(flushToDisk: true);
            }
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
    {
        try
        {
            Stream stream = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult<Stream?>(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        try
        {
            File.Delete(PathOf(key));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever stored in that month's folder.
        }
        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(key)));
}
