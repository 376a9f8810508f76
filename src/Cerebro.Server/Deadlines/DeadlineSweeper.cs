using System.Data.Common;
using Cerebro.Server.Agents;
using Cerebro.Server.Hosting;
using Cerebro.Server.Persistence;
using Cerebro.Server.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cerebro.Server.Deadlines;

/// <summary>
/// Fires due task-run deadlines from the database: they survive a restart, and no broker plugin is needed. A sweep
/// claims due rows in one statement (on PostgreSQL with SKIP LOCKED, so two Cerebro instances never fire one deadline
/// twice within a lease) and sends each through the agent-events door, behind everything the agent already sent
/// (<see cref="DeadlineDue"/>); the saga applies it only if it still waits for that deadline. A claim is only ever
/// made once a deadline is due, so a claim older than the row's due time belongs to the deadline before it (a sweep
/// that raced the saga's save of the next one, which leaves the claim column as it found it) and holds nothing back.
/// </summary>
public sealed class DeadlineSweeper(IServiceScopeFactory scopes, IBus bus, IOptions<CerebroOptions> options, TimeProvider clock,
    ILogger<DeadlineSweeper> logger) : PeriodicBackgroundService(clock, logger)
{
    private const int BatchSize = 500;

    protected override TimeSpan Interval => options.Value.DeadlineSweepInterval;

    protected override string PassName => "Deadline sweep";

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        while (await SweepOnceAsync(cancellationToken).ConfigureAwait(false) == BatchSize)
        {
        }
    }

    /// <summary>Claims and fires the due deadlines; returns how many fired.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
        var now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var lease = (long)options.Value.DeadlineClaimLease.TotalMilliseconds;
        var due = await ClaimAsync(db, now, lease, cancellationToken).ConfigureAwait(false);
        if (due.Count == 0)
            return 0;

        foreach (var (taskRunId, agent, kind, dueMs) in due)
        {
            logger.LogInformation("Deadline {Kind} of task run {TaskRunId} is due ({LateMs} ms late)", kind, taskRunId, now - dueMs);
            using var span = TaskRunTelemetry.StartDeadline(await TaskRunTelemetry.DeadlineFiringAsync(db, taskRunId, kind, dueMs, now, cancellationToken).ConfigureAwait(false));
            await bus.SendDeadlineDue(new DeadlineDue(taskRunId, agent, kind, dueMs), cancellationToken).ConfigureAwait(false);
        }

        return due.Count;
    }

    private static async Task<List<(Guid TaskRunId, string Agent, string Kind, long DueMs)>> ClaimAsync(CerebroDbContext db, long now, long lease,
        CancellationToken cancellationToken)
    {
        var skipLocked = db.Database.IsNpgsql() ? "FOR UPDATE SKIP LOCKED" : "";
        var sql = $"""
            UPDATE task_runs SET "DeadlineClaimedMs" = @now
            WHERE "CorrelationId" IN (
                SELECT "CorrelationId" FROM task_runs
                WHERE "DeadlineDueMs" <= @now
                  AND ("DeadlineClaimedMs" IS NULL OR "DeadlineClaimedMs" < "DeadlineDueMs" OR "DeadlineClaimedMs" < @now - @lease)
                ORDER BY "DeadlineDueMs"
                LIMIT {BatchSize} {skipLocked})
            RETURNING "CorrelationId", "Agent", "DeadlineKind", "DeadlineDueMs"
            """;
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        AddParameter(command, "now", now);
        AddParameter(command, "lease", lease);
        var claimed = new List<(Guid, string, string, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetValue(0) is Guid g ? g : Guid.Parse(reader.GetString(0));
            claimed.Add((id, reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
        }

        return claimed;
    }

    private static void AddParameter(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
