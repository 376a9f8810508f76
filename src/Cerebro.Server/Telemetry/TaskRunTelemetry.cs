using System.Diagnostics;
using Cerebro.Contracts;
using Cerebro.Server.Messages;
using Cerebro.Server.Persistence;
using Cerebro.Server.TaskRuns;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Headers = Cerebro.Contracts.Headers;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// The spans and measurements of task runs.
/// </summary>
/// <remarks>
/// <para><b>One trace per run, across restarts.</b> A run and its task runs are durable and may end in another Cerebro
/// process than the one that started them, but a .NET <see cref="Activity"/> lives in one process. So a span that
/// lasts longer than one message (the run, each task run) is <i>decided</i> when it begins: its context is stored in
/// the saga's <c>TraceParent</c> column and handed to its children (the invoke carries the task run's), and it is
/// <i>emitted</i> when it ends, by whichever process stores the end, under the decided id (<see cref="SpanIdentity"/>).
/// The run's root span id is derived from the run id (<see cref="TraceParents.RunRootSpanId"/>), so a task run names
/// its parent without reading the run. Nothing lives in memory between two messages, so a SIGKILL between them loses
/// nothing but the spans not yet exported.</para>
/// <code>
/// run publish-dashboard                   root: trigger to end; decided at launch (RunState.TraceParent)
/// ├─ trigger publish-dashboard            planning and storing the run, linked to the requester
/// ├─ task-run extract-products: reused    a reused task run, at launch
/// ├─ task-run build-sales: error          invoke to end, events queued/started, error status; decided at the invoke
/// │  │                                     (TaskRunState.TraceParent), which carries it as its traceparent
/// │  ├─ invoke build-sales                 sending the invoke
/// │  │  └─ cerebro.agent.task-server-b send  MassTransit
/// │  ├─ execute build-sales                the agent's own span (service task-server-b)
/// │  ├─ task.started build-sales           each agent event as Cerebro receives it
/// │  └─ deadline ack build-sales           a deadline fired by the sweeper
/// └─ task-run publish-dashboard: blocked  never invoked: decided and emitted at its end
/// </code>
/// <para>Each attempt's first invoke decides a new task-run span under the root. Spans and measurements about an end
/// are emitted once the saga has stored it (<see cref="AfterSave"/>).</para>
/// </remarks>
internal static class TaskRunTelemetry
{
    /// <summary>
    /// Starts the span of sending the invoke. The attempt's first invoke first decides the task run's own span, under
    /// the run's root (which <see cref="TaskRunState.TraceParent"/> holds until then), and stores it there: the invoke
    /// carries it (<c>SendToAgent</c> sends <see cref="TaskRunState.TraceParent"/>), the agent's spans and events and
    /// the sweeper's deadlines hang off it, and it is emitted at the task run's end. Not async on purpose: the span must
    /// become the current activity of the caller, so that MassTransit's send of the invoke is its child; an async
    /// method's change to <see cref="Activity.Current"/> does not flow back to its caller.
    /// </summary>
    public static SpanScope StartInvoke(TaskRunState taskRun)
    {
        if (!CerebroTelemetry.Source.HasListeners())
            return SpanScope.None;
        TraceParents.TryParse(taskRun.TraceParent, null, out var parent);
        if (taskRun.InvokedAt is null && parent != default)
        {
            parent = new ActivityContext(parent.TraceId, ActivitySpanId.CreateRandom(), parent.TraceFlags, parent.TraceState);
            taskRun.TraceParent = TraceParents.Format(parent);
        }

        return Spans.Start($"invoke {taskRun.Task}", ActivityKind.Internal, parent, Tags(taskRun));
    }

    /// <summary>When the task run's end is stored: its span (invoke to end), the phase durations, the outcome and any timeout.</summary>
    public static void Finished<T>(BehaviorContext<TaskRunState, T> context)
        where T : class
    {
        if (!CerebroTelemetry.Source.HasListeners() && !CerebroMetrics.TaskRunsEnded.Enabled)
            return;
        var saga = context.Saga;
        var timeout = context.Message is TaskRunDeadlineExpired expired ? expired.Kind : null;
        var now = context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow().UtcDateTime;
        AfterSave.Run(context.GetServiceOrCreateInstance<CerebroDbContext>(), () => EmitEnd(saga, timeout, now));
    }

    /// <summary>An agent's event about a task run, as Cerebro receives it: a span under the task run's, whose traceparent the agent copied from the invoke.</summary>
    public static SpanScope StartAgentEvent(ConsumeContext context, TaskRunEvent message)
    {
        if (!CerebroTelemetry.Source.HasListeners())
            return SpanScope.None;
        var type = context.Headers.Get<string>(Headers.Type) ?? message.GetType().Name;
        TraceParents.TryParse(context.Headers.Get<string>(Headers.TraceParent), context.Headers.Get<string>(Headers.TraceState), out var parent);
        return Spans.Start($"{type} {message.Task}", ActivityKind.Consumer, parent,
            [
                new(TelemetryTags.RunId, message.RunId.ToString()),
                new(TelemetryTags.TaskRunId, message.TaskRunId.ToString()),
                new(TelemetryTags.Task, message.Task),
                new(TelemetryTags.Agent, message.Agent),
                new(TelemetryTags.Attempt, message.Attempt),
                new(TelemetryTags.MessageType, type),
            ]);
    }

    /// <summary>
    /// A deadline the sweeper fires: measures how late, and (when spans are recorded) reads what the span needs from
    /// the task run. Pass the result to <see cref="StartDeadline"/>.
    /// </summary>
    public static async ValueTask<DeadlineFiring?> DeadlineFiringAsync(CerebroDbContext db, Guid taskRunId, string kind, long dueMs, long nowMs,
        CancellationToken cancellationToken)
    {
        CerebroMetrics.RecordDeadlineFired(kind, TimeSpan.FromMilliseconds(nowMs - dueMs));
        if (!CerebroTelemetry.Source.HasListeners())
            return null;
        return await db.TaskRuns.AsNoTracking().Where(t => t.CorrelationId == taskRunId)
            .Select(t => new DeadlineFiring(t.CorrelationId, kind, t.TraceParent, t.RunId, t.Task, t.Agent, t.Attempt))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A span in the task run's trace, current until disposed, so the expiry message and its handling join that trace
    /// (not async, for the reason given at <see cref="StartInvoke"/>).
    /// </summary>
    public static SpanScope StartDeadline(DeadlineFiring? firing)
    {
        if (firing is null)
            return SpanScope.None;
        TraceParents.TryParse(firing.TraceParent, null, out var parent);
        return Spans.Start($"deadline {firing.Kind} {firing.Task}", ActivityKind.Internal, parent,
            [
                new(TelemetryTags.RunId, firing.RunId.ToString()),
                new(TelemetryTags.TaskRunId, firing.TaskRunId.ToString()),
                new(TelemetryTags.Task, firing.Task),
                new(TelemetryTags.Agent, firing.Agent),
                new(TelemetryTags.Attempt, firing.Attempt),
                new(TelemetryTags.Timeout, firing.Kind),
            ],
            asRoot: parent == default);
    }

    /// <summary>A task run reused at launch: a span of no duration under the run's root, and its count.</summary>
    public static void EmitReused(TaskRunState saga, ActivityContext root)
    {
        CerebroMetrics.TaskRunsEnded.Add(1, new(TelemetryTags.Task, saga.Task), new(TelemetryTags.Agent, saga.Agent),
            new(TelemetryTags.Outcome, "reused"));
        var at = saga.FinishedAt ?? saga.CreatedAt;
        var tags = Tags(saga);
        tags.Add(new(TelemetryTags.Outcome, "reused"));
        if (saga.ReusedTaskRunId is { } reused)
            tags.Add(new(TelemetryTags.ReusedTaskRunId, reused.ToString()));
        Spans.Emit($"task-run {saga.Task}: reused", ActivityKind.Internal, root, at, at, tags);
    }

    private static void EmitEnd(TaskRunState saga, string? timeout, DateTime now)
    {
        var outcome = saga.CurrentState.ToLowerInvariant();
        var end = saga.FinishedAt ?? now;
        var task = new KeyValuePair<string, object?>(TelemetryTags.Task, saga.Task);
        var agent = new KeyValuePair<string, object?>(TelemetryTags.Agent, saga.Agent);
        CerebroMetrics.TaskRunsEnded.Add(1, task, agent, new(TelemetryTags.Outcome, outcome));
        if (timeout is not null)
            CerebroMetrics.Timeouts.Add(1, new(TelemetryTags.Timeout, timeout), task, agent);

        var tags = Tags(saga);
        tags.Add(new(TelemetryTags.Outcome, outcome));
        if (saga.InvokedAt is { } invoked)
        {
            // Queued and started are the agent's clock, the rest Cerebro's: a skew shows as a phase clamped to zero.
            var acknowledged = saga.QueuedAt ?? saga.StartedAt ?? end;
            Phase(tags, TelemetryTags.WaitingSeconds, "waiting", saga.CreatedAt, invoked, task, agent);
            Phase(tags, TelemetryTags.AckSeconds, "ack", invoked, acknowledged, task, agent);
            if (saga.QueuedAt is { } queued)
                Phase(tags, TelemetryTags.QueuedSeconds, "queued", queued, saga.StartedAt ?? end, task, agent);
            if (saga.StartedAt is { } started)
                Phase(tags, TelemetryTags.RunningSeconds, "running", started, end, task, agent);
        }

        if (saga.ErrorSource is { } source)
            tags.Add(new(TelemetryTags.ErrorSource, source));
        if (timeout is not null)
            tags.Add(new(TelemetryTags.Timeout, timeout));

        List<ActivityEvent> events = [];
        if (saga.QueuedAt is { } queuedAt)
            events.Add(new ActivityEvent("queued", Utc(queuedAt)));
        if (saga.StartedAt is { } startedAt)
            events.Add(new ActivityEvent("started", Utc(startedAt)));

        // Invoked, the task run's span was decided at the invoke; never invoked, its TraceParent is still the root.
        TraceParents.TryParse(saga.TraceParent, null, out var decided);
        var root = decided == default ? default : TraceParents.RunRoot(saga.RunId, decided);
        var failed = saga.CurrentState == TaskRunStates.Error;
        Spans.Emit($"task-run {saga.Task}: {outcome}", ActivityKind.Internal, root, saga.InvokedAt ?? saga.CreatedAt, end, tags, events,
            failed ? ActivityStatusCode.Error : saga.CurrentState == TaskRunStates.Completed ? ActivityStatusCode.Ok : ActivityStatusCode.Unset,
            failed ? saga.Error : null, identity: decided.SpanId == root.SpanId ? default : decided);
    }

    private static void Phase(List<KeyValuePair<string, object?>> tags, string tag, string phase, DateTime from, DateTime to,
        KeyValuePair<string, object?> task, KeyValuePair<string, object?> agent)
    {
        var seconds = Math.Max(0, (to - from).TotalSeconds);
        tags.Add(new(tag, seconds));
        CerebroMetrics.TaskRunPhaseDuration.Record(seconds, task, agent, new(TelemetryTags.Phase, phase));
    }

    private static List<KeyValuePair<string, object?>> Tags(TaskRunState saga) =>
    [
        new(TelemetryTags.RunId, saga.RunId.ToString()),
        new(TelemetryTags.TaskRunId, saga.CorrelationId.ToString()),
        new(TelemetryTags.Task, saga.Task),
        new(TelemetryTags.Agent, saga.Agent),
        new(TelemetryTags.Owner, saga.Owner),
        new(TelemetryTags.Attempt, saga.Attempt),
    ];

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
