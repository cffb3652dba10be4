using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareLoop.Domain.Common;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using CsvHelper;
using CsvHelper.Configuration;

namespace CareLoop.Server.Modules.Commerce;

/// <summary>
/// `careloop import &lt;kind&gt; &lt;file&gt;`: CSV or JSON lines through the integration API's rules (the same
/// <see cref="UpsertRunner"/> as the bulk endpoint), all-or-nothing in one transaction; errors name the line.
/// </summary>
public static class FileImport
{
    public const int BatchSize = 1000;

    private sealed record Row<TDto>(int Line, TDto? Dto);

    public static Task<int> RunAsync(IServiceProvider services, string kind, FileInfo file, TextWriter messages, CancellationToken ct) =>
        kind.ToLowerInvariant() switch
        {
            "merchants" or "merchant" => ImportAsync(CommerceKinds.Merchants, services, file, messages, ct),
            "suppliers" or "supplier" => ImportAsync(CommerceKinds.Suppliers, services, file, messages, ct),
            "categories" or "category" => ImportAsync(CommerceKinds.Categories, services, file, messages, ct),
            "products" or "product" => ImportAsync(CommerceKinds.Products, services, file, messages, ct),
            "lots" or "lot" => ImportAsync(CommerceKinds.Lots, services, file, messages, ct),
            "customers" or "customer" => ImportAsync(CommerceKinds.Customers, services, file, messages, ct),
            "orders" or "order" => ImportAsync(CommerceKinds.Orders, services, file, messages, ct),
            "shipments" or "shipment" => ImportAsync(CommerceKinds.Shipments, services, file, messages, ct),
            "tracking-events" => ImportTrackingEventsAsync(services, file, messages, ct),
            _ => Fail(messages, $"error: unknown kind '{kind}'; use one of {string.Join(", ", CommerceKinds.All.Select(k => k.Name))} or tracking-events."),
        };

    private static Task<int> Fail(TextWriter messages, string message)
    {
        messages.WriteLine(message);
        return Task.FromResult(1);
    }

    private static async Task<int> ImportAsync<TEntity, TDto>(
        UpsertKind<TEntity, TDto> kind, IServiceProvider services, FileInfo file, TextWriter messages, CancellationToken ct)
        where TEntity : ExternalEntity, new()
        where TDto : class, IExternalDto
    {
        var errors = new List<string>();
        var rows = await ReadAsync<TDto>(kind.Name, file, errors, ct);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            if (r.Dto?.ExternalId is { } id && !seen.TryAdd(id, r.Line))
            {
                errors.Add($"line {r.Line}: externalId: '{id}' already appears on line {seen[id]}.");
            }
        }
        if (errors.Count > 0)
        {
            return Report(messages, errors);
        }

        var db = services.GetRequiredService<CareLoopDbContext>();
        var runner = services.GetRequiredService<UpsertRunner>();
        var total = new BulkResult(0, 0, 0);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            foreach (var batch in rows.Chunk(BatchSize))
            {
                var validation = new ValidationErrors();
                var items = batch.Select(r => new UpsertItem<TDto>(r.Dto?.ExternalId, r.Dto, $"line {r.Line}: ")).ToList();
                var applied = await runner.ApplyAsync(kind, items, validation, ct);
                if (validation.Any)
                {
                    // Disposing the transaction rolls back the batches already written.
                    return Report(messages, validation.All().Select(e => $"{e.Field}: {e.Message}"));
                }
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                total = total.Add(UpsertRunner.Count(applied));
            }
            await tx.CommitAsync(ct);
        }
        messages.WriteLine($"imported {rows.Count} {kind.Name} from {file.Name}: {total.Created} created, {total.Updated} updated, {total.Unchanged} unchanged.");
        return 0;
    }

    /// <summary>
    /// Tracking events from a carrier's file through the same code as <c>POST /api/v1/tracking-events</c>:
    /// duplicates ignored, unknown tracking numbers kept pending; all-or-nothing for the file.
    /// </summary>
    private static async Task<int> ImportTrackingEventsAsync(IServiceProvider services, FileInfo file, TextWriter messages, CancellationToken ct)
    {
        var errors = new List<string>();
        var rows = await ReadAsync<TrackingEventDto>("tracking-events", file, errors, ct);
        if (errors.Count > 0)
        {
            return Report(messages, errors);
        }
        var db = services.GetRequiredService<CareLoopDbContext>();
        var ingest = services.GetRequiredService<IngestTrackingEvents>();
        var (accepted, duplicates, pending) = (0, 0, 0);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            foreach (var batch in rows.Chunk(BatchSize))
            {
                try
                {
                    var result = await ingest.HandleAsync(new TrackingEventsRequest(batch.Select(r => r.Dto).ToList()), ct);
                    (accepted, duplicates, pending) = (accepted + result.Accepted, duplicates + result.Duplicates, pending + result.Pending);
                }
                catch (ValidationFailedException e)
                {
                    // Disposing the transaction rolls back the batches already written.
                    return Report(messages, e.Errors.All().Select(x => OnLine(batch, x.Field, x.Message)));
                }
                db.ChangeTracker.Clear();
            }
            await tx.CommitAsync(ct);
        }
        messages.WriteLine($"imported {rows.Count} tracking events from {file.Name}: {accepted} accepted, {duplicates} duplicates, {pending} pending (no shipment yet).");
        return 0;
    }

    /// <summary>"events[3].status" of a batch → "line N: status".</summary>
    private static string OnLine<TDto>(Row<TDto>[] batch, string field, string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(field, @"^events\[(\d+)\]\.?(.*)$");
        return match.Success && int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var i) && i < batch.Length
            ? $"line {batch[i].Line}: {(match.Groups[2].Value.Length > 0 ? match.Groups[2].Value : "event")}: {message}"
            : $"{field}: {message}";
    }

    /// <summary>Reads a .csv or .jsonl file into payloads with their line numbers; problems go to <paramref name="errors"/>.</summary>
    private static async Task<List<Row<TDto>>> ReadAsync<TDto>(string kind, FileInfo file, List<string> errors, CancellationToken ct)
    {
        if (!file.Exists)
        {
            errors.Add($"error: file '{file.FullName}' not found.");
            return [];
        }
        switch (file.Extension.ToLowerInvariant())
        {
            case ".csv":
                return ReadCsv<TDto>(kind, file, errors);
            case ".jsonl" or ".ndjson":
                return await ReadJsonLinesAsync<TDto>(file, errors, ct);
            default:
                errors.Add("error: the file must be .csv or .jsonl.");
                return [];
        }
    }

    private static int Report(TextWriter messages, IEnumerable<string> errors)
    {
        var n = 0;
        foreach (var e in errors)
        {
            messages.WriteLine(e);
            n++;
        }
        messages.WriteLine($"error: {n} problem(s); nothing was imported.");
        return 1;
    }

    private static async Task<List<Row<TDto>>> ReadJsonLinesAsync<TDto>(FileInfo file, List<string> errors, CancellationToken ct)
    {
        var rows = new List<Row<TDto>>();
        var n = 0;
        foreach (var line in await File.ReadAllLinesAsync(file.FullName, ct))
        {
            n++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                rows.Add(new Row<TDto>(n, JsonSerializer.Deserialize<TDto>(line, ApiJson.Options)));
            }
            catch (JsonException e)
            {
                errors.Add($"line {n}: {Describe(e)}");
            }
        }
        return rows;
    }

    private static List<Row<TDto>> ReadCsv<TDto>(string kind, FileInfo file, List<string> errors)
    {
        var columns = CsvLayouts.ByKind[kind];
        var perLine = columns.Any(c => c.Path?.StartsWith("lines[]", StringComparison.Ordinal) == true);
        var records = new List<(int Line, JsonObject Record)>();
        var byId = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        using var reader = new StreamReader(file.FullName);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim });
        try
        {
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header)
            {
                errors.Add("line 1: the file has no header row.");
                return [];
            }
            foreach (var unknown in header.Where(h => columns.All(c => c.Name != h)))
            {
                errors.Add($"line 1: column '{unknown}' is not a {kind} column (see docs/import.md).");
            }
            while (csv.Read())
            {
                var line = csv.Parser.RawRow;
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < header.Length; i++)
                {
                    row[header[i]] = csv.GetField(i) ?? "";
                }
                var rowErrors = new List<string>();
                var (record, orderLine) = CsvLayouts.ToJson(columns, row, rowErrors);
                errors.AddRange(rowErrors.Select(e => $"line {line}: {e}"));
                var id = record["externalId"]?.GetValue<string>();
                if (perLine && id is not null && byId.TryGetValue(id, out var existing))
                {
                    // A further line of a record already started: the record's own columns come from its first row.
                    if (orderLine is not null)
                    {
                        ((JsonArray)existing["lines"]!).Add(orderLine);
                    }
                    continue;
                }
                if (perLine)
                {
                    record["lines"] = orderLine is null ? new JsonArray() : new JsonArray(orderLine);
                    if (id is not null)
                    {
                        byId[id] = record;
                    }
                }
                records.Add((line, record));
            }
        }
        catch (CsvHelperException e)
        {
            errors.Add($"line {e.Context?.Parser?.RawRow ?? 0}: malformed CSV ({e.GetType().Name}).");
            return [];
        }
        var rows = new List<Row<TDto>>(records.Count);
        foreach (var (line, record) in records)
        {
            try
            {
                rows.Add(new Row<TDto>(line, record.Deserialize<TDto>(ApiJson.Options)));
            }
            catch (JsonException e)
            {
                errors.Add($"line {line}: {Describe(e)}");
            }
        }
        return rows;
    }

    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }
        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            message = "has a value of the wrong type or an unknown value.";
        }
        return $"{ApiExceptionHandler.JsonPathToField(e.Path)}: {message}";
    }
}
