using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CareLoop.Server.Platform.Data;

/// <summary>
/// Inserts new rows fast, bypassing change tracking: binary COPY on PostgreSQL (a batch of inserts in one round trip
/// for a few rows), prepared inserts in the caller's transaction on SQLite. Columns, conversions and JSON columns come from the EF model, so rows land exactly as EF
/// would write them. The caller owns the transaction (all-or-nothing).
/// </summary>
public sealed class BulkInserter(CareLoopDbContext db)
{
    private sealed record Column(string Name, string StoreType, Func<object, object?> Read, RelationalTypeMapping? Mapping);

    public async Task InsertAsync<T>(IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }
        var (table, columns) = Table(typeof(T));
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct);
        }
        if (connection is NpgsqlConnection few && rows.Count <= FewRows)
        {
            await InsertFewAsync(few, rows, ct);
            return;
        }
        if (connection is NpgsqlConnection npgsql)
        {
            var copy = $"COPY \"{table}\" ({ColumnList(columns)}) FROM STDIN (FORMAT BINARY)";
            await using var writer = await npgsql.BeginBinaryImportAsync(copy, ct);
            foreach (var row in rows)
            {
                await writer.StartRowAsync(ct);
                foreach (var c in columns)
                {
                    var value = c.Read(row);
                    if (value is null)
                    {
                        await writer.WriteNullAsync(ct);
                    }
                    else
                    {
                        await writer.WriteAsync(value, c.StoreType, ct);
                    }
                }
            }
            await writer.CompleteAsync(ct);
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = InsertSql(table, columns, 1, i => "@p" + i);
        var parameters = new DbParameter[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            parameters[i] = columns[i].Mapping?.CreateParameter(command, "@p" + i, null, nullable: true) ?? CreatePlain(command, "@p" + i);
            command.Parameters.Add(parameters[i]);
        }
        await command.PrepareAsync(ct);
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                parameters[i].Value = columns[i].Read(row) ?? DBNull.Value;
            }
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Below this many rows a batch of inserts beats COPY's setup on PostgreSQL.</summary>
    private const int FewRows = 200;

    /// <summary>
    /// One round trip: multi-row INSERTs of 64, 32, 16, 8, 4, 2 and 1 rows (few distinct texts, so each is prepared
    /// automatically), which PostgreSQL executes with far less work per row than an INSERT per row.
    /// </summary>
    private async Task InsertFewAsync<T>(NpgsqlConnection connection, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        await using var batch = new NpgsqlBatch(connection) { Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction() };
        AddInserts(batch, rows);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// PostgreSQL: adds the multi-row INSERTs of <paramref name="rows"/> to <paramref name="batch"/>, for a caller that
    /// writes several tables in one round trip.
    /// </summary>
    public void AddInserts<T>(NpgsqlBatch batch, IReadOnlyList<T> rows) where T : class
    {
        var (table, columns) = Table(typeof(T));
        var done = 0;
        while (done < rows.Count)
        {
            var size = 64;
            while (size > rows.Count - done)
            {
                size /= 2;
            }
            var command = new NpgsqlBatchCommand(MultiRowInsert(table, columns, size));
            for (var r = done; r < done + size; r++)
            {
                foreach (var c in columns)
                {
                    var parameter = c.Mapping?.CreateParameter(ParameterFactory, "", null, nullable: true) ?? new NpgsqlParameter { DataTypeName = c.StoreType };
                    parameter.Value = c.Read(rows[r]) ?? DBNull.Value;
                    command.Parameters.Add((NpgsqlParameter)parameter);
                }
            }
            batch.BatchCommands.Add(command);
            done += size;
        }
    }

    /// <summary>Only creates parameters (EF's type mappings need a command to create them from).</summary>
    private static readonly NpgsqlCommand ParameterFactory = new();

    private (string Table, List<Column> Columns) Table(Type type)
    {
        var entityType = db.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not mapped.");
        var table = entityType.GetTableName()!;
        return (table, Columns.GetOrAdd(entityType, e => ColumnsOf(e, StoreObjectIdentifier.Table(table, e.GetSchema()))));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Table, int Rows), string> Inserts = new();

    /// <summary>The PostgreSQL text for <paramref name="rows"/> rows, kept per table and size.</summary>
    private static string MultiRowInsert(string table, List<Column> columns, int rows) =>
        Inserts.GetOrAdd((table, rows), key => InsertSql(table, columns, key.Rows, i => "$" + (i + 1)));

    /// <summary><c>INSERT INTO "T" (…) VALUES (…), (…)</c> for <paramref name="rows"/> rows; parameter i (from 0) is named by <paramref name="parameter"/>.</summary>
    private static string InsertSql(string table, List<Column> columns, int rows, Func<int, string> parameter)
    {
        var sql = new System.Text.StringBuilder($"INSERT INTO \"{table}\" ({ColumnList(columns)}) VALUES ");
        var n = 0;
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var i = 0; i < columns.Count; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(parameter(n++));
            }
            sql.Append(')');
        }
        return sql.ToString();
    }

    private static string ColumnList(List<Column> columns) => string.Join(", ", columns.Select(c => $"\"{c.Name}\""));

    private static DbParameter CreatePlain(DbCommand command, string name)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        return p;
    }

    /// <summary>Per mapped type (the model lives as long as the process).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<IEntityType, List<Column>> Columns = new();

    private static List<Column> ColumnsOf(IEntityType entityType, StoreObjectIdentifier store)
    {
        var columns = new List<Column>();
        // Database-generated keys (identity columns) are left to the database.
        foreach (var property in entityType.GetProperties().Where(p => !(p.ValueGenerated == ValueGenerated.OnAdd && p.ClrType == typeof(long))))
        {
            // EF's compiled getter: a reflection read per column and row was a visible share of intake's group writes.
            if (property.IsShadowProperty())
            {
                columns.Add(ColumnFor(property, store, _ => null));
                continue;
            }
            var getter = property.GetGetter();
            columns.Add(ColumnFor(property, store, getter.GetClrValueUsingContainingEntity));
        }
        foreach (var navigation in entityType.GetNavigations().Where(n => n.TargetEntityType.IsOwned()))
        {
            var target = navigation.TargetEntityType;
            var nav = navigation.PropertyInfo!;
            if (target.IsMappedToJson())
            {
                var name = target.GetContainerColumnName()!;
                var storeType = target.GetContainerColumnType() ?? "jsonb";
                columns.Add(new Column(name, storeType, o => nav.GetValue(o) is { } v ? JsonSerializer.Serialize(v) : null, null));
            }
            else
            {
                foreach (var property in target.GetProperties().Where(p => !p.IsPrimaryKey()))
                {
                    var inner = property.PropertyInfo!;
                    columns.Add(ColumnFor(property, store, o => nav.GetValue(o) is { } owned ? inner.GetValue(owned) : null));
                }
            }
        }
        return columns;
    }

    private static Column ColumnFor(IProperty property, StoreObjectIdentifier store, Func<object, object?> get)
    {
        var mapping = property.GetRelationalTypeMapping();
        var converter = mapping.Converter;
        return new Column(property.GetColumnName(store)!, mapping.StoreType,
            o => get(o) is { } v ? (converter is null ? v : converter.ConvertToProvider(v)) : null, mapping);
    }
}
