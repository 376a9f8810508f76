namespace Cerebro.IntegrationTests.Infrastructure;

public sealed class TmpProbeTests
{
    [Fact]
    public void TmpProbe_Fails() => Assert.Fail("on purpose");

    [Fact(Skip = "on purpose")]
    public void TmpProbe_Skipped() { }

    [Fact]
    public void TmpProbe_Passes() { }

    [Fact]
    public void TmpCrash_Crashes()
    {
        if (Environment.GetEnvironmentVariable("TMP_CRASH") == "1")
            Environment.FailFast("crash on purpose");
    }
}
