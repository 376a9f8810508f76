using System.Diagnostics;
using Cerebro.Contracts;
using Cerebro.Worker.Internal;
using Microsoft.Extensions.Logging;

namespace Cerebro.Worker.Telemetry;

/// <summary>
/// One execution of a task handler, seen from outside: the agent's span <c>execute &lt;task&gt;</c>, a child of the
/// span named by the invoke's <c>traceparent</c> (Cerebro's span of that task run), the logging scope (run, task run,
/// task, agent, attempt, trace id) of everything logged meanwhile, and the duration histogram.
/// </summary>
internal sealed class TaskExecutionTrace : IDisposable
{
    private readonly Activity? _activity;
    private readonly Activity? _previous;
    private readonly IDisposable? _logScope;
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly KeyValuePair<string, object?> _task;
    private readonly KeyValuePair<string, object?> _agent;

    private TaskExecutionTrace(Activity? activity, Activity? previous, IDisposable? logScope, TimeProvider time, string task, string agent)
    {
        _activity = activity;
        _previous = previous;
        _logScope = logScope;
        _time = time;
        _startedAt = time.GetTimestamp();
        _task = new(WorkerTelemetry.TaskTag, task);
        _agent = new(WorkerTelemetry.AgentTag, agent);
    }

    public static TaskExecutionTrace Start(InvokeTask invoke, TraceContext trace, string agent, ILogger logger, TimeProvider time)
    {
        var previous = Activity.Current;
        var hasParent = ActivityContext.TryParse(trace.TraceParent, trace.TraceState, isRemote: true, out var parent);
        Activity? activity = null;
        if (WorkerTelemetry.Source.HasListeners())
        {
            activity = WorkerTelemetry.Source.StartActivity($"execute {invoke.Task}", ActivityKind.Consumer, hasParent ? parent : default,
                [
                    new(WorkerTelemetry.RunIdTag, invoke.RunId.ToString()),
                    new(WorkerTelemetry.TaskRunIdTag, invoke.TaskRunId.ToString()),
                    new(WorkerTelemetry.TaskTag, invoke.Task),
                    new(WorkerTelemetry.AgentTag, agent),
                    new(WorkerTelemetry.AttemptTag, invoke.Attempt),
                ]);
        }

        var traceId = activity?.TraceId.ToHexString() ?? (hasParent ? parent.TraceId.ToHexString() : null);
        var logScope = logger.BeginScope(new Dictionary<string, object?>(6)
        {
            ["RunId"] = invoke.RunId,
            ["TaskRunId"] = invoke.TaskRunId,
            ["Task"] = invoke.Task,
            ["Agent"] = agent,
            ["Attempt"] = invoke.Attempt,
            ["TraceId"] = traceId,
        });
        return new TaskExecutionTrace(activity, previous, logScope, time, invoke.Task, agent);
    }

    /// <summary>The handler's outcome, before it is reported: the span's status and the duration.</summary>
    public void End(TaskRunEvent outcome)
    {
        var failed = outcome as TaskFailed;
        WorkerTelemetry.TaskDuration.Record(_time.GetElapsedTime(_startedAt).TotalSeconds, _task, _agent,
            new(WorkerTelemetry.OutcomeTag, failed is null ? "completed" : "failed"));
        if (_activity is null)
            return;
        _activity.SetTag(WorkerTelemetry.OutcomeTag, failed is null ? "completed" : "failed");
        if (failed is null)
        {
            _activity.SetStatus(ActivityStatusCode.Ok);
            return;
        }

        _activity.SetTag(WorkerTelemetry.ErrorTypeTag, failed.ErrorType);
        _activity.SetStatus(ActivityStatusCode.Error, failed.Error);
    }

    public void Dispose()
    {
        if (_activity is not null)
        {
            _activity.Stop();

            // Stopping an activity whose parent came from a header leaves no current activity; put back the one before.
            Activity.Current = _previous;
        }

        _logScope?.Dispose();
    }
}
