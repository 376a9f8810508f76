using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cerebro.Worker.Telemetry;

/// <summary>
/// The worker SDK's activity source and meter, both <c>Cerebro.Worker</c>, and the attribute names it shares with
/// Cerebro's spans (the same names, so one search finds both).
/// </summary>
internal static class WorkerTelemetry
{
    public const string Name = "Cerebro.Worker";
    public const string MassTransitName = "MassTransit";

    public const string RunIdTag = "cerebro.run_id";
    public const string TaskRunIdTag = "cerebro.task_run_id";
    public const string TaskTag = "cerebro.task";
    public const string AgentTag = "cerebro.agent";
    public const string AttemptTag = "cerebro.attempt";
    public const string OutcomeTag = "cerebro.outcome";
    public const string ErrorTypeTag = "cerebro.error.type";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    private static readonly IReadOnlyList<double> DurationBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];

    public static readonly Histogram<double> TaskDuration = Meter.CreateHistogram<double>(
        "cerebro.worker.task.duration", "s", "How long task handlers ran on this agent, by task, agent and outcome (completed, failed).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
}
