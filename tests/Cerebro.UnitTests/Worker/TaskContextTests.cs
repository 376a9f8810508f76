using System.Text.Json;
using Cerebro.Worker;
using Cerebro.Worker.Internal;

namespace Cerebro.UnitTests.Worker;

public sealed class TaskContextTests
{
    private static TaskContext Context(string json) => new()
    {
        TaskRunId = Guid.NewGuid(),
        RunId = Guid.NewGuid(),
        Task = "build-sales",
        Attempt = 1,
        Agent = "task-server-b",
        Parameters = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!,
    };

    [Fact]
    public void GetParameter_ConvertsJsonValues()
    {
        var context = Context("""{ "durationMs": 250, "fail": ["build-sales"], "label": "x", "asText": "12" }""");

        Assert.Equal(250, context.GetParameter<int>("durationMs"));
        Assert.Equal(["build-sales"], context.GetParameter<string[]>("fail")!);
        Assert.Equal("x", context.GetParameter<string>("label"));
        Assert.Equal(12, context.GetParameter<int>("asText"));
    }

    [Fact]
    public void GetParameter_AbsentOrNull_ReturnsTheDefault()
    {
        var context = Context("""{ "nothing": null }""");

        Assert.Equal(200, context.GetParameter("durationMs", 200));
        Assert.Equal(7, context.GetParameter("nothing", 7));
        Assert.False(context.HasParameter("nothing"));
    }

    [Fact]
    public void GetParameter_WrongType_ThrowsTaskFailedException_NamingTheParameter()
    {
        var context = Context("""{ "durationMs": "soon" }""");

        var ex = Assert.Throws<TaskFailedException>(() => context.GetParameter<int>("durationMs"));

        Assert.Contains("'durationMs'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidParameter", ex.ErrorType);
    }

    [Fact]
    public void ErrorDescriptions_TaskFailedException_IsSentExactly_OthersGetTypeAndMessage()
    {
        Assert.Equal("exactly this", ErrorDescriptions.Describe("t", new TaskFailedException("exactly this")));
        Assert.Equal("TaskFailedException", ErrorDescriptions.TypeOf(new TaskFailedException("x")));
        Assert.Equal("SourceDown", ErrorDescriptions.TypeOf(new TaskFailedException("x", "SourceDown")));

        var described = ErrorDescriptions.Describe("t", new InvalidOperationException("outer", new TimeoutException("inner")));

        Assert.Equal("t failed: InvalidOperationException: outer ---> TimeoutException: inner", described);
    }
}
