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
    /// A span context for a span that is decided but not recorded (nobody listens): same trace and sampling decision as
    /// <paramref name="parent"/> (a new trace when there is none), a fresh span id, so downstream spans and logs still
    /// carry the run's trace id.
    /// </summary>
    public static ActivityContext Unrecorded(ActivityContext parent) =>
        parent == default
            ? new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None)
            : new ActivityContext(parent.TraceId, ActivitySpanId.CreateRandom(), parent.TraceFlags, parent.TraceState);
}
