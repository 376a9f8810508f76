using System.Buffers.Binary;
using System.Diagnostics;

namespace Cerebro.Server.Telemetry;

/// <summary>W3C <c>traceparent</c> strings, as stored in the sagas' <c>TraceParent</c> column and sent in the protocol's header.</summary>
public static class TraceParents
{
    public static string Format(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";

    /// <summary>Parses a traceparent (and optional tracestate) into a remote parent context; false when absent or malformed.</summary>
    public static bool TryParse(string? traceParent, string? traceState, out ActivityContext context)
    {
        context = default;
        return !string.IsNullOrEmpty(traceParent) && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out context);
    }

    /// <summary>The trace id of a traceparent, for log scopes; null when absent or malformed.</summary>
    public static string? TraceIdOf(string? traceParent) =>
        TryParse(traceParent, null, out var context) ? context.TraceId.ToHexString() : null;

    /// <summary>
    /// The span id of a run's root span, derived from the run id, so that whatever knows the run (a task run ending in
    /// another process) names the root without reading the run. Non-zero, as W3C requires.
    /// </summary>
    public static ActivitySpanId RunRootSpanId(Guid runId)
    {
        Span<byte> bytes = stackalloc byte[16];
        runId.TryWriteBytes(bytes);
        var id = BinaryPrimitives.ReadUInt64LittleEndian(bytes) ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, id == 0 ? 1 : id);
        return ActivitySpanId.CreateFromBytes(bytes[..8]);
    }

    /// <summary>The root span of run <paramref name="runId"/>, in the trace and sampling decision of <paramref name="inRun"/>, any span of that run.</summary>
    public static ActivityContext RunRoot(Guid runId, ActivityContext inRun) =>
        new(inRun.TraceId, RunRootSpanId(runId), inRun.TraceFlags, inRun.TraceState);

    /// <summary>
    /// A span context for a span that is decided but not recorded (nobody listens): same trace and sampling decision as
    /// <paramref name="parent"/> (a new trace when there is none), a fresh span id, so downstream spans and logs still
    /// carry the run's trace id.
    /// </summary>
    public static ActivityContext Unrecorded(ActivityContext parent) =>
        parent == default
            ? new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None)
            : new ActivityContext(parent.TraceId, ActivitySpanId.CreateRandom(), parent.TraceFlags, parent.TraceState);
}
