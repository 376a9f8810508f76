using Cerebro.Contracts;
using Cerebro.Server.Hosting;
using Cerebro.Server.Messages;
using Cerebro.Server.TaskRuns;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Timeouts on the manual clock: advance it, run one sweep, and see what the deadline did.</summary>
public sealed class DeadlineTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    [Fact]
    public async Task NoAckWithinTheAckTimeout_ErrorsWithTheAckReason()
    {
        await AgentA.DeclareAsync(Task("silent"), Task("after", "silent"));
        var runId = await Server.StartRunAsync("after");
        var invoke = await AgentA.WaitForInvokeAsync("silent", runId);
        await Server.WaitForTaskRunAsync(runId, "silent", "invoked");

        Server.Clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(0, await Server.SweepDeadlinesAsync());
        Server.Clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(1, await Server.SweepDeadlinesAsync());

        var errored = await Server.WaitForTaskRunAsync(runId, "silent", "error");
        Assert.Equal("no task.queued or task.started from agent 'agent-a' within 10 s of the invoke", errored.Error!.Message);
        Assert.Equal("cerebro", errored.Error.Source);
        Assert.Equal(Server.Clock.GetUtcNow().UtcDateTime, errored.FinishedAt);
        Assert.Null(errored.DeadlineKind);
        await Server.WaitForTaskRunAsync(runId, "after", "blocked");
        await Server.WaitForRunStatusAsync(runId, "failed");

        // The agent's late answer changes nothing.
        await AgentA.StartedAsync(invoke);
        await Server.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskStarted);
        Assert.Equal("error", Coordinator.TaskRun(await Server.GetRunAsync(runId), "silent").State);
    }

    [Fact]
    public async Task QueuedButNotStartedWithinTheStartTimeout_ErrorsWithTheStartReason()
    {
        await AgentA.DeclareAsync(Task("waiting"));
        var runId = await Server.StartRunAsync("waiting");
        var invoke = await AgentA.WaitForInvokeAsync("waiting", runId);
        Server.Clock.Advance(TimeSpan.FromSeconds(5));
        await AgentA.QueuedAsync(invoke);
        await Server.WaitForTaskRunAsync(runId, "waiting", "queued");

        Server.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, await Server.SweepDeadlinesAsync());
        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Server.SweepDeadlinesAsync());

        var errored = await Server.WaitForTaskRunAsync(runId, "waiting", "error");
        Assert.Equal("no task.started from agent 'agent-a' within 10 min of task.queued", errored.Error!.Message);
        await Server.WaitForRunStatusAsync(runId, "failed");
    }

    [Fact]
    public async Task StartedButNotFinishedWithinTheCompleteTimeout_ErrorsWithTheCompleteReason()
    {
        await AgentA.DeclareAsync(Task("endless"));
        var runId = await Server.StartRunAsync("endless");
        var invoke = await AgentA.WaitForInvokeAsync("endless", runId);
        await AgentA.StartedAsync(invoke);
        await Server.WaitForTaskRunAsync(runId, "endless", "started");

        Server.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await Server.SweepDeadlinesAsync());
        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Server.SweepDeadlinesAsync());

        var errored = await Server.WaitForTaskRunAsync(runId, "endless", "error");
        Assert.Equal("no task.completed or task.failed from agent 'agent-a' within 30 min of task.started", errored.Error!.Message);
        await Server.WaitForRunStatusAsync(runId, "failed");
    }

    [Fact]
    public async Task TimeoutsDeclaredForATask_WinOverTheDefaults()
    {
        await AgentA.DeclareAsync(
            Task("quick-ack", new TaskTimeouts { AckSeconds = 2 }),
            Task("quick-start", new TaskTimeouts { StartSeconds = 30 }),
            Task("quick-complete", new TaskTimeouts { CompleteSeconds = 90 }),
            Task("all", "quick-ack", "quick-start", "quick-complete"));
        var tasks = await Server.GetTasksAsync();
        Assert.Equal(new Cerebro.Server.Api.TimeoutsView(2, 600, 1800), tasks.Single(t => t.Name == "quick-ack").Timeouts);
        var runId = await Server.StartRunAsync("all");
        var ack = await AgentA.WaitForInvokeAsync("quick-ack", runId);
        var start = await AgentA.WaitForInvokeAsync("quick-start", runId);
        var complete = await AgentA.WaitForInvokeAsync("quick-complete", runId);
        Assert.Equal((2.0, 10.0, 10.0), (ack.AckTimeoutSeconds, start.AckTimeoutSeconds, complete.AckTimeoutSeconds));
        await AgentA.QueuedAsync(start);
        await AgentA.StartedAsync(complete);
        await Server.WaitForTaskRunAsync(runId, "quick-start", "queued");
        await Server.WaitForTaskRunAsync(runId, "quick-complete", "started");

        Server.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, await Server.SweepDeadlinesAsync());
        var ackError = await Server.WaitForTaskRunAsync(runId, "quick-ack", "error");
        Assert.Equal("no task.queued or task.started from agent 'agent-a' within 2 s of the invoke", ackError.Error!.Message);

        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await Server.SweepDeadlinesAsync());
        var startError = await Server.WaitForTaskRunAsync(runId, "quick-start", "error");
        Assert.Equal("no task.started from agent 'agent-a' within 30 s of task.queued", startError.Error!.Message);

        Server.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, await Server.SweepDeadlinesAsync());
        var completeError = await Server.WaitForTaskRunAsync(runId, "quick-complete", "error");
        Assert.Equal("no task.completed or task.failed from agent 'agent-a' within 90 s of task.started", completeError.Error!.Message);
        await Server.WaitForRunStatusAsync(runId, "failed");
    }

    [Fact]
    public async Task DeadlinePassedWhileTheTaskStarted_ChangesNothing()
    {
        await AgentA.DeclareAsync(Task("late-but-fine"));
        var runId = await Server.StartRunAsync("late-but-fine");
        var invoke = await AgentA.WaitForInvokeAsync("late-but-fine", runId);
        var invoked = await Server.WaitForTaskRunAsync(runId, "late-but-fine", "invoked");
        var ackDueMs = new DateTimeOffset(invoked.DeadlineAt!.Value, TimeSpan.Zero).ToUnixTimeMilliseconds();

        // The ack deadline passes, but the agent's task.started is applied before any sweep sees it.
        Server.Clock.Advance(TimeSpan.FromSeconds(11));
        await AgentA.StartedAsync(invoke);
        var started = await Server.WaitForTaskRunAsync(runId, "late-but-fine", "started");
        Assert.Equal(0, await Server.SweepDeadlinesAsync());

        // A sweep that had claimed the ack deadline just before the start delivers it now: the saga must drop it.
        var endpoint = await Server.Services.GetRequiredService<IBus>().GetSendEndpoint(Endpoints.TaskRuns);
        await endpoint.Send(new TaskRunDeadlineExpired(invoke.TaskRunId, DeadlineKinds.Ack, ackDueMs));
        await Eventually.UntilAsync(() => System.Threading.Tasks.Task.FromResult(Server.Logs.Lines),
            lines => lines.Any(l => l.Contains($"Stale ack deadline for task run {invoke.TaskRunId} ignored", StringComparison.Ordinal)),
            "the stale deadline handled");

        var after = Coordinator.TaskRun(await Server.GetRunAsync(runId), "late-but-fine");
        Assert.Equal(("started", null), (after.State, after.Error));
        Assert.Equal((started.DeadlineKind, started.DeadlineAt), (after.DeadlineKind, after.DeadlineAt));
        Assert.Equal("complete", after.DeadlineKind);

        await AgentA.CompletedAsync(invoke);
        await Server.WaitForRunStatusAsync(runId, "succeeded");
    }

    /// <summary>
    /// A sweep that claimed the ack deadline while the saga stored task.started left its claim on the row (the saga's
    /// save does not write a column it did not change). The claim predates the new deadline's due time, so it is not a
    /// claim of that deadline and must not hold it back for a lease.
    /// </summary>
    [Fact]
    public async Task ClaimLeftFromTheDeadlineBefore_DoesNotHoldBackTheNextDeadline()
    {
        await AgentA.DeclareAsync(Task("claimed-before"));
        var runId = await Server.StartRunAsync("claimed-before");
        var invoke = await AgentA.WaitForInvokeAsync("claimed-before", runId);
        await AgentA.StartedAsync(invoke);
        var started = await Server.WaitForTaskRunAsync(runId, "claimed-before", "started");
        var completeDueMs = new DateTimeOffset(started.DeadlineAt!.Value, TimeSpan.Zero).ToUnixTimeMilliseconds();
        await Server.QueryAsync(db => db.TaskRuns.Where(t => t.CorrelationId == invoke.TaskRunId)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.DeadlineClaimedMs, completeDueMs - 1)));

        Server.Clock.Advance(started.DeadlineAt.Value - Server.Clock.GetUtcNow().UtcDateTime + TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await Server.SweepDeadlinesAsync());

        var errored = await Server.WaitForTaskRunAsync(runId, "claimed-before", "error");
        Assert.StartsWith("no task.completed or task.failed", errored.Error!.Message, StringComparison.Ordinal);
    }
}
