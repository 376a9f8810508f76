using Cerebro.Server.Recovery;
using Cerebro.UnitTests.Coordinator;

namespace Cerebro.UnitTests.Recovery;

public sealed class QueueLagTests
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void NothingObserved_NoLag()
    {
        Assert.Equal(TimeSpan.Zero, new QueueLag(_clock).Current);
    }

    [Fact]
    public void LastObservedAge_IsTheLag_AndANegativeAgeCountsAsNone()
    {
        var lag = new QueueLag(_clock);

        lag.Observe(TimeSpan.FromSeconds(12));
        Assert.Equal(TimeSpan.FromSeconds(12), lag.Current);

        lag.Observe(TimeSpan.FromMilliseconds(-40));
        Assert.Equal(TimeSpan.Zero, lag.Current);
    }

    [Fact]
    public void AnAgeObservedLongerAgoThanTheFreshness_SaysNothing()
    {
        var lag = new QueueLag(_clock);
        lag.Observe(TimeSpan.FromSeconds(12));

        _clock.Advance(QueueLag.Freshness);
        Assert.Equal(TimeSpan.FromSeconds(12), lag.Current);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.Zero, lag.Current);
    }
}
