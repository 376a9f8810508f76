using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.IntegrationTests.Worker.Support;
using Cerebro.Worker;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Worker;

/// <summary>The worker's start: server.ready, heartbeats and Cerebro's verdict, against a real RabbitMQ.</summary>
public sealed class WorkerDeclarationTests(WorkerBrokerFixture broker, ITestOutputHelper output) : IClassFixture<WorkerBrokerFixture>
{
    [Fact]
    public async Task ServerReady_DeclaresEveryTask_WithProtocolPropertiesAndHeaders()
    {
        var agent = WorkerHost.NewAgentName("ready");
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, builder => builder
            .AddTask("load-facts", t => t
                    .Owner("team-facts")
                    .Description("Loads the facts.")
                    .DependsOn("extract-a")
                    .DependsOnFresh("extract-b", TimeSpan.FromHours(1))
                    .Cron("*/5 * * * *")
                    .Timeouts(ack: TimeSpan.FromSeconds(5), start: TimeSpan.FromMinutes(2), complete: TimeSpan.FromMinutes(20)),
                (_, _) => Task.FromResult<object?>(null))
            .AddTask("plain", t => t.Owner("team-facts"), (_, _) => Task.CompletedTask),
            o =>
            {
                o.MaxConcurrency = 3;
                o.Version = "9.9.9";
                o.Timeouts["plain"] = new TaskTimeoutOptions { CompleteSeconds = 7 };
            });

        var ready = await cerebro.WaitForAsync(MessageTypes.ServerReady);

        Assert.Equal($"{agent}.server.ready", ready.RoutingKey);
        Assert.Equal("application/json", ready.ContentType);
        Assert.True(Guid.TryParse(ready.MessageId, out _), $"message_id '{ready.MessageId}' is not a GUID");
        Assert.Equal(2, ready.DeliveryMode);
        Assert.Equal(agent, ready.Header(Headers.Sender));
        Assert.Equal(1, Assert.IsType<int>(ready.Headers[Headers.ProtocolVersion]));

        var body = ready.Body;
        Assert.Equal(agent, body.GetProperty("agent").GetString());
        Assert.Equal(worker.Status.Instance, body.GetProperty("instance").GetGuid());
        Assert.Equal("9.9.9", body.GetProperty("version").GetString());
        Assert.Equal(3, body.GetProperty("maxConcurrency").GetInt32());
        Assert.True(body.GetProperty("sentAt").TryGetDateTimeOffset(out _));
        var tasks = body.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(["load-facts", "plain"], tasks.Keys.Order());

        var facts = tasks["load-facts"];
        Assert.Equal("team-facts", facts.GetProperty("owner").GetString());
        Assert.Equal("Loads the facts.", facts.GetProperty("description").GetString());
        Assert.Equal("*/5 * * * *", facts.GetProperty("cron").GetString());
        var upstreams = facts.GetProperty("upstreams").EnumerateArray().ToList();
        Assert.Equal("extract-a", upstreams[0].GetProperty("task").GetString());
        Assert.Equal(JsonValueKind.Null, upstreams[0].GetProperty("freshWithinSeconds").ValueKind);
        Assert.Equal("extract-b", upstreams[1].GetProperty("task").GetString());
        Assert.Equal(3600, upstreams[1].GetProperty("freshWithinSeconds").GetDouble());
        Assert.Equal(5, facts.GetProperty("timeouts").GetProperty("ackSeconds").GetDouble());
        Assert.Equal(120, facts.GetProperty("timeouts").GetProperty("startSeconds").GetDouble());
        Assert.Equal(1200, facts.GetProperty("timeouts").GetProperty("completeSeconds").GetDouble());

        Assert.Equal(7, tasks["plain"].GetProperty("timeouts").GetProperty("completeSeconds").GetDouble());
        Assert.Empty(tasks["plain"].GetProperty("upstreams").EnumerateArray());
    }

    [Fact]
    public async Task Heartbeats_ArriveEveryInterval_WithRunningAndQueuedCounts()
    {
        var agent = WorkerHost.NewAgentName("beat");
        var tasks = new TestTasks();
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo,
            o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(200));

        var first = await cerebro.WaitForAsync(MessageTypes.ServerHeartbeat);
        Assert.Equal($"{agent}.server.heartbeat", first.RoutingKey);
        Assert.Equal(worker.Status.Instance, first.Body.GetProperty("instance").GetGuid());
        Assert.Equal(0, first.Body.GetProperty("running").GetInt32());

        var invoke = WorkerHost.Invoke("gate");
        await cerebro.InvokeAsync(invoke);
        await cerebro.WaitForAsync(MessageTypes.TaskStarted, invoke.TaskRunId);
        var busy = await cerebro.WaitForAsync(
            e => e.Type == MessageTypes.ServerHeartbeat && e.Body.GetProperty("running").GetInt32() == 1, "a heartbeat with one running task");
        Assert.Equal(0, busy.Body.GetProperty("queued").GetInt32());
        Assert.True(busy.Sequence > first.Sequence);

        tasks.Open(invoke.TaskRunId);
        await cerebro.WaitForAsync(MessageTypes.TaskCompleted, invoke.TaskRunId);
    }

    [Fact]
    public async Task DeclarationRejected_IsSurfacedThroughStatus_AndVerdictsForOtherInstancesAreIgnored()
    {
        var agent = WorkerHost.NewAgentName("verdict");
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, new TestTasks().AddTo);
        await cerebro.WaitForAsync(MessageTypes.ServerReady);
        Assert.Null(worker.Status.LastVerdict);

        await cerebro.SendAsync(MessageTypes.DeclarationAccepted, new DeclarationAccepted
        {
            Agent = agent,
            Instance = Guid.NewGuid(),
            Accepted = ["echo"],
            At = DateTimeOffset.UtcNow,
        });
        await cerebro.SendAsync(MessageTypes.DeclarationRejected, new DeclarationRejected
        {
            Agent = agent,
            Instance = worker.Status.Instance,
            Reason = "1 of 4 declared tasks refused",
            Refused = [new TaskProblem { Task = "boom", Reason = "already declared by agent other-agent" }],
            Accepted = ["echo", "refuse", "gate"],
            Unresolved = [new TaskProblem { Task = "gate", Reason = "upstream 'x' is declared by nobody" }],
            At = DateTimeOffset.UtcNow,
        });

        var verdict = await worker.Status.FirstVerdict.WaitAsync(FakeCerebro.DefaultWait);

        Assert.True(verdict.IsRejected);
        Assert.Equal(worker.Status.Instance, verdict.Instance);
        Assert.Equal("1 of 4 declared tasks refused", verdict.Reason);
        var refused = Assert.Single(verdict.Refused);
        Assert.Equal("boom", refused.Task);
        Assert.Equal("already declared by agent other-agent", refused.Reason);
        Assert.Equal(["echo", "refuse", "gate"], verdict.Accepted);
        Assert.Equal("gate", Assert.Single(verdict.Unresolved).Task);
        Assert.Same(verdict, worker.Status.LastVerdict);
        await worker.Logs.WaitForAsync("Task boom refused by Cerebro", FakeCerebro.DefaultWait);
    }

    [Fact]
    public async Task UnansweredServerReady_IsSentAgain_WithTheSameInstance()
    {
        var agent = WorkerHost.NewAgentName("again");
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, new TestTasks().AddTo, o =>
        {
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
            o.DeclarationRetryInterval = TimeSpan.FromMilliseconds(300);
        });

        var first = await cerebro.WaitForAsync(MessageTypes.ServerReady);
        var second = await cerebro.WaitForAsync(e => e.Type == MessageTypes.ServerReady && e.Sequence > first.Sequence, "a second server.ready");

        Assert.Equal(worker.Status.Instance, second.Body.GetProperty("instance").GetGuid());
        Assert.NotEqual(first.MessageId, second.MessageId);
    }

    [Fact]
    public async Task LostConnection_IsReestablished_AndTheTasksAreDeclaredAgainWithTheSameInstance()
    {
        var agent = WorkerHost.NewAgentName("reconnect");
        var tasks = new TestTasks();
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, tasks.AddTo);
        var first = await cerebro.WaitForAsync(MessageTypes.ServerReady);

        // The management API lists a new connection a moment after it opens: poll until the worker's is closed.
        var deadline = DateTime.UtcNow + FakeCerebro.DefaultWait;
        while (await broker.CloseConnectionsExceptAsync("fake-cerebro-") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker's connection never showed up in the management API");
            await Task.Delay(200);
        }

        var again = await cerebro.WaitForAsync(e => e.Type == MessageTypes.ServerReady && e.Sequence > first.Sequence,
            "server.ready after the reconnection", TimeSpan.FromSeconds(60));
        Assert.Equal(worker.Status.Instance, again.Body.GetProperty("instance").GetGuid());

        var invoke = WorkerHost.Invoke("echo");
        await cerebro.InvokeAsync(invoke);
        await cerebro.WaitForAsync(MessageTypes.TaskCompleted, invoke.TaskRunId);
    }

    [Fact]
    public async Task UnknownMessageType_IsMovedToTheErrorQueue()
    {
        var agent = WorkerHost.NewAgentName("unknown");
        await using var cerebro = await FakeCerebro.StartAsync(broker.AmqpUri, agent);
        await using var worker = await WorkerHost.StartAsync(broker.AmqpUri, agent, output, new TestTasks().AddTo);

        await cerebro.SendAsync("task.teleport", new { task = "echo" });

        await cerebro.WaitForReadyCountAsync(Topology.AgentQueue(agent) + "_error", 1);
        await worker.Logs.WaitForAsync("unknown cerebro-type 'task.teleport'", FakeCerebro.DefaultWait);
        Assert.Equal(0u, await cerebro.ReadyCountAsync(Topology.AgentQueue(agent)));
    }
}
