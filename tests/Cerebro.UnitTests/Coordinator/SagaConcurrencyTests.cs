using Cerebro.Contracts;
using Cerebro.Server.Runs;
using Cerebro.Server.TaskRuns;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Many events for one run at once, on SQLite: every one applied exactly once, the run ends with exact counts.</summary>
public sealed class SagaConcurrencyTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    private const int Leaves = 30;

    [Fact]
    public async Task ThirtyIndependentTasksJoinedByOne_AllEventsAtOnce_RunSucceedsWithExactCounts()
    {
        var (runId, invokes) = await StartLeavesAsync();
        await System.Threading.Tasks.Task.WhenAll(invokes.Select(i => AgentA.CompletedAsync(i, new { leaf = i.Task })));

        var join = await AgentA.WaitForInvokeAsync("join", runId);
        var waiting = await Server.WaitForTaskRunAsync(runId, "join", "invoked");
        Assert.Empty(waiting.WaitingFor);
        await AgentA.CompletedAsync(join, new { joined = Leaves });

        var run = await Server.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Equal(Leaves + 1, run.Tasks.Count);
        Assert.All(run.Tasks, t => Assert.Equal("completed", t.State));
        Assert.All(run.Tasks.Where(t => t.Task != "join"), t => Assert.Equal(t.Task, t.Result!.Value.GetProperty("leaf").GetString()));
        Assert.Single(AgentA.Invokes(runId, "join"));
        Assert.Equal(Leaves + 1, AgentA.Invokes(runId).Count);
        Assert.Empty(await Server.GetIgnoredMessagesAsync());

        var stored = await Server.QueryAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.CorrelationId == runId));
        Assert.Equal((Leaves + 1, RunStates.Succeeded), (stored.TotalTaskRuns, stored.CurrentState));
        var states = await Server.QueryAsync(db => db.TaskRuns.Where(t => t.RunId == runId).Select(t => t.CurrentState).ToListAsync());
        Assert.All(states, s => Assert.Equal(TaskRunStates.Completed, s));
        Assert.Equal(Leaves + 1, await Server.QueryAsync(db => db.TaskSuccesses.CountAsync(s => s.RunId == runId)));
    }

    /// <summary>
    /// The run's end is decided when its last "finished" message arrives; here the last few task runs end together, so
    /// the run must not depend on the others' commits being visible by then.
    /// </summary>
    [Fact]
    public async Task ThirtyUpstreamsFailingAtOnce_RunFailsWithExactCounts()
    {
        var (runId, invokes) = await StartLeavesAsync();

        await System.Threading.Tasks.Task.WhenAll(invokes.Select(i => AgentA.FailedAsync(i, $"{i.Task} broke")));

        var run = await Server.WaitForRunStatusAsync(runId, "failed");
        Assert.All(run.Tasks.Where(t => t.Task != "join"), t => Assert.Equal(("error", $"{t.Task} broke"), (t.State, t.Error!.Message)));
        Assert.Equal("blocked", Coordinator.TaskRun(run, "join").State);
        Assert.Empty(AgentA.Invokes(runId, "join"));
        var stored = await Server.QueryAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.CorrelationId == runId));
        Assert.Equal((Leaves + 1, RunStates.Failed), (stored.TotalTaskRuns, stored.CurrentState));
    }

    /// <summary>Thirty leaves joined by one, a run of the join, and every leaf invoked and started.</summary>
    private async Task<(Guid RunId, Contracts.InvokeTask[] Invokes)> StartLeavesAsync()
    {
        var leaves = Enumerable.Range(0, Leaves).Select(i => $"leaf-{i:00}").ToArray();
        await AgentA.DeclareAsync([.. leaves.Select(l => Task(l)), Task("join", leaves)]);
        var runId = await Server.StartRunAsync("join");
        var invokes = await System.Threading.Tasks.Task.WhenAll(leaves.Select(l => AgentA.WaitForInvokeAsync(l, runId)));
        await System.Threading.Tasks.Task.WhenAll(invokes.Select(i => AgentA.StartedAsync(i)));
        await Server.WaitForRunAsync(runId, r => r.Tasks.Count(t => t.State == "started") == Leaves, "every leaf started");
        return (runId, invokes);
    }
}
