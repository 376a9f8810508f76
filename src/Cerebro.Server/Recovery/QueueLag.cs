namespace Cerebro.Server.Recovery;

/// <summary>
/// How far behind Cerebro reads its task-runs queue: the age of the last message it took from there, measured on the
/// clock MassTransit stamped it with (the system's). Recovery waits that much longer before it calls a run stalled: a
/// message that waits in a backlog is late, not lost, and nudging it would only lengthen the backlog.
/// </summary>
public sealed class QueueLag(TimeProvider clock)
{
    /// <summary>An age observed longer ago than this says nothing about now: an empty queue has no lag.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private TimeSpan _age;
    private DateTimeOffset _observedAt = DateTimeOffset.MinValue;

    /// <summary>The age of the message just taken from the queue (negative ages, from clocks apart, count as none).</summary>
    public void Observe(TimeSpan age)
    {
        lock (_gate)
        {
            _age = age > TimeSpan.Zero ? age : TimeSpan.Zero;
            _observedAt = clock.GetUtcNow();
        }
    }

    /// <summary>The last observed age, or zero when nothing was taken from the queue within <see cref="Freshness"/>.</summary>
    public TimeSpan Current
    {
        get
        {
            lock (_gate)
                return clock.GetUtcNow() - _observedAt <= Freshness ? _age : TimeSpan.Zero;
        }
    }
}
