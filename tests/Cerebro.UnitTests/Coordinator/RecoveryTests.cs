using Cerebro.Server.TaskRuns;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// Stall recovery: the internal messages a crash may lose between a commit and a send are simulated as lost by
/// writing the committed state straight into the database, then one recovery pass must move things on.
/// </summary>
public sealed class RecoveryTests(ITestOutputHelper output) : IAsyncLifetime
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
    public async Task PendingTaskRunWhoseUpstreamsCompleted_ButWhoseReadyWasLost_IsInvoked()
    {
        await _agent.DeclareAsync(Task("up"), Task("down", "up"));
        var runId = await _cerebro.StartRunAsync("down");
        var up = await _agent.WaitForInvokeAsync("up", runId);
        await _cerebro.WaitForTaskRunAsync(runId, "up", "invoked");
        await EndBehindTheSagasBackAsync(up.TaskRunId, TaskRunStates.Completed);
        Assert.Equal("pending", Coordinator.TaskRun(await _cerebro.GetRunAsync(runId), "down").State);

        _cerebro.Clock.Advance(TimeSpan.FromSeconds(4));
        await _cerebro.RecoverAsync();

        var down = await _agent.WaitForInvokeAsync("down", runId);
        await _cerebro.WaitForTaskRunAsync(runId, "down", "invoked");
        await _agent.CompletedAsync(down);
        await _cerebro.WaitForTaskRunAsync(runId, "down", "completed");

        // up's own "finished" never reached the run either: the next pass concludes it.
        await _cerebro.RecoverAsync();
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Single(_agent.Invokes(runId, "down"));
    }

    [Fact]
    public async Task PendingTaskRunWhoseUpstreamErred_ButWhoseNewsWasLost_IsBlocked()
    {
        await _agent.DeclareAsync(Task("up"), Task("down", "up"));
        var runId = await _cerebro.StartRunAsync("down");
        var up = await _agent.WaitForInvokeAsync("up", runId);
        await _cerebro.WaitForTaskRunAsync(runId, "up", "invoked");
        await EndBehindTheSagasBackAsync(up.TaskRunId, TaskRunStates.Error);

        _cerebro.Clock.Advance(TimeSpan.FromSeconds(4));
        await _cerebro.RecoverAsync();

        var blocked = await _cerebro.WaitForTaskRunAsync(runId, "down", "blocked");
        Assert.Equal("blocked: upstream 'up' ended error", blocked.Error!.Message);
        await _cerebro.RecoverAsync();
        await _cerebro.WaitForRunStatusAsync(runId, "failed");
        Assert.Empty(_agent.Invokes(runId, "down"));
    }

    [Theory]
    [InlineData(TaskRunStates.Completed, "succeeded")]
    [InlineData(TaskRunStates.Error, "failed")]
    public async Task RunningRunWhoseTaskRunsAllEnded_IsConcluded(string ended, string status)
    {
        await _agent.DeclareAsync(Task("solo"));
        var runId = await _cerebro.StartRunAsync("solo");
        var solo = await _agent.WaitForInvokeAsync("solo", runId);
        await _cerebro.WaitForTaskRunAsync(runId, "solo", "invoked");
        await EndBehindTheSagasBackAsync(solo.TaskRunId, ended);
        Assert.Equal("running", (await _cerebro.GetRunAsync(runId)).Status);

        _cerebro.Clock.Advance(TimeSpan.FromSeconds(4));
        await _cerebro.RecoverAsync();

        var run = await _cerebro.WaitForRunStatusAsync(runId, status);
        Assert.Equal(_cerebro.Clock.GetUtcNow().UtcDateTime, run.FinishedAt);
    }

    [Fact]
    public async Task RecoveryBeforeTheGrace_LeavesAFreshRunAlone_AfterTheGraceConcludesIt()
    {
        await _agent.DeclareAsync(Task("solo"));
        var runId = await _cerebro.StartRunAsync("solo");
        var solo = await _agent.WaitForInvokeAsync("solo", runId);
        await _cerebro.WaitForTaskRunAsync(runId, "solo", "invoked");
        await EndBehindTheSagasBackAsync(solo.TaskRunId, TaskRunStates.Completed);

        var nudge = $"Recovery: every task run of run {runId} has ended";

        _cerebro.Clock.Advance(TimeSpan.FromSeconds(2));
        await _cerebro.RecoverAsync();
        Assert.DoesNotContain(_cerebro.Logs.Lines, l => l.Contains(nudge, StringComparison.Ordinal));

        _cerebro.Clock.Advance(TimeSpan.FromSeconds(2));
        await _cerebro.RecoverAsync();
        Assert.Contains(_cerebro.Logs.Lines, l => l.Contains(nudge, StringComparison.Ordinal));
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
    }

    /// <summary>The task run's end as its saga would have committed it, without the messages that should have followed.</summary>
    private Task EndBehindTheSagasBackAsync(Guid taskRunId, string state)
    {
        var at = _cerebro.Clock.GetUtcNow().UtcDateTime;
        return _cerebro.QueryAsync(db => db.TaskRuns.Where(t => t.CorrelationId == taskRunId).ExecuteUpdateAsync(t => t
            .SetProperty(x => x.CurrentState, state)
            .SetProperty(x => x.FinishedAt, at)
            .SetProperty(x => x.Error, state == TaskRunStates.Error ? "lost in a crash" : null)
            .SetProperty(x => x.DeadlineKind, (string?)null)
            .SetProperty(x => x.DeadlineDueMs, (long?)null)
            .SetProperty(x => x.Version, x => x.Version + 1)));
    }
}
