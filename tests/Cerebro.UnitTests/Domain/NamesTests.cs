using Cerebro.Domain;

namespace Cerebro.UnitTests.Domain;

public class NamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("task-server-a")]
    [InlineData("9lives")]
    public void IsValidAgentName_ValidName_IsTrue(string name) => Assert.True(Names.IsValidAgentName(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-a")]
    [InlineData("Agent")]
    [InlineData("agent.a")]
    [InlineData("agent_a")]
    [InlineData("agent a")]
    [InlineData("agent\n")]
    public void IsValidAgentName_InvalidName_IsFalse(string? name) => Assert.False(Names.IsValidAgentName(name));

    [Fact]
    public void IsValidAgentName_Length_IsAtMost63()
    {
        Assert.True(Names.IsValidAgentName(new string('a', 63)));
        Assert.False(Names.IsValidAgentName(new string('a', 64)));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("extract-customers")]
    [InlineData("sales.daily_report-v2")]
    [InlineData("0.a")]
    public void IsValidTaskName_ValidName_IsTrue(string name) => Assert.True(Names.IsValidTaskName(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".a")]
    [InlineData("_a")]
    [InlineData("Task")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("tâche")]
    [InlineData("a\n")]
    public void IsValidTaskName_InvalidName_IsFalse(string? name) => Assert.False(Names.IsValidTaskName(name));

    [Fact]
    public void IsValidTaskName_Length_IsAtMost128()
    {
        Assert.True(Names.IsValidTaskName(new string('a', 128)));
        Assert.False(Names.IsValidTaskName(new string('a', 129)));
    }
}
