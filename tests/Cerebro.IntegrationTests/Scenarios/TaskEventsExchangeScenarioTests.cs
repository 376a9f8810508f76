using System.Net.Http.Json;
using System.Text;
using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.IntegrationTests.Scenarios.Support;
using Cerebro.Server.Api;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>
/// Protocol section 5.9: an agent whose verdict names <c>cerebro.task-events</c> publishes its task events there,
/// straight to the queue that applies them; Cerebro checks them there as strictly as on <c>cerebro.events</c>. The
/// agent is played by the test with the plain RabbitMQ client.
/// </summary>
public sealed class TaskEventsExchangeScenarioTests(ITestOutputHelper output)
{
    private const string TaskEventsExchange = "cerebro.task-events";
    private const string ErrorQueue = "cerebro.task-runs_error";

    [Fact]
    public async Task VerdictNamesTheExchange_TaskEventsPublishedThereRunTheTask()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        await using var agent = await DeclareAsync(cluster, "direct-agent", "direct-task");

        var runId = await cluster.StartRunAsync("direct-task");
        var invoke = await agent.WaitForAsync(m => m.Type == "task.invoke", CerebroCluster.RunTimeout, "task.invoke");
        await agent.PublishAsync("task.started", invoke.TaskEventBody(agent.Name), TaskEventsExchange);
        await agent.PublishAsync("task.completed", invoke.TaskEventBody(agent.Name, result: new { rows = 3 }), TaskEventsExchange);

        var run = await cluster.WaitForRunEndAsync(runId);
        Assert.Equal("succeeded", run.Status);
        var taskRun = Assert.Single(run.Tasks);
        Assert.Equal("completed", taskRun.State);
        Assert.NotNull(taskRun.StartedAt);
        Assert.Equal(3, taskRun.Result?.GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task BadMessagesOnTheExchange_AreRejectedWithTheirReasons_AndKeptInTheErrorQueue()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        await using var agent = await DeclareAsync(cluster, "careless-agent", "careless-task");
        var runId = await cluster.StartRunAsync("careless-task");
        var invoke = await agent.WaitForAsync(m => m.Type == "task.invoke", CerebroCluster.RunTimeout, "task.invoke");

        await agent.PublishAsync("server.heartbeat", new { agent = agent.Name, instance = Guid.NewGuid(), sentAt = DateTimeOffset.UtcNow },
            TaskEventsExchange);
        await agent.PublishAsync("task.started", invoke.TaskEventBody("someone-else"), TaskEventsExchange);
        await agent.PublishRawAsync("task.completed", Encoding.UTF8.GetBytes("{ not json"), TaskEventsExchange);

        var rejected = await Poll.UntilAsync(
            () => cluster.Http.GetFromJsonAsync<List<IgnoredMessageView>>("api/ignored-messages?limit=50")!,
            list => list!.Count(m => m.Disposition == "rejected") >= 3, CerebroCluster.RunTimeout, "three rejected messages");
        var reasons = rejected!.Where(m => m.Disposition == "rejected").ToDictionary(m => m.Type!, m => m.Reason);
        Assert.Contains("does not belong on cerebro.task-events", reasons["server.heartbeat"], StringComparison.Ordinal);
        Assert.Contains("names agent 'someone-else' but was sent by 'careless-agent'", reasons["task.started"], StringComparison.Ordinal);
        Assert.Contains("is not valid", reasons["task.completed"], StringComparison.Ordinal);
        Assert.All(rejected!.Where(m => m.Disposition == "rejected"), m => Assert.Equal("careless-agent", m.Sender));
        // The management API counts with a few seconds' delay.
        await Poll.UntilAsync(() => cluster.VirtualHost.Management.GetQueueAsync(cluster.VirtualHost.Name, ErrorQueue),
            queue => queue?.TryGetProperty("messages", out var messages) == true && messages.GetInt32() == 3,
            CerebroCluster.RunTimeout, $"the three messages in {ErrorQueue}");

        // Nothing of it moved the task run; a well-formed event still does.
        Assert.Equal("invoked", (await cluster.GetRunAsync(runId)).Tasks.Single().State);
        await agent.PublishAsync("task.completed", invoke.TaskEventBody(agent.Name), TaskEventsExchange);
        Assert.Equal("succeeded", (await cluster.WaitForRunEndAsync(runId)).Status);
    }

    /// <summary>A peer agent that declared one task and got a verdict naming the task-events exchange.</summary>
    private static async Task<AmqpPeer> DeclareAsync(CerebroCluster cluster, string name, string task)
    {
        var agent = await AmqpPeer.ConnectAsync(cluster.VirtualHost, name);
        await agent.ConsumeAgentQueueAsync();
        await agent.PublishAsync("server.ready", new
        {
            agent = name,
            instance = Guid.NewGuid(),
            maxConcurrency = 1,
            tasks = new object[] { new { name = task, owner = "team-direct", upstreams = Array.Empty<object>() } },
            sentAt = DateTimeOffset.UtcNow,
        });
        var verdict = await agent.WaitForAsync(m => m.Type == "declaration.accepted", CerebroCluster.StartupTimeout, "declaration.accepted");
        Assert.Equal(TaskEventsExchange, verdict.Text("taskEventsExchange"));
        return agent;
    }
}
