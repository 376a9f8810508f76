using System.Diagnostics.Metrics;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// Cerebro's instruments, on the meter <see cref="CerebroTelemetry.Name"/>. Durations are in seconds (histograms), so
/// Prometheus names them <c>..._seconds</c>. Run and task-run measurements are taken once the state change is stored.
/// </summary>
public static class CerebroMetrics
{
    // Task runs last from milliseconds to hours; the default buckets stop at 10 s.
    private static readonly IReadOnlyList<double> DurationBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];

    private static readonly IReadOnlyList<double> LatenessBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public static readonly Counter<long> RunsStarted = CerebroTelemetry.Meter.CreateCounter<long>(
        "cerebro.runs.started", "{run}", "Runs launched, by task and trigger.");

    public static readonly Counter<long> RunsEnded = CerebroTelemetry.Meter.CreateCounter<long>(
        "cerebro.runs.ended", "{run}", "Runs ended, by task and outcome (succeeded, failed).");

    public static readonly Histogram<double> RunDuration = CerebroTelemetry.Meter.CreateHistogram<double>(
        "cerebro.run.duration", "s", "From a run's launch to its end, by task and outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    public static readonly Counter<long> TaskRunsEnded = CerebroTelemetry.Meter.CreateCounter<long>(
        "cerebro.task_runs.ended", "{task_run}", "Task runs ended, by task, agent and outcome (completed, error, blocked, reused).");

    /// <summary>
    /// One histogram, four phases (<see cref="TelemetryTags.Phase"/>): waiting for upstreams (launch to invoke), waiting
    /// for an acknowledgement (invoke to queued or started), queued (queued to started), running (started to the end).
    /// </summary>
    public static readonly Histogram<double> TaskRunPhaseDuration = CerebroTelemetry.Meter.CreateHistogram<double>(
        "cerebro.task_run.phase.duration", "s", "Time a task run spent in each phase, by task, agent and phase.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    public static readonly Counter<long> Timeouts = CerebroTelemetry.Meter.CreateCounter<long>(
        "cerebro.timeouts", "{timeout}", "Task runs turned to error by a timeout, by kind (ack, start, complete), task and agent.");

    public static readonly Histogram<double> DeadlineLateness = CerebroTelemetry.Meter.CreateHistogram<double>(
        "cerebro.deadline.lateness", "s", "How long after its due time the deadline sweeper fired a deadline, by kind.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatenessBuckets });

    public static readonly Histogram<double> CronLateness = CerebroTelemetry.Meter.CreateHistogram<double>(
        "cerebro.cron.lateness", "s", "How long after its scheduled time a cron run was fired, by task.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatenessBuckets });

    public static void RecordDeadlineFired(string kind, TimeSpan lateness) =>
        DeadlineLateness.Record(Math.Max(0, lateness.TotalSeconds), new KeyValuePair<string, object?>(TelemetryTags.Timeout, kind));

    /// <summary>For the cron scheduler: call it when a schedule fires, with the occurrence it fires for.</summary>
    public static void RecordCronFired(string task, DateTimeOffset due, DateTimeOffset firedAt) =>
        CronLateness.Record(Math.Max(0, (firedAt - due).TotalSeconds), new KeyValuePair<string, object?>(TelemetryTags.Task, task));
}
