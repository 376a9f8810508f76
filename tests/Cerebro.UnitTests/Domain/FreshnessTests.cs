using Cerebro.Domain;

namespace Cerebro.UnitTests.Domain;

public class FreshnessTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    [Fact]
    public void IsSatisfied_NeverSucceeded_IsFalse() => Assert.False(Freshness.IsSatisfied(null, Window, Now));

    [Fact]
    public void IsSatisfied_SucceededWithinTheWindow_IsTrue() =>
        Assert.True(Freshness.IsSatisfied(Now.AddMinutes(-3), Window, Now));

    [Fact]
    public void IsSatisfied_SucceededExactlyAtTheWindow_IsTrue() =>
        Assert.True(Freshness.IsSatisfied(Now - Window, Window, Now));

    [Fact]
    public void IsSatisfied_SucceededBeforeTheWindow_IsFalse() =>
        Assert.False(Freshness.IsSatisfied(Now - Window - TimeSpan.FromTicks(1), Window, Now));

    [Fact]
    public void IsSatisfied_SuccessStampedInTheFuture_IsTrue() =>
        Assert.True(Freshness.IsSatisfied(Now.AddSeconds(5), Window, Now));

    [Fact]
    public void IsSatisfied_OffsetsDiffer_ComparesInstants() =>
        Assert.True(Freshness.IsSatisfied(new DateTimeOffset(2026, 11, 22, 13, 55, 0, TimeSpan.FromHours(2)), Window, Now));
}
