using System.Globalization;
using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Server.Agents;
using Cerebro.Server.Hosting;
using Cerebro.Server.Messages;
using Cerebro.Server.Persistence;
using Cerebro.Server.Persistence.Sagas;
using Cerebro.Server.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Cerebro.Server.TaskRuns;

/// <summary>The steps of <see cref="TaskRunStateMachine"/>, so the machine itself reads as prose.</summary>
internal static class TaskRunBehaviorExtensions
{
    public static EventActivityBinder<TaskRunState, T> SendInvoke<T>(this EventActivityBinder<TaskRunState, T> binder)
        where T : class =>
        binder.ThenAsync(async context =>
        {
            using var invokeSpan = TaskRunTelemetry.StartInvoke(context, await TaskRunTelemetry.InvokeParentAsync(context).ConfigureAwait(false));
            var saga = context.Saga;
            var now = Now(context);
            saga.InvokedAt = now.UtcDateTime;
            SetDeadline(saga, DeadlineKinds.Ack, now, saga.AckTimeoutSeconds);
            var invoke = new InvokeTask
            {
                TaskRunId = saga.CorrelationId,
                RunId = saga.RunId,
                Task = saga.Task,
                Attempt = saga.Attempt,
                Parameters = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(saga.ParametersJson, WireJson.Options) ?? [],
                InvokedAt = now,
                AckTimeoutSeconds = saga.AckTimeoutSeconds,
            };
            await context.SendToAgent(saga.Agent, MessageTypes.InvokeTask, invoke,
                AgentMessaging.InvokeMessageId(saga.CorrelationId, saga.Attempt), saga.TraceParent).ConfigureAwait(false);
        });

    public static EventActivityBinder<TaskRunState, TaskQueued> RecordQueued(this EventActivityBinder<TaskRunState, TaskQueued> binder) =>
        binder.Then(context =>
        {
            context.Saga.QueuedAt = context.Message.At.UtcDateTime;
            SetDeadline(context.Saga, DeadlineKinds.Start, Now(context), context.Saga.StartTimeoutSeconds);
        });

    public static EventActivityBinder<TaskRunState, TaskStarted> RecordStarted(this EventActivityBinder<TaskRunState, TaskStarted> binder) =>
        binder.Then(context =>
        {
            context.Saga.StartedAt = context.Message.At.UtcDateTime;
            SetDeadline(context.Saga, DeadlineKinds.Complete, Now(context), context.Saga.CompleteTimeoutSeconds);
        });

    /// <summary>
    /// The event was overtaken by a later one of the same attempt, which the agent sent after it: the task run is
    /// started, completed or failed by the agent, and the event's own time is not recorded yet.
    /// </summary>
    public static bool WasOvertaken(this BehaviorContext<TaskRunState, TaskQueued> context) =>
        context.Saga.QueuedAt is null
        && (context.Saga.CurrentState is TaskRunStates.Started or TaskRunStates.Completed || IsAgentError(context.Saga))
        && IsNotAfterTheEnd(context.Saga, context.Message.At);

    /// <inheritdoc cref="WasOvertaken(BehaviorContext{TaskRunState, TaskQueued})"/>
    public static bool WasOvertaken(this BehaviorContext<TaskRunState, TaskStarted> context) =>
        context.Saga.StartedAt is null
        && (context.Saga.CurrentState is TaskRunStates.Completed || IsAgentError(context.Saga))
        && IsNotAfterTheEnd(context.Saga, context.Message.At);

    public static EventActivityBinder<TaskRunState, TaskQueued> RecordLateQueued(this EventActivityBinder<TaskRunState, TaskQueued> binder) =>
        binder.Then(context => context.Saga.QueuedAt = context.Message.At.UtcDateTime);

    public static EventActivityBinder<TaskRunState, TaskStarted> RecordLateStarted(this EventActivityBinder<TaskRunState, TaskStarted> binder) =>
        binder.Then(context => context.Saga.StartedAt = context.Message.At.UtcDateTime);

    private static bool IsAgentError(TaskRunState saga) => saga.CurrentState == TaskRunStates.Error && saga.ErrorSource == "agent";

    private static bool IsNotAfterTheEnd(TaskRunState saga, DateTimeOffset at) =>
        saga.FinishedAt is not { } finished || at.UtcDateTime <= finished;

    public static EventActivityBinder<TaskRunState, TaskCompleted> RecordCompleted(this EventActivityBinder<TaskRunState, TaskCompleted> binder) =>
        binder.ThenAsync(async context =>
        {
            var saga = context.Saga;
            saga.FinishedAt = context.Message.At.UtcDateTime;
            saga.ResultJson = context.Message.Result is { } result ? result.GetRawText() : null;
            ClearDeadline(saga);

            // The success is stored in the saga's own transaction, so a later run's freshness check sees exactly the committed runs.
            var db = context.GetServiceOrCreateInstance<CerebroDbContext>();
            var success = await db.TaskSuccesses.FindAsync([saga.Task], context.CancellationToken).ConfigureAwait(false);
            if (success is null)
                db.TaskSuccesses.Add(new TaskSuccessRecord { Task = saga.Task, TaskRunId = saga.CorrelationId, RunId = saga.RunId, SucceededAt = saga.FinishedAt.Value });
            else if (success.SucceededAt <= saga.FinishedAt)
            {
                success.TaskRunId = saga.CorrelationId;
                success.RunId = saga.RunId;
                success.SucceededAt = saga.FinishedAt.Value;
            }
        });

    public static EventActivityBinder<TaskRunState, TaskFailed> RecordAgentError(this EventActivityBinder<TaskRunState, TaskFailed> binder) =>
        binder.Then(context =>
        {
            context.Saga.FinishedAt = context.Message.At.UtcDateTime;
            context.Saga.Error = context.Message.Error;
            context.Saga.ErrorSource = "agent";
            ClearDeadline(context.Saga);
        });

    public static EventActivityBinder<TaskRunState, TaskRunDeadlineExpired> RecordTimeout(this EventActivityBinder<TaskRunState, TaskRunDeadlineExpired> binder) =>
        binder.Then(context =>
        {
            var saga = context.Saga;
            saga.FinishedAt = Now(context).UtcDateTime;
            saga.Error = saga.DeadlineKind switch
            {
                DeadlineKinds.Ack => $"no task.queued or task.started from agent '{saga.Agent}' within {Seconds(saga.AckTimeoutSeconds)} of the invoke",
                DeadlineKinds.Start => $"no task.started from agent '{saga.Agent}' within {Seconds(saga.StartTimeoutSeconds)} of task.queued",
                _ => $"no task.completed or task.failed from agent '{saga.Agent}' within {Seconds(saga.CompleteTimeoutSeconds)} of task.started",
            };
            saga.ErrorSource = "cerebro";
            ClearDeadline(saga);
        });

    public static EventActivityBinder<TaskRunState, AgentRestarted> RecordLostToRestart(this EventActivityBinder<TaskRunState, AgentRestarted> binder) =>
        binder.Then(context =>
        {
            context.Saga.FinishedAt = Now(context).UtcDateTime;
            context.Saga.Error = $"agent '{context.Message.Agent}' restarted (new instance {context.Message.Instance}) while the task run was started";
            context.Saga.ErrorSource = "cerebro";
            ClearDeadline(context.Saga);
        });

    public static EventActivityBinder<TaskRunState, UpstreamFailed> RecordBlocked(this EventActivityBinder<TaskRunState, UpstreamFailed> binder) =>
        binder.Then(context =>
        {
            context.Saga.FinishedAt = Now(context).UtcDateTime;
            context.Saga.Error = $"blocked: upstream '{context.Message.UpstreamTask}' ended {context.Message.UpstreamState.ToLowerInvariant()}";
            context.Saga.ErrorSource = "cerebro";
        });

    /// <summary>
    /// Tells the downstream task runs and the run that this task run has ended, once that is committed (so whoever
    /// hears of it reads it back from the store; should the process die in between, recovery tells them). On success,
    /// each downstream's waiting count goes down in this saga's own transaction (one statement for all of them), and
    /// those that reach zero are told to start. On failure, each downstream is told, and blocks in turn.
    /// </summary>
    public static EventActivityBinder<TaskRunState, T> AnnounceFinished<T>(this EventActivityBinder<TaskRunState, T> binder)
        where T : class =>
        binder.ThenAsync(async context =>
        {
            TaskRunTelemetry.Finished(context);
            var saga = context.Saga;
            var db = context.GetServiceOrCreateInstance<CerebroDbContext>();
            var succeeded = TaskRunStates.IsSuccess(saga.CurrentState);
            IReadOnlyList<UpstreamFailed> blocked = [];
            IReadOnlyList<Guid> ready = [];
            if (saga.Downstreams.Count > 0 && succeeded)
                ready = await ReleaseDownstreamsAsync(context, db).ConfigureAwait(false);
            else if (saga.Downstreams.Count > 0)
                blocked = [.. saga.Downstreams.Select(d => new UpstreamFailed(d, saga.CorrelationId, saga.Task, saga.CurrentState))];

            var finished = new TaskRunFinished(saga.RunId, saga.CorrelationId, saga.Task, saga.CurrentState);
            SagaTransaction.AfterCommit(db, async () =>
            {
                var taskRuns = await context.GetSendEndpoint(Endpoints.TaskRuns).ConfigureAwait(false);
                await Task.WhenAll([
                    .. ready.Select(id => taskRuns.Send(new TaskRunReady(id))),
                    .. blocked.Select(message => taskRuns.Send(message)),
                ]).ConfigureAwait(false);
                var runs = await context.GetSendEndpoint(Endpoints.Runs).ConfigureAwait(false);
                await runs.Send(finished).ConfigureAwait(false);
            });
        });

    /// <summary>Counts this success off each pending downstream, in the saga's transaction; returns those now ready.</summary>
    private static async Task<IReadOnlyList<Guid>> ReleaseDownstreamsAsync<T>(BehaviorContext<TaskRunState, T> context, CerebroDbContext db)
        where T : class
    {
        var downstreams = context.Saga.Downstreams;
        await SagaTransaction.BeginAsync(db, context.CancellationToken).ConfigureAwait(false);
        if (db.Database.IsNpgsql())
            return await ReleaseDownstreamsOnPostgresAsync(db, downstreams, context.CancellationToken).ConfigureAwait(false);

        // (SQLite has one writer at a time, so the rows need no lock order here.)
        // The version moves too, so a downstream saga that loaded the row before this commit retries on fresh state.
        await db.TaskRuns
            .Where(t => downstreams.Contains(t.CorrelationId) && t.CurrentState == TaskRunStates.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.WaitingCount, t => t.WaitingCount - 1)
                .SetProperty(t => t.Version, t => t.Version + 1), context.CancellationToken).ConfigureAwait(false);
        return await db.TaskRuns.AsNoTracking()
            .Where(t => downstreams.Contains(t.CorrelationId) && t.CurrentState == TaskRunStates.Pending && t.WaitingCount <= 0)
            .Select(t => t.CorrelationId)
            .ToListAsync(context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One statement that locks the downstream rows in id order before it counts them down: upstreams finishing at the
    /// same time share downstreams (every task of a layer waits for every task of the one before), and rows locked in
    /// whatever order each UPDATE met them deadlock. Returns the downstreams left waiting for nothing.
    /// </summary>
    private static async Task<IReadOnlyList<Guid>> ReleaseDownstreamsOnPostgresAsync(CerebroDbContext db, List<Guid> downstreams,
        CancellationToken cancellationToken)
    {
        const string sql = """
            WITH locked AS (
                SELECT "CorrelationId" FROM task_runs
                WHERE "CorrelationId" = ANY(@downstreams) AND "CurrentState" = 'Pending'
                ORDER BY "CorrelationId"
                FOR UPDATE)
            UPDATE task_runs AS t
            SET "WaitingCount" = t."WaitingCount" - 1, "Version" = t."Version" + 1
            FROM locked
            WHERE t."CorrelationId" = locked."CorrelationId"
            RETURNING t."CorrelationId" AS "Value", t."WaitingCount" <= 0 AS "Ready"
            """;
        var released = await db.Database
            .SqlQueryRaw<ReleasedDownstream>(sql, new Npgsql.NpgsqlParameter<Guid[]>("downstreams", [.. downstreams]))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. released.Where(r => r.Ready).Select(r => r.Value)];
    }

    private sealed record ReleasedDownstream(Guid Value, bool Ready);

    /// <summary>Tells the owner team, on the notifications exchange, that their task run ended in error.</summary>
    public static EventActivityBinder<TaskRunState, T> NotifyOwner<T>(this EventActivityBinder<TaskRunState, T> binder)
        where T : class =>
        binder.ThenAsync(async context =>
        {
            var saga = context.Saga;
            var db = context.GetServiceOrCreateInstance<CerebroDbContext>();
            var blocks = saga.Downstreams.Count == 0
                ? []
                : await db.TaskRuns.AsNoTracking().Where(t => saga.Downstreams.Contains(t.CorrelationId)).Select(t => t.Task)
                    .ToListAsync(context.CancellationToken).ConfigureAwait(false);
            context.GetServiceOrCreateInstance<ILoggerFactory>().CreateLogger(typeof(TaskRunStateMachine)).LogWarning(
                "Task run {TaskRunId} of {Task} (run {RunId}) ended in error; owner {Owner} is told: {Error}",
                saga.CorrelationId, saga.Task, saga.RunId, saga.Owner, saga.Error);
            await context.Notify(saga.Owner, MessageTypes.TaskRunErrored, new TaskRunErrored
            {
                RunId = saga.RunId,
                TaskRunId = saga.CorrelationId,
                Task = saga.Task,
                Agent = saga.Agent,
                Owner = saga.Owner,
                Attempt = saga.Attempt,
                Error = saga.Error ?? "unknown error",
                Source = saga.ErrorSource ?? "cerebro",
                Blocks = blocks,
                At = Now(context),
            }).ConfigureAwait(false);
        });

    public static bool IsFromCurrentAttempt<T>(this BehaviorContext<TaskRunState, T> context)
        where T : TaskRunEvent =>
        context.Message.Agent == context.Saga.Agent
        && context.Message.Attempt == context.Saga.Attempt
        && context.Message.RunId == context.Saga.RunId;

    /// <summary>The deadline the task run waits for, and due by Cerebro's clock (so a replayed or forged one does nothing early).</summary>
    public static bool IsTheDeadlineAwaited(this BehaviorContext<TaskRunState, TaskRunDeadlineExpired> context) =>
        context.Message.Kind == context.Saga.DeadlineKind && context.Message.DueMs == context.Saga.DeadlineDueMs
        && Now(context).ToUnixTimeMilliseconds() >= context.Message.DueMs;

    public static EventActivityBinder<TaskRunState, T> RecordForeignEvent<T>(this EventActivityBinder<TaskRunState, T> binder)
        where T : TaskRunEvent =>
        binder.ThenAsync(context =>
        {
            var m = context.Message;
            var s = context.Saga;
            var reason = m.Agent != s.Agent
                ? $"sent by agent '{m.Agent}', but task run {s.CorrelationId} of '{s.Task}' belongs to agent '{s.Agent}'"
                : m.RunId != s.RunId
                    ? $"names run {m.RunId}, but task run {s.CorrelationId} belongs to run {s.RunId}"
                    : $"reports attempt {m.Attempt}, but task run {s.CorrelationId} is at attempt {s.Attempt}";
            return Log(context).RecordAsync(context, IgnoredMessageLog.Ignored, reason, s.RunId, s.CorrelationId);
        });

    public static EventActivityBinder<TaskRunState, TaskRunDeadlineExpired> RecordStaleDeadline(this EventActivityBinder<TaskRunState, TaskRunDeadlineExpired> binder) =>
        binder.Then(context =>
            context.GetServiceOrCreateInstance<ILoggerFactory>().CreateLogger(typeof(TaskRunStateMachine)).LogDebug(
                "Stale {Kind} deadline for task run {TaskRunId} ignored: it is {State} now", context.Message.Kind,
                context.Saga.CorrelationId, context.Saga.CurrentState));

    public static EventActivityBinder<TaskRunState, T> RecordUnapplied<T>(this EventActivityBinder<TaskRunState, T> binder)
        where T : TaskRunEvent =>
        binder.ThenAsync(context =>
        {
            var saga = context.Saga;
            return Log(context).RecordAsync(context, IgnoredMessageLog.Ignored, UnappliedReason(saga, context.Event.Name), saga.RunId, saga.CorrelationId);
        });

    public static Task RecordUnappliedEvent(this UnhandledEventContext<TaskRunState> context)
    {
        var saga = context.Saga;
        return context.GetServiceOrCreateInstance<IgnoredMessageLog>()
            .RecordAsync(context, IgnoredMessageLog.Ignored, UnappliedReason(saga, context.Event.Name), saga.RunId, saga.CorrelationId);
    }

    private static string UnappliedReason(TaskRunState saga, string eventName) =>
        $"'{eventName}' does not apply to task run {saga.CorrelationId} of '{saga.Task}' in state {saga.CurrentState.ToLowerInvariant()}"
        + (TaskRunStates.IsTerminal(saga.CurrentState) ? " (late or duplicate)" : " (out of order)");

    public static Task RecordUnknownTaskRun<T>(this ConsumeContext<T> context)
        where T : TaskRunEvent =>
        context.GetServiceOrCreateInstance<IgnoredMessageLog>().RecordAsync(context, IgnoredMessageLog.Ignored,
            $"no task run {context.Message.TaskRunId} is known (task '{context.Message.Task}', run {context.Message.RunId})",
            context.Message.RunId, context.Message.TaskRunId);

    private static IgnoredMessageLog Log(ConsumeContext context) => context.GetServiceOrCreateInstance<IgnoredMessageLog>();

    private static DateTimeOffset Now(ConsumeContext context) => context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow();

    private static void SetDeadline(TaskRunState saga, string kind, DateTimeOffset now, double seconds)
    {
        saga.DeadlineKind = kind;
        saga.DeadlineDueMs = now.AddSeconds(seconds).ToUnixTimeMilliseconds();
        saga.DeadlineClaimedMs = null;
    }

    private static void ClearDeadline(TaskRunState saga)
    {
        saga.DeadlineKind = null;
        saga.DeadlineDueMs = null;
        saga.DeadlineClaimedMs = null;
    }

    private static string Seconds(double seconds) =>
        seconds >= 60 && seconds % 60 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.##} min")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds:0.###} s");
}
