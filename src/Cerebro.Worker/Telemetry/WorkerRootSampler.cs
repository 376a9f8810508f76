using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Cerebro.Worker.Telemetry;

/// <summary>
/// Behind the parent-based sampler: a span without a parent is kept only when internal, so the worker's heartbeats and
/// declarations (MassTransit sends outside any run) start no traces of their own. Spans with a parent, such as the
/// execution of an invoke that carried Cerebro's trace context, follow their parent.
/// </summary>
internal sealed class WorkerRootSampler : Sampler
{
    public WorkerRootSampler() => Description = nameof(WorkerRootSampler);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind is ActivityKind.Internal or ActivityKind.Server
            ? new SamplingResult(SamplingDecision.RecordAndSample)
            : new SamplingResult(SamplingDecision.Drop);
}
