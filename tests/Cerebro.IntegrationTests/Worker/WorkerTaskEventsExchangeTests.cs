using Cerebro.Contracts;
using Cerebro.IntegrationTests.Worker.Support;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Worker;

/// <summary>Protocol section 5.9 from the SDK's side: task events go where the verdict says, and never get lost on the way.</summary>
public sealed class WorkerTaskEventsExchangeTests(WorkerBrokerFixture broker, ITestOutputHelper output) : IClassFixture<WorkerBrokerFixture>
{
    [Fact]
    public async Task VerdictNamesAnExchange_TaskEventsGoThere_ServerMessagesStayOnTheEventsExchange()
    {
        var agent = WorkerHost.NewAgentName("direct");
        var exchange = $"test.task-events.{Guid.NewGuid():N}";
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await cerebro.ListenOnAsync(exchange);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, new TestTasks().AddTo);
        await AcceptAsync(cerebro, worker, agent, exchange);

        var invoke = WorkerHost.Invoke("echo", parameters: WorkerHost.Parameters(new { value = "hi", times = 1 }));
        await cerebro.InvokeAsync(invoke);
        await cerebro.WaitForAsync(MessageTypes.TaskCompleted, invoke.TaskRunId);

        var events = cerebro.Of(invoke.TaskRunId);
        Assert.Equal([MessageTypes.TaskStarted, MessageTypes.TaskCompleted], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal((exchange, $"{agent}.{e.Type}"), (e.Exchange, e.RoutingKey)));
        var heartbeat = await cerebro.WaitForAsync(e => e.Type == MessageTypes.ServerHeartbeat && e.Sequence > events[^1].Sequence,
            "a heartbeat after the task events");
        Assert.Equal(Topology.EventsExchange, heartbeat.Exchange);
    }

    [Fact]
    public async Task NamedExchangeHasNoQueue_TheEventIsReturned_AndSentToTheEventsExchangeInstead()
    {
        var agent = WorkerHost.NewAgentName("unbound");
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, new TestTasks().AddTo);
        // Nobody binds this exchange (a Cerebro that stopped offering it): a mandatory publish comes back unroutable.
        await AcceptAsync(cerebro, worker, agent, $"test.unbound.{Guid.NewGuid():N}");

        var first = WorkerHost.Invoke("echo", parameters: WorkerHost.Parameters(new { value = "one", times = 1 }));
        await cerebro.InvokeAsync(first);
        await cerebro.WaitForAsync(MessageTypes.TaskCompleted, first.TaskRunId);
        var second = WorkerHost.Invoke("echo", parameters: WorkerHost.Parameters(new { value = "two", times = 1 }));
        await cerebro.InvokeAsync(second);
        await cerebro.WaitForAsync(MessageTypes.TaskCompleted, second.TaskRunId);

        var events = cerebro.Of(first.TaskRunId).Concat(cerebro.Of(second.TaskRunId)).ToList();
        Assert.Equal([MessageTypes.TaskStarted, MessageTypes.TaskCompleted, MessageTypes.TaskStarted, MessageTypes.TaskCompleted],
            events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(Topology.EventsExchange, e.Exchange));
    }

    private static async Task AcceptAsync(FakeCerebro cerebro, WorkerHost worker, string agent, string exchange)
    {
        await cerebro.WaitForAsync(MessageTypes.ServerReady);
        await cerebro.SendAsync(MessageTypes.DeclarationAccepted, new DeclarationAccepted
        {
            Agent = agent,
            Instance = worker.Status.Instance,
            Accepted = ["echo"],
            TaskEventsExchange = exchange,
            At = DateTimeOffset.UtcNow,
        });
        await worker.Status.FirstVerdict.WaitAsync(FakeCerebro.DefaultWait);
    }
}
