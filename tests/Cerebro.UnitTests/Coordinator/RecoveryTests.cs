using Cerebro.Server.Recovery;
using Cerebro.Server.TaskRuns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// Stall recovery: the internal messages a crash may lose between a commit and a send are simulated as lost by
/// writing the committed state straight into the database, then one recovery pass must move things on.
/// </summary>
public sealed class RecoveryTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    [Fact]
    public async Task PendingTaskRunWhoseUpstreamsCompleted_ButWhoseReadyWasLost_IsInvoked()
    {
        await AgentA.DeclareAsync(Task("up"), Task("down", "up"));
        var runId = await Server.StartRunAsync("down");
        var up = await AgentA.WaitForInvokeAsync("up", runId);
        await Server.WaitForTaskRunAsync(runId, "up", "invoked");
        await EndBehindTheSagasBackAsync(up.TaskRunId, TaskRunStates.Completed);
        Assert.Equal("pending", Coordinator.TaskRun(await Server.GetRunAsync(runId), "down").State);

        Server.Clock.Advance(TimeSpan.FromSeconds(4));
        await Server.RecoverAsync();

        var down = await AgentA.WaitForInvokeAsync("down", runId);
        await Server.WaitForTaskRunAsync(runId, "down", "invoked");
        await AgentA.CompletedAsync(down);
        await Server.WaitForTaskRunAsync(runId, "down", "completed");

        // up's own "finished" never reached the run either: the next pass concludes it.
        await Server.RecoverAsync();
        await Server.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Single(AgentA.Invokes(runId, "down"));
    }

    [Fact]
    public async Task PendingTaskRunWhoseUpstreamErred_ButWhoseNewsWasLost_IsBlocked()
    {
        await AgentA.DeclareAsync(Task("up"), Task("down", "up"));
        var runId = await Server.StartRunAsync("down");
        var up = await AgentA.WaitForInvokeAsync("up", runId);
        await Server.WaitForTaskRunAsync(runId, "up", "invoked");
        await EndBehindTheSagasBackAsync(up.TaskRunId, TaskRunStates.Error);

        Server.Clock.Advance(TimeSpan.FromSeconds(4));
        await Server.RecoverAsync();

        var blocked = await Server.WaitForTaskRunAsync(runId, "down", "blocked");
        Assert.Equal("blocked: upstream 'up' ended error", blocked.Error!.Message);
        await Server.RecoverAsync();
        await Server.WaitForRunStatusAsync(runId, "failed");
        Assert.Empty(AgentA.Invokes(runId, "down"));
    }

    [Theory]
    [InlineData(TaskRunStates.Completed, "succeeded")]
    [InlineData(TaskRunStates.Error, "failed")]
    public async Task RunningRunWhoseTaskRunsAllEnded_IsConcluded(string ended, string status)
    {
        await AgentA.DeclareAsync(Task("solo"));
        var runId = await Server.StartRunAsync("solo");
        var solo = await AgentA.WaitForInvokeAsync("solo", runId);
        await Server.WaitForTaskRunAsync(runId, "solo", "invoked");
        await EndBehindTheSagasBackAsync(solo.TaskRunId, ended);
        Assert.Equal("running", (await Server.GetRunAsync(runId)).Status);

        Server.Clock.Advance(TimeSpan.FromSeconds(4));
        await Server.RecoverAsync();

        var run = await Server.WaitForRunStatusAsync(runId, status);
        Assert.Equal(Server.Clock.GetUtcNow().UtcDateTime, run.FinishedAt);
    }

    [Fact]
    public async Task RecoveryBeforeTheGrace_LeavesAFreshRunAlone_AfterTheGraceConcludesIt()
    {
        await AgentA.DeclareAsync(Task("solo"));
        var runId = await Server.StartRunAsync("solo");
        var solo = await AgentA.WaitForInvokeAsync("solo", runId);
        await Server.WaitForTaskRunAsync(runId, "solo", "invoked");
        await EndBehindTheSagasBackAsync(solo.TaskRunId, TaskRunStates.Completed);

        var nudge = $"Recovery: every task run of run {runId} has ended";

        Server.Clock.Advance(TimeSpan.FromSeconds(2));
        await Server.RecoverAsync();
        Assert.DoesNotContain(Server.Logs.Lines, l => l.Contains(nudge, StringComparison.Ordinal));

        Server.Clock.Advance(TimeSpan.FromSeconds(2));
        await Server.RecoverAsync();
        Assert.Contains(Server.Logs.Lines, l => l.Contains(nudge, StringComparison.Ordinal));
        await Server.WaitForRunStatusAsync(runId, "succeeded");
    }

    [Fact]
    public async Task PendingRootOfARunThatStillMoves_IsLeftAlone_UntilTheRunStandsStillForTheGrace()
    {
        await AgentA.DeclareAsync(Task("left"), Task("right"), Task("join", "left", "right"));
        var runId = await Server.StartRunAsync("join");
        await AgentA.WaitForInvokeAsync("left", runId);
        var right = await AgentA.WaitForInvokeAsync("right", runId);
        await Server.WaitForTaskRunAsync(runId, "right", "invoked");
        var nudge = $"Recovery: task run {right.TaskRunId} has every upstream done";

        // right's ready still waits in a long queue (put back to pending), while left was invoked a moment ago.
        Server.Clock.Advance(TimeSpan.FromSeconds(4));
        var now = Server.Clock.GetUtcNow().UtcDateTime;
        await Server.QueryAsync(db => db.TaskRuns.Where(t => t.CorrelationId == right.TaskRunId).ExecuteUpdateAsync(t => t
            .SetProperty(x => x.CurrentState, TaskRunStates.Pending)
            .SetProperty(x => x.InvokedAt, (DateTime?)null)
            .SetProperty(x => x.DeadlineKind, (string?)null)
            .SetProperty(x => x.DeadlineDueMs, (long?)null)
            .SetProperty(x => x.Version, x => x.Version + 1)));
        await Server.QueryAsync(db => db.TaskRuns.Where(t => t.RunId == runId && t.Task == "left")
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.InvokedAt, now)));

        await Server.RecoverAsync();
        Assert.DoesNotContain(Server.Logs.Lines, l => l.Contains(nudge, StringComparison.Ordinal));
        Assert.Equal("pending", Coordinator.TaskRun(await Server.GetRunAsync(runId), "right").State);

        Server.Clock.Advance(TimeSpan.FromSeconds(4));
        await Server.RecoverAsync();
        Assert.Contains(Server.Logs.Lines, l => l.Contains(nudge, StringComparison.Ordinal));
        await Server.WaitForTaskRunAsync(runId, "right", "invoked");
    }

    [Fact]
    public async Task PendingRootWhileTheQueueIsBehind_IsLeftAlone_UntilTheQueueCatchesUp()
    {
        await AgentA.DeclareAsync(Task("solo"));
        var runId = await Server.StartRunAsync("solo");
        var solo = await AgentA.WaitForInvokeAsync("solo", runId);
        await Server.WaitForTaskRunAsync(runId, "solo", "invoked");
        var nudge = $"Recovery: task run {solo.TaskRunId} has every upstream done";

        // Its ready still waits in the task-runs queue (put back to pending), and that queue is 20 s behind.
        await Server.QueryAsync(db => db.TaskRuns.Where(t => t.CorrelationId == solo.TaskRunId).ExecuteUpdateAsync(t => t
            .SetProperty(x => x.CurrentState, TaskRunStates.Pending)
            .SetProperty(x => x.InvokedAt, (DateTime?)null)
            .SetProperty(x => x.DeadlineKind, (string?)null)
            .SetProperty(x => x.DeadlineDueMs, (long?)null)
            .SetProperty(x => x.Version, x => x.Version + 1)));
        var lag = Server.Services.GetRequiredService<QueueLag>();
        Server.Clock.Advance(TimeSpan.FromSeconds(10));

        lag.Observe(TimeSpan.FromSeconds(20));
        await Server.RecoverAsync();
        Assert.DoesNotContain(Server.Logs.Lines, l => l.Contains(nudge, StringComparison.Ordinal));
        Assert.Equal("pending", Coordinator.TaskRun(await Server.GetRunAsync(runId), "solo").State);

        lag.Observe(TimeSpan.Zero);
        await Server.RecoverAsync();
        Assert.Contains(Server.Logs.Lines, l => l.Contains(nudge, StringComparison.Ordinal));
        await Server.WaitForTaskRunAsync(runId, "solo", "invoked");
    }

    /// <summary>The task run's end as its saga would have committed it, without the messages that should have followed.</summary>
    private Task EndBehindTheSagasBackAsync(Guid taskRunId, string state)
    {
        var at = Server.Clock.GetUtcNow().UtcDateTime;
        return Server.QueryAsync(db => db.TaskRuns.Where(t => t.CorrelationId == taskRunId).ExecuteUpdateAsync(t => t
            .SetProperty(x => x.CurrentState, state)
            .SetProperty(x => x.FinishedAt, at)
            .SetProperty(x => x.Error, state == TaskRunStates.Error ? "lost in a crash" : null)
            .SetProperty(x => x.DeadlineKind, (string?)null)
            .SetProperty(x => x.DeadlineDueMs, (long?)null)
            .SetProperty(x => x.Version, x => x.Version + 1)));
    }
}
