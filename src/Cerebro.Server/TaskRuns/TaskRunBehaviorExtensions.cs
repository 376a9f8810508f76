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
        binder.Then(context =>
        {
            var saga = context.Saga;
            saga.FinishedAt = context.Message.At.UtcDateTime;
            saga.ResultJson = context.Message.Result is { } result ? result.GetRawText() : null;
            ClearDeadline(saga);
        });

    /// <summary>
    /// Makes this task run the task's latest success, unless a later one is stored already. In the saga's own
    /// transaction, so a later run's freshness check sees exactly the committed runs; after the downstreams were
    /// invoked, so the statement is not on the way from one task to the next.
    /// </summary>
    public static EventActivityBinder<TaskRunState, TaskCompleted> RecordSuccess(this EventActivityBinder<TaskRunState, TaskCompleted> binder) =>
        binder.ThenAsync(async context =>
        {
            var saga = context.Saga;
            var succeededAt = saga.FinishedAt!.Value;
            var db = context.GetServiceOrCreateInstance<CerebroDbContext>();
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO task_successes ("Task", "TaskRunId", "RunId", "SucceededAt")
                    VALUES ({saga.Task}, {saga.CorrelationId}, {saga.RunId}, {succeededAt})
                    ON CONFLICT ("Task") DO UPDATE
                    SET "TaskRunId" = excluded."TaskRunId", "RunId" = excluded."RunId", "SucceededAt" = excluded."SucceededAt"
                    WHERE task_successes."SucceededAt" <= excluded."SucceededAt"
                    """, context.CancellationToken).ConfigureAwait(false);
                return;
            }

            var success = await db.TaskSuccesses.FindAsync([saga.Task], context.CancellationToken).ConfigureAwait(false);
            if (success is null)
                db.TaskSuccesses.Add(new TaskSuccessRecord { Task = saga.Task, TaskRunId = saga.CorrelationId, RunId = saga.RunId, SucceededAt = succeededAt });
            else if (success.SucceededAt <= succeededAt)
            {
                success.TaskRunId = saga.CorrelationId;
                success.RunId = saga.RunId;
                success.SucceededAt = succeededAt;
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
    /// Moves the downstream task runs and the run on from this task run's end. On success, a downstream that waited
    /// for this task run alone is counted down and invoked in this saga's own transaction: the next task's invoke
    /// costs no message and no transaction of its own (a chain). A downstream still waiting for others as well is
    /// counted down once this end is committed, in a short transaction of its own (<see cref="ReleaseSharedAfterCommitAsync"/>):
    /// many upstreams count down one row, and holding its lock across this saga's durable commit serialized them all.
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
            if (saga.Downstreams.Count > 0 && TaskRunStates.IsSuccess(saga.CurrentState))
            {
                var lastWaitedFor = await ReleaseSoleWaitersAsync(context, db).ConfigureAwait(false);
                await InvokeReadyAsync(context, db, lastWaitedFor).ConfigureAwait(false);
                var shared = saga.Downstreams.Except(lastWaitedFor).ToList();
                if (shared.Count > 0)
                    SagaTransaction.AfterCommit(db, () => ReleaseSharedAfterCommitAsync(context, db, shared, reportToRun: lastWaitedFor.Count == 0));
                return;
            }

            IReadOnlyList<UpstreamFailed> blocked = [.. saga.Downstreams.Select(d => new UpstreamFailed(d, saga.CorrelationId, saga.Task, saga.CurrentState))];
            var finished = new TaskRunFinished(saga.RunId, saga.CorrelationId, saga.Task, saga.CurrentState);
            SagaTransaction.AfterCommit(db, async () =>
            {
                if (blocked.Count > 0)
                {
                    var taskRuns = await context.GetSendEndpoint(Endpoints.TaskRuns).ConfigureAwait(false);
                    await Task.WhenAll(blocked.Select(message => taskRuns.Send(message))).ConfigureAwait(false);
                }

                await ReportToRunAsync(context, finished).ConfigureAwait(false);
            });
        });

    private static async Task ReportToRunAsync(ConsumeContext context, TaskRunFinished finished)
    {
        var runs = await context.GetSendEndpoint(Endpoints.Runs).ConfigureAwait(false);
        await runs.Send(finished).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts this success off each pending downstream that waits for nothing else, in the saga's transaction, and
    /// returns them: all are now ready. Such a row has no other upstream left to lock it, so taking it costs no wait.
    /// </summary>
    private static async Task<List<Guid>> ReleaseSoleWaitersAsync<T>(BehaviorContext<TaskRunState, T> context, CerebroDbContext db)
        where T : class
    {
        var downstreams = context.Saga.Downstreams;
        await SagaTransaction.BeginAsync(db, context.CancellationToken).ConfigureAwait(false);
        if (db.Database.IsNpgsql())
        {
            var released = await CountDownOnPostgresAsync(db, downstreams, soleWaitersOnly: true, context.CancellationToken).ConfigureAwait(false);
            return [.. released.Select(r => r.Value)];
        }

        // (SQLite has one writer at a time, so the rows need no lock order here.)
        var sole = await db.TaskRuns.AsNoTracking()
            .Where(t => downstreams.Contains(t.CorrelationId) && t.CurrentState == TaskRunStates.Pending && t.WaitingCount == 1)
            .Select(t => t.CorrelationId)
            .ToListAsync(context.CancellationToken).ConfigureAwait(false);
        await CountDownOnSqliteAsync(db, sole, context.CancellationToken).ConfigureAwait(false);
        return sole;
    }

    /// <summary>
    /// Counts this (committed) success off the downstreams that also wait for other task runs, and invokes those it
    /// leaves waiting for nothing; reports to the run if none was pending. When none became ready the count-down is
    /// committed without waiting for the disk (<c>synchronous_commit</c> off for this transaction): the row lock that
    /// every upstream of a wide fan-in takes is then held for a statement, not for a disk flush. Losing that commit to a
    /// database crash loses only a count that the committed states of the upstreams still hold, and a later flushed
    /// commit takes it along; recovery invokes a pending task run whose upstreams have all succeeded. Recovery also
    /// covers a failure here, which is logged rather than failing the message whose end is already stored.
    /// </summary>
    private static async Task ReleaseSharedAfterCommitAsync<T>(BehaviorContext<TaskRunState, T> context, CerebroDbContext db,
        List<Guid> downstreams, bool reportToRun)
        where T : class
    {
        var saga = context.Saga;
        IReadOnlyList<ReleasedDownstream> released;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken).ConfigureAwait(false);
            if (db.Database.IsNpgsql())
            {
                released = await CountDownOnPostgresAsync(db, downstreams, soleWaitersOnly: false, context.CancellationToken).ConfigureAwait(false);
            }
            else
            {
                var pending = await db.TaskRuns.AsNoTracking()
                    .Where(t => downstreams.Contains(t.CorrelationId) && t.CurrentState == TaskRunStates.Pending)
                    .Select(t => new ReleasedDownstream(t.CorrelationId, t.WaitingCount <= 1))
                    .ToListAsync(context.CancellationToken).ConfigureAwait(false);
                await CountDownOnSqliteAsync(db, [.. pending.Select(p => p.Value)], context.CancellationToken).ConfigureAwait(false);
                released = pending;
            }

            List<Guid> ready = [.. released.Where(r => r.Ready).Select(r => r.Value)];
            if (ready.Count > 0)
            {
                if (db.Database.IsNpgsql())
                    await db.Database.ExecuteSqlRawAsync("SET LOCAL synchronous_commit TO DEFAULT", context.CancellationToken).ConfigureAwait(false);
                await InvokeReadyAsync(context, db, ready).ConfigureAwait(false);
                await db.SaveChangesAsync(context.CancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.GetServiceOrCreateInstance<ILoggerFactory>().CreateLogger(typeof(TaskRunStateMachine)).LogWarning(ex,
                "Task run {TaskRunId} of {Task} (run {RunId}) completed, but counting it off its downstream task runs failed; recovery will move them on",
                saga.CorrelationId, saga.Task, saga.RunId);
            return;
        }

        if (reportToRun && released.Count == 0)
            await ReportToRunAsync(context, new TaskRunFinished(saga.RunId, saga.CorrelationId, saga.Task, saga.CurrentState)).ConfigureAwait(false);
    }

    /// <summary>
    /// One statement that locks the pending downstream rows in id order before it counts them down: upstreams finishing
    /// at the same time share downstreams (every task of a layer waits for every task of the one before), and rows
    /// locked in whatever order each UPDATE met them deadlock. <paramref name="soleWaitersOnly"/> takes only the rows
    /// that wait for nothing but this upstream (committed count 1); otherwise the statement also turns this
    /// transaction's commit asynchronous (see <see cref="ReleaseSharedAfterCommitAsync"/>). The locks hold until commit.
    /// </summary>
    private static async Task<IReadOnlyList<ReleasedDownstream>> CountDownOnPostgresAsync(CerebroDbContext db, List<Guid> downstreams,
        bool soleWaitersOnly, CancellationToken cancellationToken)
    {
        var sql = $"""
            {(soleWaitersOnly ? "" : "SET LOCAL synchronous_commit TO OFF;")}
            WITH locked AS (
                SELECT "CorrelationId" FROM task_runs
                WHERE "CorrelationId" = ANY(@downstreams) AND "CurrentState" = 'Pending'{(soleWaitersOnly ? " AND \"WaitingCount\" = 1" : "")}
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

    /// <summary>The version moves too, so a downstream saga that loaded the row before this commit retries on fresh state.</summary>
    private static Task CountDownOnSqliteAsync(CerebroDbContext db, List<Guid> taskRuns, CancellationToken cancellationToken) =>
        db.TaskRuns
            .Where(t => taskRuns.Contains(t.CorrelationId))
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.WaitingCount, t => t.WaitingCount - 1)
                .SetProperty(t => t.Version, t => t.Version + 1), cancellationToken);

    /// <summary>
    /// Invokes the downstreams this success left waiting for nothing, in the transaction of the count-down: their rows
    /// (locked on PostgreSQL by the count-down) move to invoked with the next save (the saga's own, or the after-commit
    /// count-down's), under their version.
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
