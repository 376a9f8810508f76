using Cerebro.Server.Hosting;
using Cerebro.Server.Messages;
using Cerebro.Server.Persistence;
using Cerebro.Server.Runs;
using Cerebro.Server.TaskRuns;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cerebro.Server.Recovery;

/// <summary>
/// Re-sends the internal messages a crash may have lost between a commit and a send: a pending task run whose
/// upstreams have all ended, and a running run whose task runs have all ended. Every message it sends is one the
/// sagas already treat as idempotent, so a nudge that was not needed changes nothing.
/// </summary>
/// <remarks>
/// A pending task run is nudged only when its whole run has stood still for the grace: no task run of it invoked or
/// ended since. A root task run of a large fan-out legitimately waits behind thousands of ready messages in the queue,
/// and nudging it by age alone doubled the very backlog that delayed it; a run that moves is not stalled, and a run
/// that lost a message in a crash stops moving.
/// </remarks>
/// <remarks>
/// The grace grows by how far behind Cerebro reads its task-runs queue (<see cref="QueueLag"/>): when that queue is 20 s
/// behind, a run launched 10 s ago has its first ready messages still queued, and nudging every such root under load
/// sent thousands of duplicates into the very backlog that delayed them.
/// </remarks>
public sealed class StallRecovery(IServiceScopeFactory scopes, IBus bus, QueueLag lag, IOptions<CerebroOptions> options, TimeProvider clock,
    ILogger<StallRecovery> logger) : PeriodicBackgroundService(clock, logger)
{
    private const int BatchSize = 500;

    protected override TimeSpan Interval => options.Value.RecoveryInterval;

    protected override string PassName => "Stall recovery";

    protected override Task RunPassAsync(CancellationToken cancellationToken) => RecoverOnceAsync(cancellationToken);

    public async Task RecoverOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CerebroDbContext>();
        var behind = lag.Current;
        if (behind > TimeSpan.Zero)
            logger.LogDebug("Recovery: the task-runs queue is {Lag} behind; waiting that much longer", behind);
        var before = Clock.GetUtcNow().UtcDateTime - options.Value.RecoveryGrace - behind;
        await NudgePendingTaskRunsAsync(db, before, cancellationToken).ConfigureAwait(false);
        await NudgeEndedRunsAsync(db, before, cancellationToken).ConfigureAwait(false);
    }

    private async Task NudgePendingTaskRunsAsync(CerebroDbContext db, DateTime before, CancellationToken cancellationToken)
    {
        var pending = await db.TaskRuns.AsNoTracking()
            .Where(t => t.CurrentState == TaskRunStates.Pending && t.CreatedAt < before)
            .Where(t => !db.TaskRuns.Any(o => o.RunId == t.RunId && (o.InvokedAt >= before || o.FinishedAt >= before)))
            .OrderBy(t => t.CreatedAt)
            .Take(BatchSize)
            .Select(t => new { t.CorrelationId, t.Upstreams })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0)
            return;

        var upstreamIds = pending.SelectMany(p => p.Upstreams).Distinct().ToList();
        var upstreams = new Dictionary<Guid, (string Task, string State)>();
        foreach (var chunk in upstreamIds.Chunk(1000))
            foreach (var u in await db.TaskRuns.AsNoTracking().Where(t => chunk.Contains(t.CorrelationId))
                         .Select(t => new { t.CorrelationId, t.Task, t.CurrentState }).ToListAsync(cancellationToken).ConfigureAwait(false))
                upstreams[u.CorrelationId] = (u.Task, u.CurrentState);

        var endpoint = await bus.GetSendEndpoint(Endpoints.TaskRuns).ConfigureAwait(false);
        foreach (var taskRun in pending)
        {
            var states = taskRun.Upstreams.Select(id => (Id: id, Found: upstreams.TryGetValue(id, out var u), u.Task, u.State)).ToList();
            var failed = states.FirstOrDefault(s => s.Found && s.State is TaskRunStates.Error or TaskRunStates.Blocked);
            if (failed.Found)
            {
                logger.LogInformation("Recovery: task run {TaskRunId} waits on {Upstream}, which ended {State}", taskRun.CorrelationId, failed.Task, failed.State);
                await endpoint.Send(new UpstreamFailed(taskRun.CorrelationId, failed.Id, failed.Task, failed.State), cancellationToken).ConfigureAwait(false);
            }
            else if (states.All(s => s.Found && TaskRunStates.IsSuccess(s.State)))
            {
                logger.LogInformation("Recovery: task run {TaskRunId} has every upstream done; sending ready", taskRun.CorrelationId);
                await endpoint.Send(new TaskRunReady(taskRun.CorrelationId), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task NudgeEndedRunsAsync(CerebroDbContext db, DateTime before, CancellationToken cancellationToken)
    {
        var ended = await db.Runs.AsNoTracking()
            .Where(r => r.CurrentState == RunStates.Running && r.CreatedAt < before)
            .Where(r => !db.TaskRuns.Any(t => t.RunId == r.CorrelationId
                && t.CurrentState != TaskRunStates.Completed && t.CurrentState != TaskRunStates.Error
                && t.CurrentState != TaskRunStates.Blocked && t.CurrentState != TaskRunStates.Reused))
            .OrderBy(r => r.CreatedAt)
            .Select(r => r.CorrelationId)
            .Take(BatchSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (ended.Count == 0)
            return;

        var endpoint = await bus.GetSendEndpoint(Endpoints.Runs).ConfigureAwait(false);
        foreach (var runId in ended)
        {
            logger.LogInformation("Recovery: every task run of run {RunId} has ended; asking the run to conclude", runId);
            await endpoint.Send(new RunCompletionCheck(runId), cancellationToken).ConfigureAwait(false);
        }
    }
}
