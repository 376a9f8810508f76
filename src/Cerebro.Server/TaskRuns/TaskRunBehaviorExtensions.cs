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
        binder.ThenAsync(context => InvokeAsync(context, context.Saga, Now(context)));

    /// <summary>
    /// Records the invoke in <paramref name="taskRun"/> (time, acknowledgement deadline, the task run's span context) and
    /// sends it to the agent. The caller stores the task run; the invoke goes out first, so a crash in between leaves
    /// the task run where a retry invokes it again under the same message id, which the agent drops as a duplicate.
    /// </summary>
    private static async Task InvokeAsync(ConsumeContext context, TaskRunState taskRun, DateTimeOffset now)
    {
        using var invokeSpan = TaskRunTelemetry.StartInvoke(taskRun);
        taskRun.InvokedAt = now.UtcDateTime;
        SetDeadline(taskRun, DeadlineKinds.Ack, now, taskRun.AckTimeoutSeconds);
        var invoke = new InvokeTask
        {
            TaskRunId = taskRun.CorrelationId,
            RunId = taskRun.RunId,
            Task = taskRun.Task,
            Attempt = taskRun.Attempt,
            Parameters = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(taskRun.ParametersJson, WireJson.Options) ?? [],
            InvokedAt = now,
            AckTimeoutSeconds = taskRun.AckTimeoutSeconds,
        };
        await context.SendToAgent(taskRun.Agent, MessageTypes.InvokeTask, invoke,
            AgentMessaging.InvokeMessageId(taskRun.CorrelationId, taskRun.Attempt), taskRun.TraceParent).ConfigureAwait(false);
    }

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
    /// Moves the downstream task runs and the run on from this task run's end. On success, each pending downstream's
    /// waiting count goes down in this saga's own transaction (one statement for all of them), and those that reach
    /// zero are invoked in the same transaction: the next task's invoke costs no message and no transaction of its own.
    /// On failure, each downstream is told once this end is committed, and blocks in turn.
    /// </summary>
    /// <remarks>
    /// The run hears of this end only if no downstream is left open by it; an open downstream ends later and reports
    /// for both, so a chain costs the run one message, not one per task run. Whether a downstream is open is read
    /// under the same row locks its other upstreams take, so of two task runs ending at once the later one sees the
    /// earlier. A failure always reports: its downstreams block only after its commit.
    /// </remarks>
    public static EventActivityBinder<TaskRunState, T> AnnounceFinished<T>(this EventActivityBinder<TaskRunState, T> binder)
        where T : class =>
        binder.ThenAsync(async context =>
        {
            TaskRunTelemetry.Finished(context);
            var saga = context.Saga;
            var db = context.GetServiceOrCreateInstance<CerebroDbContext>();
            var reportToRun = true;
            IReadOnlyList<UpstreamFailed> blocked = [];
            if (saga.Downstreams.Count > 0 && TaskRunStates.IsSuccess(saga.CurrentState))
            {
                var released = await ReleaseDownstreamsAsync(context, db).ConfigureAwait(false);
                await InvokeReadyAsync(context, db, [.. released.Where(r => r.Ready).Select(r => r.Value)]).ConfigureAwait(false);
                reportToRun = released.Count == 0;
            }
            else if (saga.Downstreams.Count > 0)
                blocked = [.. saga.Downstreams.Select(d => new UpstreamFailed(d, saga.CorrelationId, saga.Task, saga.CurrentState))];

            var finished = reportToRun ? new TaskRunFinished(saga.RunId, saga.CorrelationId, saga.Task, saga.CurrentState) : null;
            if (blocked.Count == 0 && finished is null)
                return;
            SagaTransaction.AfterCommit(db, async () =>
            {
                if (blocked.Count > 0)
                {
                    var taskRuns = await context.GetSendEndpoint(Endpoints.TaskRuns).ConfigureAwait(false);
                    await Task.WhenAll(blocked.Select(message => taskRuns.Send(message))).ConfigureAwait(false);
                }

                if (finished is not null)
                {
                    var runs = await context.GetSendEndpoint(Endpoints.Runs).ConfigureAwait(false);
                    await runs.Send(finished).ConfigureAwait(false);
                }
            });
        });

    /// <summary>
    /// Counts this success off each pending downstream, in the saga's transaction; returns every downstream that was
    /// pending, and whether it is now ready.
    /// </summary>
    private static async Task<IReadOnlyList<ReleasedDownstream>> ReleaseDownstreamsAsync<T>(BehaviorContext<TaskRunState, T> context, CerebroDbContext db)
        where T : class
    {
        var downstreams = context.Saga.Downstreams;
        await SagaTransaction.BeginAsync(db, context.CancellationToken).ConfigureAwait(false);
        if (db.Database.IsNpgsql())
            return await ReleaseDownstreamsOnPostgresAsync(db, downstreams, context.CancellationToken).ConfigureAwait(false);

        // (SQLite has one writer at a time, so the rows need no lock order here, and the pending rows read back are
        // exactly the ones counted down.)
        // The version moves too, so a downstream saga that loaded the row before this commit retries on fresh state.
        await db.TaskRuns
            .Where(t => downstreams.Contains(t.CorrelationId) && t.CurrentState == TaskRunStates.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.WaitingCount, t => t.WaitingCount - 1)
                .SetProperty(t => t.Version, t => t.Version + 1), context.CancellationToken).ConfigureAwait(false);
        return await db.TaskRuns.AsNoTracking()
            .Where(t => downstreams.Contains(t.CorrelationId) && t.CurrentState == TaskRunStates.Pending)
            .Select(t => new ReleasedDownstream(t.CorrelationId, t.WaitingCount <= 0))
            .ToListAsync(context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One statement that locks the downstream rows in id order before it counts them down: upstreams finishing at the
    /// same time share downstreams (every task of a layer waits for every task of the one before), and rows locked in
    /// whatever order each UPDATE met them deadlock. The locks hold until this saga's commit.
    /// </summary>
    private static async Task<IReadOnlyList<ReleasedDownstream>> ReleaseDownstreamsOnPostgresAsync(CerebroDbContext db, List<Guid> downstreams,
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
        return await db.Database
            .SqlQueryRaw<ReleasedDownstream>(sql, new Npgsql.NpgsqlParameter<Guid[]>("downstreams", [.. downstreams]))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Invokes the downstreams this success left waiting for nothing, as part of the completing saga's transaction: their
    /// rows (locked on PostgreSQL by the count-down) move to invoked with the saga's own save, under their version.
    /// </summary>
    private static async Task InvokeReadyAsync<T>(BehaviorContext<TaskRunState, T> context, CerebroDbContext db, List<Guid> ready)
        where T : class
    {
        if (ready.Count == 0)
            return;
        // The count-down changed the rows behind EF's back: a copy tracked by an earlier attempt of this message is stale.
        foreach (var stale in db.ChangeTracker.Entries<TaskRunState>().Where(e => ready.Contains(e.Entity.CorrelationId)).ToList())
            stale.State = EntityState.Detached;
        var taskRuns = await db.TaskRuns.AsTracking().Where(t => ready.Contains(t.CorrelationId))
            .ToListAsync(context.CancellationToken).ConfigureAwait(false);

        var now = Now(context);
        await Task.WhenAll(taskRuns.Select(taskRun => InvokeAsync(context, taskRun, now))).ConfigureAwait(false);
        foreach (var taskRun in taskRuns)
        {
            taskRun.CurrentState = TaskRunStates.Invoked;
            SagaVersioning.Increment(db.Entry(taskRun));
        }
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

    /// <summary>
    /// An event of the current attempt for a task run that is still pending: its invoke is sent but the transaction
    /// that records it has not committed yet. Fails the delivery so the endpoint's retry applies it after that commit;
    /// on the last retry it is recorded as not applied (the invoke was never stored).
    /// </summary>
    public static EventActivityBinder<TaskRunState, T> AwaitInvokeCommit<T>(this EventActivityBinder<TaskRunState, T> binder)
        where T : TaskRunEvent =>
        binder.IfElse(context => context.GetRetryAttempt() < TaskRunStateDefinition.RetryIntervals.Length,
            wait => wait.Then(context => throw new InvokeNotStoredYetException(context.Saga.CorrelationId, context.Event.Name)),
            giveUp => giveUp.RecordUnapplied());

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
