using System.Text.Json;
using System.Text.Json.Nodes;
using Cerebro.Contracts;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// Messages that break the protocol: each is listed as rejected with the reason, and none is applied. Every case is a
/// task.completed for a real invoked task run, broken in one way, so "not applied" is visible in the task run's state.
/// </summary>
public sealed class MalformedMessageTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    [Theory]
    [InlineData("missing required field", "the body of 'task.completed' is not valid: ")]
    [InlineData("not json", "the body of 'task.completed' is not valid: ")]
    [InlineData("unknown type", "unknown message type 'task.exploded'")]
    [InlineData("missing type header", "the 'cerebro-type' header is missing")]
    [InlineData("missing sender header", "the 'cerebro-sender' header is missing")]
    [InlineData("missing protocol header", "the 'cerebro-protocol' header is missing")]
    [InlineData("protocol version 2", "protocol version 2 is not supported; this Cerebro speaks version 1")]
    [InlineData("protocol version not a number", "the 'cerebro-protocol' header 'one' is not an integer")]
    [InlineData("sender is not the agent in the body", "the message names agent 'agent-a' but was sent by 'agent-z'")]
    [InlineData("an agent sends Cerebro's own deadline message", "'cerebro.deadline-due' is Cerebro's own message; agents may not send it (sender 'agent-a')")]
    public async Task MalformedMessage_IsRejectedWithTheReason_AndNotApplied(string breakage, string reason)
    {
        await AgentA.DeclareAsync(Task("target"));
        var runId = await Server.StartRunAsync("target");
        var invoke = await AgentA.WaitForInvokeAsync("target", runId);
        // The invoke leaves just before its transaction commits: wait for the commit, so "invoked" below is what the
        // rejected message left, not a race with it.
        await Server.WaitForTaskRunAsync(runId, "target", "invoked");
        var body = CompletedBody(invoke);

        var sent = breakage switch
        {
            "missing required field" => await Send(Without(body, "attempt"), MessageTypes.TaskCompleted),
            "not json" => await Send("{\"taskRunId\": ", MessageTypes.TaskCompleted),
            "unknown type" => await Send(body.ToJsonString(), "task.exploded"),
            "missing type header" => await Send(body.ToJsonString(), type: null),
            "missing sender header" => await Send(body.ToJsonString(), MessageTypes.TaskCompleted, sender: null),
            "missing protocol header" => await Send(body.ToJsonString(), MessageTypes.TaskCompleted, protocol: null),
            "protocol version 2" => await Send(body.ToJsonString(), MessageTypes.TaskCompleted, protocol: 2),
            "protocol version not a number" => await Send(body.ToJsonString(), MessageTypes.TaskCompleted, protocol: "one"),
            "sender is not the agent in the body" => await Send(body.ToJsonString(), MessageTypes.TaskCompleted, sender: "agent-z"),
            "an agent sends Cerebro's own deadline message" => await Send(
                $"{{\"taskRunId\":\"{invoke.TaskRunId}\",\"agent\":\"agent-a\",\"kind\":\"ack\",\"dueMs\":0}}", "cerebro.deadline-due"),
            _ => throw new ArgumentOutOfRangeException(nameof(breakage), breakage, null),
        };

        var rejected = await Server.WaitForIgnoredAsync(sent);
        Assert.Equal("rejected", rejected.Disposition);
        Assert.StartsWith(reason, rejected.Reason);
        Assert.False(string.IsNullOrEmpty(rejected.Body), "the rejected body is kept for whoever investigates");
        var taskRun = Coordinator.TaskRun(await Server.GetRunAsync(runId), "target");
        Assert.Equal("invoked", taskRun.State);
        Assert.Null(taskRun.Result);

        // The queue goes on: the well-formed message after it is applied.
        await AgentA.CompletedAsync(invoke, new { good = true });
        var completed = await Server.WaitForTaskRunAsync(runId, "target", "completed");
        Assert.True(completed.Result!.Value.GetProperty("good").GetBoolean());
        Assert.Single(await Server.GetIgnoredMessagesAsync());
    }

    private Task<Guid> Send(string json, string? type, string? sender = "agent-a") =>
        AgentA.SendRawAsync(json, type, sender, Cerebro.Contracts.Protocol.Version);

    private Task<Guid> Send(string json, string? type, object? protocol) =>
        AgentA.SendRawAsync(json, type, "agent-a", protocol);

    private JsonObject CompletedBody(InvokeTask invoke) =>
        JsonSerializer.SerializeToNode(new TaskCompleted
        {
            TaskRunId = invoke.TaskRunId,
            RunId = invoke.RunId,
            Task = invoke.Task,
            Attempt = invoke.Attempt,
            Agent = AgentA.Name,
            At = Server.Clock.GetUtcNow(),
            Result = JsonSerializer.SerializeToElement(new { bad = true }),
        }, WireJson.Options)!.AsObject();

    private static string Without(JsonObject body, string property)
    {
        var copy = body.DeepClone().AsObject();
        Assert.True(copy.Remove(property), $"the body has no '{property}'");
        return copy.ToJsonString();
    }
}
