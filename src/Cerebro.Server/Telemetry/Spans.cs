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
    /// Emits a finished span with the given start and end: the spans of runs and task runs, whose context was decided
    /// earlier and whose end is known only now (possibly in another process than their start).
    /// </summary>
    public static Activity? Emit(string name, ActivityKind kind, ActivityContext parent, DateTime startUtc, DateTime endUtc,
        IEnumerable<KeyValuePair<string, object?>> tags, IEnumerable<ActivityEvent>? events = null, ActivityStatusCode status = ActivityStatusCode.Unset,
        string? statusDescription = null)
    {
        if (!CerebroTelemetry.Source.HasListeners())
            return null;
        var previous = Activity.Current;
        var activity = CerebroTelemetry.Source.CreateActivity(name, kind, parent, tags);
        if (activity is null)
            return null;
        try
        {
            activity.SetStartTime(DateTime.SpecifyKind(startUtc, DateTimeKind.Utc));
            activity.Start();
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
