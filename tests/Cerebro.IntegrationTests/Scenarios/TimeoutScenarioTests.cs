using Cerebro.IntegrationTests.Scenarios.Support;
using Cerebro.Server.Api;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>
/// Scenario 4: Cerebro turns a silent task run to error by its ack, start or complete timeout, with the reason of
/// protocol section 7 and source cerebro. Short timeouts come from Cerebro's configuration or from a task's
/// declaration (a deploy-time override of the demo agent).
/// </summary>
public sealed class TimeoutScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AgentKilledAfterDeclaring_InvokeErrorsByAckTimeout()
    {
        await using var cluster = await CerebroCluster.StartAsync(output, new Dictionary<string, string> { ["Cerebro__AckTimeout"] = "00:00:02" });
        var a = cluster.StartTaskServerA();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA);
        a.KillHard();
        await a.WaitForExitAsync(CerebroCluster.StartupTimeout);

        var runId = await cluster.StartRunAsync("extract-orders");
        var run = await cluster.WaitForRunEndAsync(runId);

        Assert.Equal("failed", run.Status);
        var taskRun = Assert.Single(run.Tasks);
        Assert.Equal("error", taskRun.State);
        Assert.Equal(new ErrorView("no task.queued or task.started from agent 'task-server-a' within 2 s of the invoke", "cerebro"), taskRun.Error);
        Assert.NotNull(taskRun.InvokedAt);
        Assert.Null(taskRun.StartedAt);
        Assert.True(taskRun.FinishedAt - taskRun.InvokedAt >= TimeSpan.FromSeconds(2),
            $"ended {taskRun.FinishedAt - taskRun.InvokedAt} after the invoke, before the 2 s timeout");
    }

    [Fact]
    public async Task SecondInvokeQueuedBehindLongTask_ErrorsByStartTimeout()
    {
        await using var cluster = await CerebroCluster.StartAsync(output, new Dictionary<string, string> { ["Cerebro__StartTimeout"] = "00:00:02" });
        var a = cluster.StartTaskServerA(new Dictionary<string, string> { ["CEREBRO_MAX_CONCURRENCY"] = "1" });
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA);

        var busyRunId = await cluster.StartRunAsync("extract-orders", new { durationMs = 60_000 });
        await cluster.WaitForRunAsync(busyRunId, r => r.Tasks.Single().State == "started", "extract-orders to be started (the agent's one slot busy)");
        var queuedRunId = await cluster.StartRunAsync("extract-customers", new { durationMs = 100 });
        var run = await cluster.WaitForRunEndAsync(queuedRunId);

        Assert.Equal("failed", run.Status);
        var taskRun = Assert.Single(run.Tasks);
        Assert.Equal("error", taskRun.State);
        Assert.Equal(new ErrorView("no task.started from agent 'task-server-a' within 2 s of task.queued", "cerebro"), taskRun.Error);
        Assert.NotNull(taskRun.QueuedAt);
        Assert.Null(taskRun.StartedAt);
        Assert.DoesNotContain(ExecutedLine.Of(a), e => e.TaskRunId == taskRun.TaskRunId);
        Assert.Equal("started", (await cluster.GetRunAsync(busyRunId)).Tasks.Single().State);
    }

    [Fact]
    public async Task TaskRunsPastItsDeclaredCompleteTimeout_ErrorsByCompleteTimeout()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        cluster.StartTaskServerA(new Dictionary<string, string> { ["Cerebro__Worker__Timeouts__extract-products__CompleteSeconds"] = "2" });
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA);
        var declared = Assert.Single(await cluster.GetTasksAsync(), t => t.Name == "extract-products");
        Assert.Equal(2, declared.Timeouts?.CompleteSeconds);

        var runId = await cluster.StartRunAsync("extract-products", new { durationMs = 60_000 });
        var run = await cluster.WaitForRunEndAsync(runId);

        Assert.Equal("failed", run.Status);
        var taskRun = Assert.Single(run.Tasks);
        Assert.Equal("error", taskRun.State);
        Assert.Equal(new ErrorView("no task.completed or task.failed from agent 'task-server-a' within 2 s of task.started", "cerebro"), taskRun.Error);
        Assert.NotNull(taskRun.StartedAt);
        Assert.True(taskRun.FinishedAt - taskRun.StartedAt >= TimeSpan.FromSeconds(2),
            $"ended {taskRun.FinishedAt - taskRun.StartedAt} after task.started, before the 2 s timeout");
    }
}
