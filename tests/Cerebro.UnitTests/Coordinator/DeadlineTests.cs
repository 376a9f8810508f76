using Cerebro.Contracts;
using Cerebro.Server.Hosting;
using Cerebro.Server.Messages;
using Cerebro.Server.TaskRuns;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Timeouts on the manual clock: advance it, run one sweep, and see what the deadline did.</summary>
public sealed class DeadlineTests(ITestOutputHelper output) : IAsyncLifetime
{
    private Coordinator _cerebro = null!;
    private FakeAgent _agent = null!;

    public async Task InitializeAsync()
    {
        _cerebro = await Coordinator.StartAsync(output);
        _agent = await _cerebro.AgentAsync("agent-a");
    }

    public async Task DisposeAsync() => await _cerebro.DisposeAsync();

    [Fact]
    public async Task NoAckWithinTheAckTimeout_ErrorsWithTheAckReason()
    {
        await _agent.DeclareAsync(Task("silent"), Task("after", "silent"));
        var runId = await _cerebro.StartRunAsync("after");
        var invoke = await _agent.WaitForInvokeAsync("silent", runId);
        await _cerebro.WaitForTaskRunAsync(runId, "silent", "invoked");

        _cerebro.Clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(0, await _cerebro.SweepDeadlinesAsync());
        _cerebro.Clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(1, await _cerebro.SweepDeadlinesAsync());

        var errored = await _cerebro.WaitForTaskRunAsync(runId, "silent", "error");
        Assert.Equal("no task.queued or task.started from agent 'agent-a' within 10 s of the invoke", errored.Error!.Message);
        Assert.Equal("cerebro", errored.Error.Source);
        Assert.Equal(_cerebro.Clock.GetUtcNow().UtcDateTime, errored.FinishedAt);
        Assert.Null(errored.DeadlineKind);
        await _cerebro.WaitForTaskRunAsync(runId, "after", "blocked");
        await _cerebro.WaitForRunStatusAsync(runId, "failed");

        // The agent's late answer changes nothing.
        await _agent.StartedAsync(invoke);
        await _cerebro.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskStarted);
        Assert.Equal("error", Coordinator.TaskRun(await _cerebro.GetRunAsync(runId), "silent").State);
    }

    [Fact]
    public async Task QueuedButNotStartedWithinTheStartTimeout_ErrorsWithTheStartReason()
    {
        await _agent.DeclareAsync(Task("waiting"));
        var runId = await _cerebro.StartRunAsync("waiting");
        var invoke = await _agent.WaitForInvokeAsync("waiting", runId);
        _cerebro.Clock.Advance(TimeSpan.FromSeconds(5));
        await _agent.QueuedAsync(invoke);
        await _cerebro.WaitForTaskRunAsync(runId, "waiting", "queued");

        _cerebro.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, await _cerebro.SweepDeadlinesAsync());
        _cerebro.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _cerebro.SweepDeadlinesAsync());

        var errored = await _cerebro.WaitForTaskRunAsync(runId, "waiting", "error");
        Assert.Equal("no task.started from agent 'agent-a' within 10 min of task.queued", errored.Error!.Message);
        await _cerebro.WaitForRunStatusAsync(runId, "failed");
    }

    [Fact]
    public async Task StartedButNotFinishedWithinTheCompleteTimeout_ErrorsWithTheCompleteReason()
    {
        await _agent.DeclareAsync(Task("endless"));
        var runId = await _cerebro.StartRunAsync("endless");
        var invoke = await _agent.WaitForInvokeAsync("endless", runId);
        await _agent.StartedAsync(invoke);
        await _cerebro.WaitForTaskRunAsync(runId, "endless", "started");

        _cerebro.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await _cerebro.SweepDeadlinesAsync());
        _cerebro.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _cerebro.SweepDeadlinesAsync());

        var errored = await _cerebro.WaitForTaskRunAsync(runId, "endless", "error");
        Assert.Equal("no task.completed or task.failed from agent 'agent-a' within 30 min of task.started", errored.Error!.Message);
        await _cerebro.WaitForRunStatusAsync(runId, "failed");
    }

    [Fact]
    public async Task TimeoutsDeclaredForATask_WinOverTheDefaults()
    {
        await _agent.DeclareAsync(
            Task("quick-ack", new TaskTimeouts { AckSeconds = 2 }),
            Task("quick-start", new TaskTimeouts { StartSeconds = 30 }),
            Task("quick-complete", new TaskTimeouts { CompleteSeconds = 90 }),
            Task("all", "quick-ack", "quick-start", "quick-complete"));
        var tasks = await _cerebro.GetTasksAsync();
        Assert.Equal(new Server.Api.TimeoutsView(2, 600, 1800), tasks.Single(t => t.Name == "quick-ack").Timeouts);
        var runId = await _cerebro.StartRunAsync("all");
        var ack = await _agent.WaitForInvokeAsync("quick-ack", runId);
        var start = await _agent.WaitForInvokeAsync("quick-start", runId);
        var complete = await _agent.WaitForInvokeAsync("quick-complete", runId);
        Assert.Equal((2.0, 10.0, 10.0), (ack.AckTimeoutSeconds, start.AckTimeoutSeconds, complete.AckTimeoutSeconds));
        await _agent.QueuedAsync(start);
        await _agent.StartedAsync(complete);
        await _cerebro.WaitForTaskRunAsync(runId, "quick-start", "queued");
        await _cerebro.WaitForTaskRunAsync(runId, "quick-complete", "started");

        _cerebro.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, await _cerebro.SweepDeadlinesAsync());
        var ackError = await _cerebro.WaitForTaskRunAsync(runId, "quick-ack", "error");
        Assert.Equal("no task.queued or task.started from agent 'agent-a' within 2 s of the invoke", ackError.Error!.Message);

        _cerebro.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await _cerebro.SweepDeadlinesAsync());
        var startError = await _cerebro.WaitForTaskRunAsync(runId, "quick-start", "error");
        Assert.Equal("no task.started from agent 'agent-a' within 30 s of task.queued", startError.Error!.Message);

        _cerebro.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, await _cerebro.SweepDeadlinesAsync());
        var completeError = await _cerebro.WaitForTaskRunAsync(runId, "quick-complete", "error");
        Assert.Equal("no task.completed or task.failed from agent 'agent-a' within 90 s of task.started", completeError.Error!.Message);
        await _cerebro.WaitForRunStatusAsync(runId, "failed");
    }

    [Fact]
    public async Task DeadlinePassedWhileTheTaskStarted_ChangesNothing()
    {
        await _agent.DeclareAsync(Task("late-but-fine"));
        var runId = await _cerebro.StartRunAsync("late-but-fine");
        var invoke = await _agent.WaitForInvokeAsync("late-but-fine", runId);
        var invoked = await _cerebro.WaitForTaskRunAsync(runId, "late-but-fine", "invoked");
        var ackDueMs = new DateTimeOffset(invoked.DeadlineAt!.Value, TimeSpan.Zero).ToUnixTimeMilliseconds();

        // The ack deadline passes, but the agent's task.started is applied before any sweep sees it.
        _cerebro.Clock.Advance(TimeSpan.FromSeconds(11));
        await _agent.StartedAsync(invoke);
        var started = await _cerebro.WaitForTaskRunAsync(runId, "late-but-fine", "started");
        Assert.Equal(0, await _cerebro.SweepDeadlinesAsync());

        // A sweep that had claimed the ack deadline just before the start delivers it now: the saga must drop it.
        var endpoint = await _cerebro.Services.GetRequiredService<IBus>().GetSendEndpoint(Endpoints.TaskRuns);
        await endpoint.Send(new TaskRunDeadlineExpired(invoke.TaskRunId, DeadlineKinds.Ack, ackDueMs));
        await Eventually.UntilAsync(() => System.Threading.Tasks.Task.FromResult(_cerebro.Logs.Lines),
            lines => lines.Any(l => l.Contains($"Stale ack deadline for task run {invoke.TaskRunId} ignored", StringComparison.Ordinal)),
            "the stale deadline handled");

        var after = Coordinator.TaskRun(await _cerebro.GetRunAsync(runId), "late-but-fine");
        Assert.Equal(("started", null), (after.State, after.Error));
        Assert.Equal((started.DeadlineKind, started.DeadlineAt), (after.DeadlineKind, after.DeadlineAt));
        Assert.Equal("complete", after.DeadlineKind);

        await _agent.CompletedAsync(invoke);
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
    }
}
