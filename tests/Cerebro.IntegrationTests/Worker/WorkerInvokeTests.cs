using Cerebro.Contracts;
using Cerebro.IntegrationTests.Worker.Support;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Worker;

/// <summary>Invokes and what the worker reports for them, against a real RabbitMQ.</summary>
public sealed class WorkerInvokeTests(WorkerBrokerFixture broker, ITestOutputHelper output) : IClassFixture<WorkerBrokerFixture>
{
    [Fact]
    public async Task Invoke_IsStartedThenCompleted_WithTheHandlersResult()
    {
        var agent = WorkerHost.NewAgentName("echo");
        var tasks = new TestTasks();
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo);
        var invoke = WorkerHost.Invoke("echo", attempt: 2, parameters: WorkerHost.Parameters(new { value = "hello", times = 3 }));

        await cerebro.InvokeAsync(invoke);
        var completed = await cerebro.WaitForAsync(MessageTypes.TaskCompleted, invoke.TaskRunId);

        var events = cerebro.Of(invoke.TaskRunId);
        Assert.Equal([MessageTypes.TaskStarted, MessageTypes.TaskCompleted], events.Select(e => e.Type));
        foreach (var e in events)
        {
            Assert.Equal($"{agent}.{e.Type}", e.RoutingKey);
            Assert.Equal(invoke.RunId, e.Body.GetProperty("runId").GetGuid());
            Assert.Equal("echo", e.Text("task"));
            Assert.Equal(2, e.Body.GetProperty("attempt").GetInt32());
            Assert.Equal(agent, e.Text("agent"));
            Assert.True(e.Body.GetProperty("at").TryGetDateTimeOffset(out _));
        }

        Assert.NotEqual(events[0].MessageId, events[1].MessageId);
        var result = completed.Body.GetProperty("result");
        Assert.Equal("hello", result.GetProperty("echoed").GetString());
        Assert.Equal(3, result.GetProperty("times").GetInt32());
        Assert.Equal(invoke.TaskRunId, result.GetProperty("taskRunId").GetGuid());
        Assert.Equal(1, tasks.ExecutionsOf(invoke.TaskRunId));
        await cerebro.WaitForReadyCountAsync(Topology.AgentQueue(agent), 0);
    }

    [Fact]
    public async Task Invoke_CopiesTraceHeadersOntoEveryEventOfTheTaskRun()
    {
        var agent = WorkerHost.NewAgentName("trace");
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, new TestTasks().AddTo);
        var invoke = WorkerHost.Invoke("echo");
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        await cerebro.InvokeAsync(invoke, extraHeaders: new Dictionary<string, object?>
        {
            [Headers.TraceParent] = traceParent,
            [Headers.TraceState] = "congo=t61rcWkgMzE",
        });
        await cerebro.WaitForAsync(MessageTypes.TaskCompleted, invoke.TaskRunId);

        Assert.All(cerebro.Of(invoke.TaskRunId), e =>
        {
            Assert.Equal(traceParent, e.Header(Headers.TraceParent));
            Assert.Equal("congo=t61rcWkgMzE", e.Header(Headers.TraceState));
        });
    }

    [Fact]
    public async Task ThrowingHandler_ReportsTaskFailed_WithTheExceptionsDescription()
    {
        var agent = WorkerHost.NewAgentName("boom");
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        // Two slots: the two invokes are consumed concurrently, and with one slot either could take it first, so
        // "boom" would be queued in some runs. This test is about the failure reports, not about slot order.
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, new TestTasks().AddTo, o => o.MaxConcurrency = 2);
        var boom = WorkerHost.Invoke("boom");
        var refuse = WorkerHost.Invoke("refuse");

        await cerebro.InvokeAsync(boom);
        await cerebro.InvokeAsync(refuse);
        var boomFailed = await cerebro.WaitForAsync(MessageTypes.TaskFailed, boom.TaskRunId);
        var refuseFailed = await cerebro.WaitForAsync(MessageTypes.TaskFailed, refuse.TaskRunId);

        Assert.Contains("the source system is on fire", boomFailed.Text("error"), StringComparison.Ordinal);
        Assert.Contains("boom", boomFailed.Text("error"), StringComparison.Ordinal);
        Assert.Equal("InvalidOperationException", boomFailed.Text("errorType"));
        Assert.Equal("refuse: the input file for 2026-11-21 is missing; ask team-x to re-deliver it", refuseFailed.Text("error"));
        Assert.Equal("TaskFailedException", refuseFailed.Text("errorType"));
        Assert.Equal([MessageTypes.TaskStarted, MessageTypes.TaskFailed], cerebro.Of(boom.TaskRunId).Select(e => e.Type));
    }

    [Fact]
    public async Task InvokeOfAnUnregisteredTask_ReportsTaskFailed_WithoutStarting()
    {
        var agent = WorkerHost.NewAgentName("stranger");
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, new TestTasks().AddTo);
        var invoke = WorkerHost.Invoke("not-here");

        await cerebro.InvokeAsync(invoke);
        var failed = await cerebro.WaitForAsync(MessageTypes.TaskFailed, invoke.TaskRunId);

        Assert.Equal($"task 'not-here' is not registered on agent '{agent}'", failed.Text("error"));
        Assert.Equal([MessageTypes.TaskFailed], cerebro.Of(invoke.TaskRunId).Select(e => e.Type));
        await cerebro.WaitForReadyCountAsync(Topology.AgentQueue(agent), 0);
    }

    [Fact]
    public async Task SecondInvoke_WhileTheOnlySlotIsBusy_IsQueuedThenStartedWhenTheFirstCompletes()
    {
        var agent = WorkerHost.NewAgentName("slots");
        var tasks = new TestTasks();
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo, o => o.MaxConcurrency = 1);
        var first = WorkerHost.Invoke("gate");
        var second = WorkerHost.Invoke("gate");

        await cerebro.InvokeAsync(first);
        await cerebro.WaitForAsync(MessageTypes.TaskStarted, first.TaskRunId);
        await cerebro.InvokeAsync(second);
        var queued = await cerebro.WaitForAsync(MessageTypes.TaskQueued, second.TaskRunId);

        Assert.Equal(1, worker.Status.Running);
        Assert.Equal(1, worker.Status.Queued);
        Assert.Equal(0, tasks.ExecutionsOf(second.TaskRunId));
        Assert.DoesNotContain(cerebro.Of(second.TaskRunId), e => e.Type == MessageTypes.TaskStarted);

        tasks.Open(first.TaskRunId);
        var firstCompleted = await cerebro.WaitForAsync(MessageTypes.TaskCompleted, first.TaskRunId);
        var secondStarted = await cerebro.WaitForAsync(MessageTypes.TaskStarted, second.TaskRunId);
        tasks.Open(second.TaskRunId);
        await cerebro.WaitForAsync(MessageTypes.TaskCompleted, second.TaskRunId);

        Assert.True(queued.Sequence < firstCompleted.Sequence);
        Assert.True(firstCompleted.Sequence < secondStarted.Sequence, "the second task started before the first completed");
        Assert.Equal([MessageTypes.TaskQueued, MessageTypes.TaskStarted, MessageTypes.TaskCompleted], cerebro.Of(second.TaskRunId).Select(e => e.Type));
        Assert.Equal(1, tasks.ExecutionsOf(second.TaskRunId));
    }

    [Fact]
    public async Task DuplicateInvoke_OfTheSameTaskRunAndAttempt_RunsTheHandlerOnce()
    {
        var agent = WorkerHost.NewAgentName("dupe");
        var tasks = new TestTasks();
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo, o => o.MaxConcurrency = 4);
        var invoke = WorkerHost.Invoke("gate");
        var messageId = Guid.NewGuid();

        await cerebro.InvokeAsync(invoke, messageId);
        await cerebro.WaitForAsync(MessageTypes.TaskStarted, invoke.TaskRunId);
        await cerebro.InvokeAsync(invoke, messageId);
        await worker.Logs.WaitForAsync($"ignores a copy of the invoke of gate ({invoke.TaskRunId}, attempt 1)", FakeCerebro.DefaultWait);
        tasks.Open(invoke.TaskRunId);
        await cerebro.WaitForAsync(MessageTypes.TaskCompleted, invoke.TaskRunId);
        await cerebro.InvokeAsync(invoke, messageId);
        await cerebro.WaitForReadyCountAsync(Topology.AgentQueue(agent), 0);
        await worker.Logs.WaitForAsync("ignores a copy", FakeCerebro.DefaultWait);

        // A new attempt of the same task run is not a duplicate.
        var retry = new InvokeTask
        {
            TaskRunId = invoke.TaskRunId,
            RunId = invoke.RunId,
            Task = invoke.Task,
            Attempt = 2,
            InvokedAt = DateTimeOffset.UtcNow,
            AckTimeoutSeconds = 10,
        };
        await cerebro.InvokeAsync(retry);
        await cerebro.WaitForAsync(e => e.Is(MessageTypes.TaskStarted, invoke.TaskRunId) && e.Body.GetProperty("attempt").GetInt32() == 2, "task.started of attempt 2");
        tasks.Open(invoke.TaskRunId);
        await cerebro.WaitForAsync(e => e.Is(MessageTypes.TaskCompleted, invoke.TaskRunId) && e.Body.GetProperty("attempt").GetInt32() == 2, "task.completed of attempt 2");

        Assert.Equal(2, worker.Logs.Lines.Count(l => l.Contains("ignores a copy", StringComparison.Ordinal)));
        Assert.Equal(2, tasks.ExecutionsOf(invoke.TaskRunId));
        var attemptOne = cerebro.Of(invoke.TaskRunId).Where(e => e.Body.GetProperty("attempt").GetInt32() == 1);
        Assert.Equal([MessageTypes.TaskStarted, MessageTypes.TaskCompleted], attemptOne.Select(e => e.Type));
    }

    [Fact]
    public async Task InvokeWithAnInvalidBody_IsMovedToTheErrorQueue()
    {
        var agent = WorkerHost.NewAgentName("garbled");
        var tasks = new TestTasks();
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo);

        await cerebro.SendAsync(MessageTypes.InvokeTask, new { task = "echo", attempt = 1 });

        await cerebro.WaitForReadyCountAsync(Topology.AgentQueue(agent) + "_error", 1);
        Assert.Equal(0, tasks.TotalExecutions);
        Assert.DoesNotContain(cerebro.Events, e => e.Type is MessageTypes.TaskStarted or MessageTypes.TaskFailed);
    }
}
