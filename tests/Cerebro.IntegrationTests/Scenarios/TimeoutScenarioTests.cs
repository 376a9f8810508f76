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

    /// <summary>
    /// The agent answers the invoke at once, but Cerebro is frozen (SIGSTOP) and, once thawed, has a backlog of that
    /// agent's messages ahead of the answer; the ack deadline passes meanwhile. The deadline must wait its turn behind
    /// the answer: Cerebro's backlog is not the agent's silence.
    /// </summary>
    [Fact]
    public async Task AgentAnsweredInTime_ButCerebroWasBehind_NoAckTimeout()
    {
        await using var cluster = await CerebroCluster.StartAsync(output, new Dictionary<string, string> { ["Cerebro__AckTimeout"] = "00:00:06" });
        await using var agent = await AmqpPeer.ConnectAsync(cluster.VirtualHost, "prompt-agent");
        await agent.ConsumeAgentQueueAsync();
        var instance = Guid.NewGuid();
        await agent.PublishAsync("server.ready", new
        {
            agent = agent.Name,
            instance,
            maxConcurrency = 1,
            tasks = new object[] { new { name = "answer-at-once", owner = "team-prompt", upstreams = Array.Empty<object>() } },
            sentAt = DateTimeOffset.UtcNow,
        });
        await agent.WaitForAsync(m => m.Type == "declaration.accepted", CerebroCluster.StartupTimeout, "declaration.accepted");

        var runId = await cluster.StartRunAsync("answer-at-once");
        var invoke = await agent.WaitForAsync(m => m.Type == "task.invoke", CerebroCluster.RunTimeout, "task.invoke");
        var invokedAt = DateTimeOffset.UtcNow;
        Signal(cluster.Cerebro.Id, "STOP");
        try
        {
            // While Cerebro is frozen: a pile of heartbeats, then the answer, inside the 6 s ack window (the window is wide
            // because the publishing itself is slow on a busy machine: 1000 confirmed messages).
            for (var i = 0; i < 1000; i++)
                await agent.PublishAsync("server.heartbeat", new { agent = agent.Name, instance, running = 0, queued = 0, sentAt = DateTimeOffset.UtcNow });
            var started = invoke.TaskEventBody(agent.Name);
            await agent.PublishAsync("task.started", started);
            Assert.True(DateTimeOffset.UtcNow - invokedAt < TimeSpan.FromSeconds(6), "the agent's answer was not sent within the ack window; the test proves nothing");

            // Thaw only once the deadline has passed, so Cerebro finds it due with the answer still unread.
            var thaw = invokedAt + TimeSpan.FromSeconds(7) - DateTimeOffset.UtcNow;
            if (thaw > TimeSpan.Zero)
                await System.Threading.Tasks.Task.Delay(thaw);
        }
        finally
        {
            Signal(cluster.Cerebro.Id, "CONT");
        }

        // (The invoke goes out just before the invoked state is stored, so the freeze may have caught the task run pending.)
        var taskRun = (await cluster.WaitForRunAsync(runId, r => r.Tasks.Single().State is not ("pending" or "invoked"),
            "the task run to move past invoked")).Tasks.Single();
        Assert.Equal(("started", null), (taskRun.State, taskRun.Error));

        await agent.PublishAsync("task.completed", invoke.TaskEventBody(agent.Name));
        var run = await cluster.WaitForRunEndAsync(runId);
        Assert.Equal("succeeded", run.Status);
        Assert.Equal("completed", run.Tasks.Single().State);
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
