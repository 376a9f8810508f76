using Cerebro.Contracts;
using Cerebro.IntegrationTests.Worker.Support;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Worker;

/// <summary>Stopping a worker: server.stopping, draining, and invokes that go back to the queue.</summary>
public sealed class WorkerShutdownTests(WorkerBrokerFixture broker, ITestOutputHelper output) : IClassFixture<WorkerBrokerFixture>
{
    [Fact]
    public async Task Shutdown_SendsServerStopping_ThenLetsTheRunningHandlerFinish()
    {
        var agent = WorkerHost.NewAgentName("drain");
        var tasks = new TestTasks();
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo);
        var invoke = WorkerHost.Invoke("gate");
        await cerebro.InvokeAsync(invoke);
        await cerebro.WaitForAsync(MessageTypes.TaskStarted, invoke.TaskRunId);

        var stopping = worker.StopAsync();
        var stoppingEvent = await cerebro.WaitForAsync(MessageTypes.ServerStopping);
        Assert.False(stopping.IsCompleted, "the host stopped while a handler was running");
        Assert.Equal(worker.Status.Instance, stoppingEvent.Body.GetProperty("instance").GetGuid());
        Assert.Equal($"{agent}.server.stopping", stoppingEvent.RoutingKey);

        tasks.Open(invoke.TaskRunId);
        await stopping.WaitAsync(FakeCerebro.DefaultWait);
        await worker.DisposeAsync();

        var completed = await cerebro.WaitForAsync(MessageTypes.TaskCompleted, invoke.TaskRunId);
        Assert.True(completed.Sequence > stoppingEvent.Sequence);
        Assert.DoesNotContain(cerebro.Events, e => e.Type == MessageTypes.ServerHeartbeat && e.Sequence > stoppingEvent.Sequence);
    }

    [Fact]
    public async Task Shutdown_AfterTheDrainTimeout_CancelsTheHandler_AndReportsAgentStopping()
    {
        var agent = WorkerHost.NewAgentName("cancel");
        var tasks = new TestTasks();
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo, o => o.DrainTimeout = TimeSpan.FromMilliseconds(300));
        var invoke = WorkerHost.Invoke("gate");
        await cerebro.InvokeAsync(invoke);
        await cerebro.WaitForAsync(MessageTypes.TaskStarted, invoke.TaskRunId);

        await worker.DisposeAsync();

        var failed = await cerebro.WaitForAsync(MessageTypes.TaskFailed, invoke.TaskRunId);
        Assert.StartsWith("agent stopping", failed.Text("error"), StringComparison.Ordinal);
        Assert.Equal("AgentStopping", failed.Text("errorType"));
    }

    [Fact]
    public async Task Shutdown_ReturnsAQueuedInvokeToTheQueue_AndTheNextInstanceRunsIt()
    {
        var agent = WorkerHost.NewAgentName("requeue");
        var tasks = new TestTasks();
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo, o => o.MaxConcurrency = 1);
        var running = WorkerHost.Invoke("gate");
        var waiting = WorkerHost.Invoke("echo");
        await cerebro.InvokeAsync(running);
        await cerebro.WaitForAsync(MessageTypes.TaskStarted, running.TaskRunId);
        await cerebro.InvokeAsync(waiting);
        await cerebro.WaitForAsync(MessageTypes.TaskQueued, waiting.TaskRunId);

        var stopping = worker.StopAsync();
        await cerebro.WaitForAsync(MessageTypes.ServerStopping);
        tasks.Open(running.TaskRunId);
        await stopping.WaitAsync(FakeCerebro.DefaultWait);
        await worker.DisposeAsync();

        await cerebro.WaitForAsync(MessageTypes.TaskCompleted, running.TaskRunId);
        await cerebro.WaitForReadyCountAsync(Topology.AgentQueue(agent), 1);
        Assert.Null(await cerebro.ReadyCountAsync(Topology.AgentQueue(agent) + "_error"));
        Assert.Equal(0, tasks.ExecutionsOf(waiting.TaskRunId));

        await using var next = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo);
        var completed = await cerebro.WaitForAsync(MessageTypes.TaskCompleted, waiting.TaskRunId);

        Assert.Equal(1, tasks.ExecutionsOf(waiting.TaskRunId));
        Assert.Equal(1, tasks.ExecutionsOf(running.TaskRunId));
        var started = await cerebro.WaitForAsync(MessageTypes.TaskStarted, waiting.TaskRunId);
        Assert.True(started.Sequence < completed.Sequence);
        Assert.NotEqual(worker.Status.Instance, next.Status.Instance);
    }
}
