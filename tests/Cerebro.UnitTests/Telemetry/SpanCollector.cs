using System.Collections.Concurrent;
using System.Diagnostics;
using Cerebro.Server.Telemetry;

namespace Cerebro.UnitTests.Telemetry;

/// <summary>
/// Listens, as an exporter would, to Cerebro's, the worker SDK's and MassTransit's activity sources and keeps every
/// recorded span once it ends. Process-wide: other tests' spans arrive too, so a test looks at its own trace only.
/// </summary>
public sealed class SpanCollector : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public SpanCollector()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is CerebroTelemetry.Name or CerebroTelemetry.WorkerName or CerebroTelemetry.MassTransitName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Recorded)
                    _spans.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> All => [.. _spans];

    public IReadOnlyList<Activity> Trace(ActivityTraceId traceId) => [.. _spans.Where(s => s.TraceId == traceId)];

    /// <summary>Spans tagged with the run (Cerebro's and the agents' own), in whatever trace they are.</summary>
    public IReadOnlyList<Activity> OfRun(Guid runId) =>
        [.. _spans.Where(s => s.GetTagItem(TelemetryTags.RunId) as string == runId.ToString())];

    public void Dispose() => _listener.Dispose();
}
