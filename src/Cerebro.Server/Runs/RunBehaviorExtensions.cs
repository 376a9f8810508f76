using Cerebro.Server.Messages;
using Cerebro.Server.Persistence;
using Cerebro.Server.TaskRuns;
using Cerebro.Server.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.Runs;

/// <summary>The steps of <see cref="RunStateMachine"/>.</summary>
internal static class RunBehaviorExtensions
{
    /// <summary>
    /// Counts the run's task runs by outcome from the store. A task run reports its end after its commit, so the store
    /// already shows it, and a report that is not the last finds task runs still open.
    /// </summary>
    public static EventActivityBinder<RunState, T> TallyTaskRuns<T>(this EventActivityBinder<RunState, T> binder)
        where T : class =>
        binder.ThenAsync(async context =>
        {
            var db = context.GetServiceOrCreateInstance<CerebroDbContext>();
            var runId = context.Saga.CorrelationId;
            var counts = await db.TaskRuns.AsNoTracking()
                .Where(t => t.RunId == runId)
                .GroupBy(t => t.CurrentState)
                .Select(g => new { State = g.Key, Count = g.Count() })
                .ToListAsync(context.CancellationToken).ConfigureAwait(false);
            var open = counts.Where(c => !TaskRunStates.IsTerminal(c.State)).Sum(c => c.Count);
            var failed = counts.Where(c => c.State is TaskRunStates.Error or TaskRunStates.Blocked).Sum(c => c.Count);
            context.GetOrAddPayload(() => new RunTally(open, failed));
        });

    public static bool HasEnded<T>(this BehaviorContext<RunState, T> context)
        where T : class =>
        context.TryGetPayload<RunTally>(out var tally) && tally.Open == 0;

    public static bool HasFailures<T>(this BehaviorContext<RunState, T> context)
        where T : class =>
        context.TryGetPayload<RunTally>(out var tally) && tally.Failed > 0;

    public static EventActivityBinder<RunState, T> RecordEnd<T>(this EventActivityBinder<RunState, T> binder)
        where T : class =>
        binder.Then(context => context.Saga.FinishedAt = context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow().UtcDateTime)
            .Then(RunTelemetry.Ended);

    private sealed record RunTally(int Open, int Failed);

    /// <summary>Cerebro's own report about a run it does not store (a bug or a lost row): recorded, not dropped.</summary>
    public static Task RecordUnknownRun(this ConsumeContext context, Guid runId) =>
        context.GetServiceOrCreateInstance<IgnoredMessageLog>().RecordAsync(context, IgnoredMessageLog.Ignored, $"no run {runId} is known", runId);
}
