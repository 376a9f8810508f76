using System.Diagnostics;

namespace Cerebro.Server.Telemetry;

/// <summary>A span current until disposed (or nothing, when no one listens); disposal restores the previous current activity.</summary>
internal sealed class SpanScope(Activity? activity, Activity? previous) : IDisposable
{
    private bool _disposed;

    /// <summary>No span: nobody listens.</summary>
    public static SpanScope None { get; } = new(null, null);

    public Activity? Activity { get; } = activity;

    public void Dispose()
    {
        if (_disposed || Activity is null)
            return;
        _disposed = true;
        Activity.Stop();
        System.Diagnostics.Activity.Current = previous;
    }
}
