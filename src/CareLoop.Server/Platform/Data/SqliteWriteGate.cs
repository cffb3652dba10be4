using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CareLoop.Server.Platform.Data;

/// <summary>
/// SQLite allows one writer at a time. Left to SQLite, concurrent writers wait in its busy handler, which sleeps in
/// growing steps (up to 100 ms) while the lock may already be free: under load most time is spent asleep. This gate
/// queues this process's write transactions in memory instead (FIFO, woken the moment the previous one ends).
/// Other processes (the CLI) still meet SQLite's own lock and busy timeout. A transaction that is never ended is
/// released when its connection closes; a waiter gives up the gate after <see cref="MaxWait"/> and falls back to
/// SQLite's locking, so a mistake here can slow writes but never deadlock them. See ADR 14.
/// </summary>
public sealed class SqliteWriteGate : DbTransactionInterceptor, IDbConnectionInterceptor, IDbCommandInterceptor
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConditionalWeakTable<DbConnection, object> _holders = [];

    /// <summary>
    /// Holds the gate for work outside EF Core that needs the database's write lock (a restarting checkpoint), so this
    /// process's writers wait in the queue rather than in SQLite's busy handler. Null when <see cref="MaxWait"/> ran out.
    /// </summary>
    public async Task<IDisposable?> HoldAsync(CancellationToken ct) =>
        await _gate.WaitAsync(MaxWait, ct) ? new Holder(_gate) : null;

    private sealed class Holder(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (await _gate.WaitAsync(MaxWait, cancellationToken))
        {
            _holders.AddOrUpdate(connection, this);
        }
        return result;
    }

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (_gate.Wait(MaxWait))
        {
            _holders.AddOrUpdate(connection, this);
        }
        return result;
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(ConnectionOf(transaction, eventData));
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(ConnectionOf(transaction, eventData));

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(ConnectionOf(transaction, eventData));
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(ConnectionOf(transaction, eventData));

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Action is "Commit" or "Rollback")
        {
            Release(ConnectionOf(transaction, eventData));
        }
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        if (eventData.Action is "Commit" or "Rollback")
        {
            Release(ConnectionOf(transaction, eventData));
        }
    }

    // A transaction disposed without commit or rollback ends when its connection closes.
    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Release(connection);
        return Task.CompletedTask;
    }

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    private static DbConnection? ConnectionOf(DbTransaction transaction, TransactionEventData eventData) =>
        eventData.Context is { } context ? Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetDbConnection(context.Database) : transaction.Connection;

    // A write outside any transaction (ExecuteUpdate, ExecuteDelete, raw SQL) is a transaction of its own: it queues too.
    private readonly ConditionalWeakTable<DbCommand, object> _commands = [];

    private static bool IsWrite(DbCommand command)
    {
        var text = command.CommandText.AsSpan().TrimStart();
        return text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase);
    }

    private async ValueTask EnterForAsync(DbCommand command, CancellationToken ct)
    {
        if (command.Transaction is null && command.Connection is { } connection && !_holders.TryGetValue(connection, out _) && IsWrite(command)
            && await _gate.WaitAsync(MaxWait, ct))
        {
            _commands.AddOrUpdate(command, this);
        }
    }

    private void EnterFor(DbCommand command)
    {
        if (command.Transaction is null && command.Connection is { } connection && !_holders.TryGetValue(connection, out _) && IsWrite(command)
            && _gate.Wait(MaxWait))
        {
            _commands.AddOrUpdate(command, this);
        }
    }

    private void LeaveFor(DbCommand command)
    {
        if (_commands.Remove(command))
        {
            _gate.Release();
        }
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnterForAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        EnterFor(command);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await EnterForAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        EnterFor(command);
        return result;
    }

    // A reader's statement is done once the reader is closed (RETURNING rows are read first).
    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        LeaveFor(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        LeaveFor(command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        LeaveFor(command);
        return ValueTask.FromResult(result);
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        LeaveFor(command);
        return result;
    }

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveFor(command);
        return Task.CompletedTask;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => LeaveFor(command);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveFor(command);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => LeaveFor(command);

    private void Release(DbConnection? connection)
    {
        if (connection is not null && _holders.Remove(connection))
        {
            _gate.Release();
        }
    }
}
