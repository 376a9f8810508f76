namespace Cerebro.Worker.Internal;

/// <summary>The W3C trace headers of an invoke, copied onto every event of its task run.</summary>
internal readonly record struct TraceContext(string? TraceParent, string? TraceState)
{
    public static TraceContext None => default;
}
