using System.Diagnostics;
using Cerebro.Server.Persistence;
using Cerebro.Server.Runs;
using MassTransit;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// The spans and measurements of a run. See <see cref="TaskRunTelemetry"/> for how a run's trace is laid out and why it
/// survives a restart of Cerebro.
/// </summary>
internal static class RunTelemetry
{
    /// <summary>
    /// Decides the run's root span (a new trace; its span id derived from the run id, <see cref="TraceParents.RunRootSpanId"/>)
    /// and starts the trigger's span under it, linked to whatever triggered the run (the <c>traceparent</c> of a
    /// <c>run.requested</c>, or the caller's current activity). The returned request carries the root's context as its
    /// <see cref="RunRequest.TraceParent"/>, which the launcher stores on the run and on each of its task runs; the root
    /// itself is emitted when the run ends (<see cref="Ended{T}"/>).
    /// </summary>
    public static RunLaunchTrace StartLaunch(RunRequest request, Guid runId)
    {
        var recorded = CerebroTelemetry.Source.HasListeners();
        var root = new ActivityContext(ActivityTraceId.CreateRandom(), TraceParents.RunRootSpanId(runId),
            recorded ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None);
        List<ActivityLink>? links = null;
        if (TraceParents.TryParse(request.TraceParent, null, out var requester))
            links = [new ActivityLink(requester)];
        else if (Activity.Current is { Recorded: true } caller)
            links = [new ActivityLink(caller.Context)];

        var span = Spans.Start($"trigger {request.Task}", ActivityKind.Internal, root,
            [
                new(TelemetryTags.RunId, runId.ToString()),
                new(TelemetryTags.Task, request.Task),
                new(TelemetryTags.Trigger, request.Trigger),
                new(TelemetryTags.RequestedBy, request.RequestedBy),
            ],
            links);
        return new RunLaunchTrace(span, request with { TraceParent = TraceParents.Format(root) }, root);
    }

    /// <summary>Once the run's end is stored: its root span, from the trigger to its end, and the run metrics.</summary>
    public static void Ended<T>(BehaviorContext<RunState, T> context)
        where T : class
    {
        if (!CerebroTelemetry.Source.HasListeners() && !CerebroMetrics.RunsEnded.Enabled)
            return;
        var saga = context.Saga;
        var now = context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow().UtcDateTime;
        AfterSave.Run(context.GetServiceOrCreateInstance<CerebroDbContext>(), () => EmitEnd(saga, now));
    }

    private static void EmitEnd(RunState saga, DateTime now)
    {
        var outcome = saga.CurrentState.ToLowerInvariant();
        var end = saga.FinishedAt ?? now;
        var task = new KeyValuePair<string, object?>(TelemetryTags.Task, saga.Task);
        var outcomeTag = new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome);
        CerebroMetrics.RunsEnded.Add(1, task, outcomeTag);
        CerebroMetrics.RunDuration.Record(Math.Max(0, (end - saga.CreatedAt).TotalSeconds), task, outcomeTag);

        TraceParents.TryParse(saga.TraceParent, null, out var root);
        var failed = saga.CurrentState == RunStates.Failed;
        Spans.Emit($"run {saga.Task}", ActivityKind.Internal, default, saga.CreatedAt, end,
            [
                new(TelemetryTags.RunId, saga.CorrelationId.ToString()),
                task,
                new(TelemetryTags.Trigger, saga.Trigger),
                new(TelemetryTags.RequestedBy, saga.RequestedBy),
                new(TelemetryTags.TaskRuns, saga.TotalTaskRuns),
                outcomeTag,
            ],
            status: failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok,
            statusDescription: failed ? "one or more task runs ended in error or blocked" : null,
            identity: root);
    }
}
