using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Outbox;

/// <summary>Outbox delivery options (<c>Outbox:*</c> configuration).</summary>
public sealed class OutboxOptions
{
    /// <summary>False stops this instance from delivering (another instance may).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often an idle dispatcher looks for due messages (it is also woken when messages are committed here).</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>Deliveries at once per instance.</summary>
    public int Parallelism { get; set; } = 8;

    /// <summary>Messages claimed at once when the outbox keeps up.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// The most claimed at once while a backlog lasts: each full batch delivered quickly (in under a tenth of the lease)
    /// doubles the next claim up to this; a short or slow batch returns to <see cref="BatchSize"/>.
    /// </summary>
    public int MaxBatchSize { get; set; } = 400;

    /// <summary>How long a claimed message stays reserved for this instance; a crashed instance's messages are retried after it.</summary>
    public int LeaseSeconds { get; set; } = 120;

    /// <summary>First retry delay; doubles per attempt (with ±20 % jitter) up to <see cref="MaxBackoffMinutes"/>.</summary>
    public int BaseBackoffSeconds { get; set; } = 10;

    public int MaxBackoffMinutes { get; set; } = 360;
}

/// <summary>
/// Delivers due outbox messages: claims a batch with a lease (so several instances never deliver one message at the
/// same time), hands each to the handler of its kind, and records the outcome: sent, retrying with exponential
/// backoff and jitter, or dead after the last try. Messages of one aggregate to one destination go out in order:
/// a message waits while an earlier one of its aggregate is still pending or retrying.
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    OutboxSignal signal,
    Microsoft.Extensions.Options.IOptionsMonitor<OutboxOptions> options,
    ILogger<OutboxDispatcher> log) : BackgroundService
{
    private readonly string _instance = Environment.MachineName + ":" + Environment.ProcessId + ":" + Guid.NewGuid().ToString("N")[..8];

    // How many the next claim takes (see OutboxOptions.MaxBatchSize); only the dispatcher's own loop changes it.
    private int _take;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var handled = 0;
                if (options.CurrentValue.Enabled)
                {
                    try
                    {
                        handled = await DispatchDueAsync(stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        DispatchFailed(e);
                    }
                }
                if (handled == 0)
                {
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(options.CurrentValue.PollMilliseconds), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: claimed messages are released when their lease ends.
        }
    }

    /// <summary>Claims and delivers one batch of due messages; returns how many were attempted.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var o = options.CurrentValue;
        var take = Math.Clamp(_take, o.BatchSize, Math.Max(o.BatchSize, o.MaxBatchSize));
        var started = clock.GetTimestamp();
        var token = _instance + ":" + Guid.NewGuid().ToString("N")[..8];
        List<OutboxMessage> claimed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
            var now = clock.GetUtcNow().UtcDateTime;
            claimed = await ClaimAsync(db, now, now.AddSeconds(o.LeaseSeconds), token, take, ct);
            if (claimed.Count == 0)
            {
                _take = o.BatchSize;
                return 0;
            }
        }
        var maxAttempts = await MaxAttemptsAsync(ct);
        var outcomes = new (OutboxMessage Message, OutboxResult Result)[claimed.Count];
        // Kinds whose handler takes a batch get their messages together; the rest are delivered one by one, several at once.
        var batchKinds = BatchKinds();
        var together = Enumerable.Range(0, claimed.Count).Where(i => batchKinds.Contains(claimed[i].Kind)).GroupBy(i => claimed[i].Kind).ToList();
        var single = Enumerable.Range(0, claimed.Count).Where(i => !batchKinds.Contains(claimed[i].Kind)).ToList();
        var batches = together.Select(async kind =>
        {
            var indexes = kind.ToList();
            var results = await DeliverBatchAsync(indexes.Select(i => claimed[i]).ToList(), ct);
            for (var k = 0; k < indexes.Count; k++)
            {
                outcomes[indexes[k]] = (claimed[indexes[k]], results[k]);
            }
        });
        var singles = Parallel.ForEachAsync(single,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Parallelism), CancellationToken = ct },
            async (i, token2) => outcomes[i] = (claimed[i], await DeliverAsync(claimed[i], token2)));
        await Task.WhenAll(batches.Append(singles));
        await RecordAsync(outcomes, token, maxAttempts);
        // A backlog: while full batches go quickly, claim more at once (fewer claims and records per message, which on
        // SQLite each wait for the single writer); otherwise go back to the base size.
        var quick = clock.GetElapsedTime(started) < TimeSpan.FromSeconds(o.LeaseSeconds / 10.0);
        _take = claimed.Count == take && quick ? take * 2 : o.BatchSize;
        return claimed.Count;
    }

    /// <summary>
    /// Claims up to <paramref name="take"/> due messages in one statement: the oldest pending or retrying ones whose
    /// lease is free and that no earlier undelivered message of their aggregate to the same destination holds back;
    /// they are leased to <paramref name="token"/> and returned in id order. On PostgreSQL two instances claiming at
    /// the same moment skip each other's rows (<c>SKIP LOCKED</c>) instead of waiting; a row another instance leased
    /// after this statement's snapshot is re-checked against its new lease and left out. SQLite has one writer.
    /// The check for an earlier undelivered message says "neither sent nor dead" in the words of the filter of
    /// <c>IX_outbox_messages_undelivered_aggregate</c>, so that index (one seek per candidate) is the only one that
    /// can answer it (see <see cref="OutboxMessageConfiguration"/>).
    /// </summary>
    private static async Task<List<OutboxMessage>> ClaimAsync(CareLoopDbContext db, DateTime now, DateTime until, string token, int take, CancellationToken ct)
    {
        var claimed = await db.OutboxMessages.FromSqlRaw(db.IsPostgres ? ClaimSqlPostgres : ClaimSql, until, token, now, take).AsNoTracking().ToListAsync(ct);
        claimed.Sort((a, b) => a.Id.CompareTo(b.Id));
        return claimed;
    }

    private const string ClaimSql = """
        UPDATE outbox_messages SET "LockedUntil" = {0}, "LockedBy" = {1}
        WHERE "Id" IN (
            SELECT m."Id" FROM outbox_messages AS m
            WHERE m."Status" IN ('Pending', 'Retrying') AND m."NextAttemptAt" <= {2} AND (m."LockedUntil" IS NULL OR m."LockedUntil" < {2})
              AND (m."AggregateKey" IS NULL OR NOT EXISTS (
                  SELECT 1 FROM outbox_messages AS p
                  WHERE p."Target" = m."Target" AND p."AggregateKey" = m."AggregateKey" AND p."Id" < m."Id"
                    AND p."Status" <> 'Sent' AND p."Status" <> 'Dead'))
            ORDER BY m."Id" LIMIT {3} /* lock */)
        RETURNING *
        """;

    private static readonly string ClaimSqlPostgres = ClaimSql.Replace("/* lock */", "FOR UPDATE SKIP LOCKED", StringComparison.Ordinal);

    private HashSet<string>? _batchKinds;

    /// <summary>The kinds whose handler implements <see cref="IOutboxBatchHandler"/> (the handlers are fixed at start-up).</summary>
    private HashSet<string> BatchKinds()
    {
        if (_batchKinds is null)
        {
            using var scope = scopes.CreateScope();
            _batchKinds = scope.ServiceProvider.GetServices<IOutboxHandler>().OfType<IOutboxBatchHandler>().Select(h => h.Kind).ToHashSet(StringComparer.Ordinal);
        }
        return _batchKinds;
    }

    private async Task<IReadOnlyList<OutboxResult>> DeliverBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetServices<IOutboxHandler>().OfType<IOutboxBatchHandler>().First(h => h.Kind == messages[0].Kind);
        try
        {
            var results = await handler.DeliverBatchAsync(messages, ct);
            return results.Count == messages.Count
                ? results
                : throw new InvalidOperationException($"The {handler.Kind} handler answered {results.Count} results for {messages.Count} messages.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var failed = OutboxResult.Failed(e.GetType().Name + ": " + e.Message);
            return messages.Select(_ => failed).ToList();
        }
    }

    private async Task<OutboxResult> DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetServices<IOutboxHandler>().FirstOrDefault(h => h.Kind == message.Kind);
        if (handler is null)
        {
            return OutboxResult.Refused($"No handler delivers messages of kind '{message.Kind}'.");
        }
        try
        {
            return await handler.DeliverAsync(message, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return OutboxResult.Failed(e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>
    /// Records a batch's outcomes in one transaction: one write lock for the batch instead of one per message (on SQLite,
    /// parallel single-row commits queue on the database lock). A crash before this commit only means the batch is
    /// delivered again after its lease: at least once, never lost.
    /// </summary>
    private async Task RecordAsync(IReadOnlyList<(OutboxMessage Message, OutboxResult Result)> outcomes, string token, int maxAttempts)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        // Delivered messages, grouped by their status code and attempt count, take one statement per group.
        foreach (var sent in outcomes.Where(o => o.Result.Delivered).GroupBy(o => (o.Message.Attempts + 1, o.Result.StatusCode)))
        {
            var (attempts, code) = sent.Key;
            var ids = sent.Select(o => o.Message.Id).ToList();
            await db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.LockedBy == token).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, OutboxStatus.Sent).SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.SentAt, now).SetProperty(m => m.LastAttemptAt, now)
                .SetProperty(m => m.LastError, (string?)null).SetProperty(m => m.LastStatusCode, code)
                .SetProperty(m => m.LockedUntil, (DateTime?)null).SetProperty(m => m.LockedBy, (string?)null), CancellationToken.None);
        }
        // Failed ones: each retrying message has its own (jittered) next attempt; dead ones with the same error share a statement.
        var failed = outcomes.Where(o => !o.Result.Delivered)
            .Select(o => (o.Message, o.Result, Attempts: o.Message.Attempts + 1, Error: Truncate(o.Result.Error ?? "failed", 2000)))
            .Select(o => (o.Message, o.Result, o.Attempts, o.Error, Dead: o.Result.Permanent || o.Attempts >= maxAttempts)).ToList();
        foreach (var group in failed.GroupBy(f => f.Dead ? (f.Attempts, f.Error, f.Result.StatusCode, Id: 0L) : (f.Attempts, f.Error, f.Result.StatusCode, f.Message.Id)))
        {
            var dead = group.First().Dead;
            var (attempts, error, code, _) = group.Key;
            var ids = group.Select(f => f.Message.Id).ToList();
            var status = dead ? OutboxStatus.Dead : OutboxStatus.Retrying;
            var next = dead ? now : now + Backoff(attempts, options.CurrentValue);
            await db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.LockedBy == token).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, status).SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.NextAttemptAt, next).SetProperty(m => m.LastAttemptAt, now)
                .SetProperty(m => m.LastError, error).SetProperty(m => m.LastStatusCode, code)
                .SetProperty(m => m.LockedUntil, (DateTime?)null).SetProperty(m => m.LockedBy, (string?)null), CancellationToken.None);
            foreach (var f in group)
            {
                if (dead)
                {
                    MessageDead(f.Message.Id, f.Message.Kind, f.Message.Target, attempts, error);
                }
                else
                {
                    DeliveryFailed(f.Message.Id, f.Message.Kind, f.Message.Target, attempts, error, next);
                }
            }
        }
        await tx.CommitAsync(CancellationToken.None);
    }

    /// <summary>Tries before a message is dead: the <c>outbox.maxAttempts</c> setting (12 by default, ≈ 11 h of retries).</summary>
    private async Task<int> MaxAttemptsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Settings.SettingsStore>().GetIntAsync(Settings.SettingKeys.OutboxMaxAttempts, ct);
    }

    /// <summary>The wait after the given failed attempt: base × 2^(attempt−1), capped, ±20 % jitter.</summary>
    public static TimeSpan Backoff(int attempt, OutboxOptions o)
    {
        var seconds = o.BaseBackoffSeconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        seconds = Math.Min(seconds, o.MaxBackoffMinutes * 60.0);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromSeconds(Math.Max(1, seconds * jitter));
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {Id} ({Kind} → {Target}) failed on attempt {Attempt}: {Error}; next try at {Next:o}.")]
    private partial void DeliveryFailed(long id, string kind, string target, int attempt, string error, DateTime next);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {Id} ({Kind} → {Target}) is dead after {Attempts} attempts: {Error}.")]
    private partial void MessageDead(long id, string kind, string target, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch failed; retrying on the next poll.")]
    private partial void DispatchFailed(Exception error);
}
