using CareLoop.Domain.Commerce;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Modules.Commerce;

public sealed record TrackingEventDto(
    string? Carrier, string? TrackingNumber, string? CarrierEventId, string? OccurredAt, TrackingStatus? Status,
    string? Place, string? CarrierCode, string? CarrierText);

public sealed record TrackingEventsRequest(IReadOnlyList<TrackingEventDto?>? Events);

public sealed record TrackingEventsResult(int Accepted, int Duplicates, int Pending);

/// <summary>
/// <c>POST /api/v1/tracking-events</c>: stores carrier scans keyed by carrier + tracking number + carrier event id.
/// Duplicates are ignored; scans for unknown tracking numbers are kept pending until their shipment arrives.
/// </summary>
public sealed class IngestTrackingEvents(CareLoopDbContext db, TimeProvider clock, ILogger<IngestTrackingEvents> log)
{
    public const int MaxEvents = 1000;

    public async Task<TrackingEventsResult> HandleAsync(TrackingEventsRequest body, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var events = body.Events;
        if (events is null)
        {
            errors.Add("events", "is required.");
        }
        else if (events.Count > MaxEvents)
        {
            errors.Add("events", $"must hold at most {MaxEvents} events.");
        }
        var parsed = new List<TrackingEvent>();
        var now = clock.GetUtcNow().UtcDateTime;
        for (var i = 0; i < (errors.Any ? 0 : events!.Count); i++)
        {
            var f = new Fields(errors, $"events[{i}].");
            if (events![i] is not { } e)
            {
                errors.Add($"events[{i}]", "must be an object.");
                continue;
            }
            f.Text("carrier", e.Carrier, 40, required: true);
            f.Text("trackingNumber", e.TrackingNumber, 60, required: true);
            f.Text("carrierEventId", e.CarrierEventId, 100, required: true);
            if (e.OccurredAt is null)
            {
                f.Add("occurredAt", "is required.");
            }
            var occurred = f.Instant("occurredAt", e.OccurredAt);
            f.Required("status", e.Status);
            f.Text("place", e.Place, 200);
            f.Text("carrierCode", e.CarrierCode, 40);
            f.Text("carrierText", e.CarrierText, 1000);
            if (occurred is not null && e.Status is not null)
            {
                parsed.Add(new TrackingEvent
                {
                    Carrier = e.Carrier!.Trim(), TrackingNumber = e.TrackingNumber!.Trim(), CarrierEventId = e.CarrierEventId!.Trim(),
                    OccurredAt = occurred.Value, Status = e.Status.Value, Place = e.Place, CarrierCode = e.CarrierCode,
                    CarrierText = e.CarrierText, ReceivedAt = now,
                });
            }
        }
        if (errors.Any)
        {
            throw new ValidationFailedException(errors);
        }

        var numbers = parsed.Select(e => e.TrackingNumber).Distinct().ToList();
        var stored = new HashSet<(string, string, string)>();
        var shipments = new Dictionary<(string, string), Shipment>();
        var lastApplied = new Dictionary<Guid, DateTime>();
        foreach (var chunk in numbers.Chunk(RefCache.ChunkSize))
        {
            var list = chunk.ToList();
            var existing = await db.TrackingEvents.AsNoTracking().Where(e => list.Contains(e.TrackingNumber))
                .Select(e => new { e.Carrier, e.TrackingNumber, e.CarrierEventId, e.ShipmentId, e.OccurredAt }).ToListAsync(ct);
            foreach (var e in existing)
            {
                stored.Add((e.Carrier, e.TrackingNumber, e.CarrierEventId));
                if (e.ShipmentId is { } sid && (!lastApplied.TryGetValue(sid, out var last) || e.OccurredAt > last))
                {
                    lastApplied[sid] = e.OccurredAt;
                }
            }
            foreach (var s in await db.Shipments.IgnoreQueryFilters().Where(s => list.Contains(s.TrackingNumber)).ToListAsync(ct))
            {
                shipments[(s.Carrier, s.TrackingNumber)] = s;
            }
        }

        int duplicates = 0, pending = 0;
        var accepted = new List<TrackingEvent>();
        foreach (var e in parsed)
        {
            if (!stored.Add((e.Carrier, e.TrackingNumber, e.CarrierEventId)))
            {
                duplicates++;
                continue;
            }
            if (shipments.TryGetValue((e.Carrier, e.TrackingNumber), out var s))
            {
                e.ShipmentId = s.Id;
            }
            else
            {
                pending++;
            }
            accepted.Add(e);
        }
        db.TrackingEvents.AddRange(accepted);
        foreach (var group in accepted.Where(e => e.ShipmentId is not null).GroupBy(e => e.ShipmentId!.Value))
        {
            var shipment = shipments.Values.First(s => s.Id == group.Key);
            ShipmentTracking.Apply(shipment, group, lastApplied.TryGetValue(group.Key, out var last) ? last : null);
        }
        await db.SaveChangesAsync(ct);
        CommerceLog.TrackingEventsIngested(log, accepted.Count, duplicates, pending);
        return new TrackingEventsResult(accepted.Count, duplicates, pending);
    }
}
