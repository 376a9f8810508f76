using OpenTelemetry.Trace;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// The root sampler behind the parent-based one: records traces that Cerebro starts (a run's root span is internal),
/// drops traces that would start at a message outside any run (heartbeats, declarations, MassTransit's own sends from
/// timers), which would otherwise bury the runs' traces in one-span traces. Spans with a parent follow their parent.
/// </summary>
internal sealed class MessagingRootSampler : Sampler
{
    public MessagingRootSampler() => Description = nameof(MessagingRootSampler);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind is System.Diagnostics.ActivityKind.Internal or System.Diagnostics.ActivityKind.Server
            ? new SamplingResult(SamplingDecision.RecordAndSample)
            : new SamplingResult(SamplingDecision.Drop);
}
