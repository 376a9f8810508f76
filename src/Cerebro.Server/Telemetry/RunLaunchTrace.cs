using System.Diagnostics;
using Cerebro.Server.Runs;
using Cerebro.Server.TaskRuns;

namespace Cerebro.Server.Telemetry;

/// <summary>The trigger's span of a run being launched, under the run's decided root; see <see cref="RunTelemetry.StartLaunch"/>.</summary>
internal sealed class RunLaunchTrace(SpanScope span, RunRequest request, ActivityContext root) : IDisposable
{
    private bool _launched;

    /// <summary>The request, its <see cref="RunRequest.TraceParent"/> now the run's root span.</summary>
    public RunRequest Request { get; } = request;

    /// <summary>The run was stored: counts it, and emits the span of each reused task run (they end at launch).</summary>
    public void Launched(IReadOnlyCollection<TaskRunState> taskRuns)
    {
        _launched = true;
        var trigger = new KeyValuePair<string, object?>(TelemetryTags.Trigger, Request.Trigger);
        var task = new KeyValuePair<string, object?>(TelemetryTags.Task, Request.Task);
        CerebroMetrics.RunsStarted.Add(1, task, trigger);
        span.Activity?.SetTag(TelemetryTags.TaskRuns, taskRuns.Count);
        foreach (var reused in taskRuns.Where(t => t.CurrentState == TaskRunStates.Reused))
            TaskRunTelemetry.EmitReused(reused, root);
    }

    public void Dispose()
    {
        // Nothing was launched (unknown task, a run with that id exists): no trace, since no run came of it.
        if (!_launched && span.Activity is { } activity)
        {
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            activity.IsAllDataRequested = false;
        }

        span.Dispose();
    }
}
