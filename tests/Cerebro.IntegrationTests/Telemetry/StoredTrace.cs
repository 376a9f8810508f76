using Cerebro.IntegrationTests.Infrastructure;

namespace Cerebro.IntegrationTests.Telemetry;

/// <summary>The trace context Cerebro stored for a run and its task runs (the sagas' <c>TraceParent</c> columns).</summary>
public sealed record StoredTrace(string RunTraceParent, IReadOnlyDictionary<Guid, (string Task, string? TraceParent)> TaskRuns)
{
    public string TraceId => RunTraceParent.Split('-')[1];

    public static async Task<StoredTrace> ReadAsync(PostgresDatabase database, Guid runId)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var run = connection.CreateCommand();
        run.CommandText = """SELECT "TraceParent" FROM runs WHERE "CorrelationId" = @id""";
        run.Parameters.AddWithValue("id", runId);
        var runTraceParent = (string)(await run.ExecuteScalarAsync())!;

        await using var taskRuns = connection.CreateCommand();
        taskRuns.CommandText = """SELECT "CorrelationId", "Task", "TraceParent" FROM task_runs WHERE "RunId" = @id""";
        taskRuns.Parameters.AddWithValue("id", runId);
        var stored = new Dictionary<Guid, (string, string?)>();
        await using var reader = await taskRuns.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            stored[reader.GetGuid(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        return new StoredTrace(runTraceParent, stored);
    }
}
