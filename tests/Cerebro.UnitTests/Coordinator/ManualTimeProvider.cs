namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// A clock that stands still until a test moves it. Timers still come from the base class (real time), which is
/// why <see cref="CoordinatorFactory"/> stretches the sweep and recovery intervals: the tests run those loops by hand.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = start;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
            return _now;
    }

    public DateTimeOffset Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_lock)
            return _now += by;
    }
}
