using Cerebro.Server.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Cerebro.Server.Agents;

/// <summary>
/// Writes a declaration's changes on PostgreSQL with a few set-based statements, whatever the number of tasks: new rows
/// by binary COPY, rewritten rows by COPY into a staging table merged with one upsert, removals and status changes by
/// one statement each. Runs on the declaration's connection, inside its transaction.
/// </summary>
internal static class PostgresGraphWriter
{
    private const string TaskColumns = """
        "Name", "Agent", "Owner", "Description", "UpstreamsJson", "Cron", "AckTimeoutSeconds", "StartTimeoutSeconds",
        "CompleteTimeoutSeconds", "Status", "StatusReason", "DeclaredAt"
        """;

    public static async Task WriteAsync(CerebroDbContext db, GraphChanges changes, string agent, DateTime now,
        IReadOnlyList<TaskRefusalRecord> refusals, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)(db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("the declaration's transaction is not open")).GetDbTransaction();

        if (changes.Removed.Count > 0)
        {
            await ExecuteAsync(connection, transaction, """DELETE FROM tasks WHERE "Name" = ANY(@names)""", cancellationToken,
                new NpgsqlParameter<string[]>("names", [.. changes.Removed])).ConfigureAwait(false);
        }

        // The cached graph is the committed one (its version was checked under the lock), so an added name has no row yet.
        if (changes.Added.Count > 0)
            await CopyTasksAsync(connection, "tasks", changes.Added.Select(s => TaskDefinitions.ToRecord(s, now)), cancellationToken).ConfigureAwait(false);

        if (changes.Redeclared.Count > 0)
        {
            await ExecuteAsync(connection, transaction,
                "CREATE TEMPORARY TABLE task_changes (LIKE tasks INCLUDING DEFAULTS) ON COMMIT DROP", cancellationToken).ConfigureAwait(false);
            await CopyTasksAsync(connection, "task_changes", changes.Redeclared.Select(s => TaskDefinitions.ToRecord(s, now)), cancellationToken)
                .ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"""
                INSERT INTO tasks ({TaskColumns}) SELECT {TaskColumns} FROM task_changes
                ON CONFLICT ("Name") DO UPDATE SET "Agent" = excluded."Agent", "Owner" = excluded."Owner",
                    "Description" = excluded."Description", "UpstreamsJson" = excluded."UpstreamsJson", "Cron" = excluded."Cron",
                    "AckTimeoutSeconds" = excluded."AckTimeoutSeconds", "StartTimeoutSeconds" = excluded."StartTimeoutSeconds",
                    "CompleteTimeoutSeconds" = excluded."CompleteTimeoutSeconds", "Status" = excluded."Status",
                    "StatusReason" = excluded."StatusReason", "DeclaredAt" = excluded."DeclaredAt"
                """, cancellationToken).ConfigureAwait(false);
        }

        if (changes.StatusChanged.Count > 0)
        {
            await ExecuteAsync(connection, transaction, """
                UPDATE tasks AS t SET "Status" = s.status, "StatusReason" = s.reason
                FROM unnest(@names, @statuses, @reasons) AS s(name, status, reason)
                WHERE t."Name" = s.name
                """, cancellationToken,
                new NpgsqlParameter<string[]>("names", [.. changes.StatusChanged.Select(s => s.Definition.Name)]),
                new NpgsqlParameter<string[]>("statuses", [.. changes.StatusChanged.Select(s => TaskDefinitions.StatusName(s.Status))]),
                new NpgsqlParameter("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = changes.StatusChanged.Select(s => s.Reason).ToArray() })
                .ConfigureAwait(false);
        }

        if (changes.Unchanged > 0)
        {
            await ExecuteAsync(connection, transaction,
                """UPDATE tasks SET "DeclaredAt" = @now WHERE "Agent" = @agent AND "DeclaredAt" <> @now""", cancellationToken,
                new NpgsqlParameter<DateTime>("now", now), new NpgsqlParameter<string>("agent", agent)).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, """DELETE FROM task_refusals WHERE "Agent" = @agent""", cancellationToken,
            new NpgsqlParameter<string>("agent", agent)).ConfigureAwait(false);
        if (refusals.Count > 0)
            await CopyRefusalsAsync(connection, refusals, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyTasksAsync(NpgsqlConnection connection, string table, IEnumerable<TaskRecord> records,
        CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync($"COPY {table} ({TaskColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken)
            .ConfigureAwait(false);
        foreach (var record in records)
        {
            await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.Name, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.Agent, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.Owner, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.Description, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.UpstreamsJson, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.Cron, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.AckTimeoutSeconds, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.StartTimeoutSeconds, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.CompleteTimeoutSeconds, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.Status, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, record.StatusReason, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(record.DeclaredAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        }

        await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyRefusalsAsync(NpgsqlConnection connection, IReadOnlyList<TaskRefusalRecord> refusals, CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync(
            """COPY task_refusals ("Agent", "Task", "Reason", "RefusedAt", "Owner", "UpstreamsJson", "Cron") FROM STDIN (FORMAT BINARY)""",
            cancellationToken).ConfigureAwait(false);
        foreach (var refusal in refusals)
        {
            await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, refusal.Agent, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, refusal.Task, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, refusal.Reason, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(refusal.RefusedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, refusal.Owner, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, refusal.UpstreamsJson, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteAsync(import, refusal.Cron, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        }

        await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteAsync(NpgsqlBinaryImporter import, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? import.WriteNullAsync(cancellationToken) : import.WriteAsync(value, type, cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter import, double? value, CancellationToken cancellationToken) =>
        value is { } v ? import.WriteAsync(v, NpgsqlDbType.Double, cancellationToken) : import.WriteNullAsync(cancellationToken);

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
