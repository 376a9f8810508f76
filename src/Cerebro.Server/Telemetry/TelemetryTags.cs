namespace Cerebro.Server.Telemetry;

/// <summary>
/// The attribute names on Cerebro's spans, metrics and log scopes. They are what a user searches by in Grafana
/// (for example the TraceQL query <c>{ span.cerebro.run_id = "..." }</c>), so they are the same everywhere, the agents' SDK included.
/// </summary>
public static class TelemetryTags
{
    public const string RunId = "cerebro.run_id";
    public const string TaskRunId = "cerebro.task_run_id";
    public const string Task = "cerebro.task";
    public const string Agent = "cerebro.agent";
    public const string Owner = "cerebro.owner";
    public const string Attempt = "cerebro.attempt";

    /// <summary>What started the run: api, cli, cron or event.</summary>
    public const string Trigger = "cerebro.trigger";

    public const string RequestedBy = "cerebro.requested_by";

    /// <summary>A run's outcome (succeeded, failed) or a task run's final state (completed, error, blocked, reused).</summary>
    public const string Outcome = "cerebro.outcome";

    public const string ErrorSource = "cerebro.error.source";

    /// <summary>The deadline that expired: ack, start or complete.</summary>
    public const string Timeout = "cerebro.timeout";

    /// <summary>A task-run phase on the phase-duration histogram: waiting, ack, queued, running.</summary>
    public const string Phase = "cerebro.phase";

    public const string MessageType = "cerebro.message_type";
    public const string TaskRuns = "cerebro.task_runs";
    public const string ReusedTaskRunId = "cerebro.reused_task_run_id";
    public const string AgentState = "cerebro.agent.state";

    /// <summary>Phase durations in seconds on a task-run span, so a single span tells them apart without a metrics query.</summary>
    public const string WaitingSeconds = "cerebro.duration.waiting_s";

    public const string AckSeconds = "cerebro.duration.ack_s";
    public const string QueuedSeconds = "cerebro.duration.queued_s";
    public const string RunningSeconds = "cerebro.duration.running_s";
}
