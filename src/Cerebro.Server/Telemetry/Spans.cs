using System.Diagnostics;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// Starting and emitting Cerebro's spans with an explicit parent. An activity created from an <see cref="ActivityContext"/>
/// has no parent object, and <see cref="Activity.Stop"/> sets <see cref="Activity.Current"/> to that missing parent
/// (null), so every span here puts the previous current activity back itself: MassTransit's activity of the message
/// being consumed must stay current for the sends that follow.
/// </summary>
internal static class Spans
{
    /// <summary>Starts a span that is current until disposed. <paramref name="asRoot"/> starts a new trace even inside another activity.</summary>
    public static SpanScope Start(string name, ActivityKind kind, ActivityContext parent, IEnumerable<KeyValuePair<string, object?>>? tags = null,
        IEnumerable<ActivityLink>? links = null, bool asRoot = false)
    {
        var previous = Activity.Current;
        if (!CerebroTelemetry.Source.HasListeners())
            return new SpanScope(null, previous);
        if (asRoot)
            Activity.Current = null;
        var activity = CerebroTelemetry.Source.StartActivity(name, kind, parent, tags, links);
        if (activity is null)
            Activity.Current = previous;
        return new SpanScope(activity, previous);
    }

    /// <summary>
    /// Emits a finished span with the given start and end: the spans of runs and task runs, whose end is known only now
    /// (possibly in another process than their start). A span whose context was decided at its start, and handed to
    /// its children then, passes that context as <paramref name="identity"/>; with no <paramref name="parent"/> it is a root.
    /// </summary>
    public static Activity? Emit(string name, ActivityKind kind, ActivityContext parent, DateTime startUtc, DateTime endUtc,
        IEnumerable<KeyValuePair<string, object?>> tags, IEnumerable<ActivityEvent>? events = null, ActivityStatusCode status = ActivityStatusCode.Unset,
        string? statusDescription = null, ActivityContext identity = default)
    {
        if (!CerebroTelemetry.Source.HasListeners())
            return null;
        var previous = Activity.Current;
        var asDecidedRoot = parent == default && identity != default;
        var creationParent = asDecidedRoot
            ? new ActivityContext(identity.TraceId, identity.SpanId, identity.TraceFlags, identity.TraceState, isRemote: false)
            : parent;
        var activity = CerebroTelemetry.Source.CreateActivity(name, kind, creationParent, tags);
        if (activity is null)
            return null;
        try
        {
            activity.SetStartTime(DateTime.SpecifyKind(startUtc, DateTimeKind.Utc));
            activity.Start();
            if (identity != default)
                SpanIdentity.TryAssume(activity, identity.SpanId, asDecidedRoot);
            foreach (var e in events ?? [])
                activity.AddEvent(e);
            if (status != ActivityStatusCode.Unset)
                activity.SetStatus(status, statusDescription);
            var end = DateTime.SpecifyKind(endUtc < startUtc ? startUtc : endUtc, DateTimeKind.Utc);
            activity.SetEndTime(end);
            activity.Stop();
        }
        finally
        {
            Activity.Current = previous;
        }

        return activity;
    }
}
