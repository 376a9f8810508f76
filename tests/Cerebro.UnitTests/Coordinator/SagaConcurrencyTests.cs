using Cerebro.Contracts;
using Cerebro.Server.TaskRuns;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Many events for one run at once, on SQLite: every one applied exactly once, the run ends with exact counts.</summary>
public sealed class SagaConcurrencyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Leaves = 30;

    private Coordinator _cerebro = null!;

    public async Task InitializeAsync() => _cerebro = await Coordinator.StartAsync(output);

    public async Task DisposeAsync() => await _cerebro.DisposeAsync();

    [Fact]
    public async Task ThirtyIndependentTasksJoinedByOne_AllEventsAtOnce_RunSucceedsWithExactCounts()
    {
        var agent = await _cerebro.AgentAsync("agent-a");
        var leaves = Enumerable.Range(0, Leaves).Select(i => $"leaf-{i:00}").ToArray();
        await agent.DeclareAsync([.. leaves.Select(l => Task(l)), Task("join", leaves)]);
        var runId = await _cerebro.StartRunAsync("join");
        var invokes = await System.Threading.Tasks.Task.WhenAll(leaves.Select(l => agent.WaitForInvokeAsync(l, runId)));

        await System.Threading.Tasks.Task.WhenAll(invokes.Select(i => agent.StartedAsync(i)));
        await _cerebro.WaitForRunAsync(runId, r => r.Tasks.Count(t => t.State == "started") == Leaves, "every leaf started");
        await System.Threading.Tasks.Task.WhenAll(invokes.Select(i => agent.CompletedAsync(i, new { leaf = i.Task })));

        var join = await agent.WaitForInvokeAsync("join", runId);
        var waiting = await _cerebro.WaitForTaskRunAsync(runId, "join", "invoked");
        Assert.Empty(waiting.WaitingFor);
        await agent.CompletedAsync(join, new { joined = Leaves });

        var run = await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Equal(Leaves + 1, run.Tasks.Count);
        Assert.All(run.Tasks, t => Assert.Equal("completed", t.State));
        Assert.All(run.Tasks.Where(t => t.Task != "join"), t => Assert.Equal(t.Task, t.Result!.Value.GetProperty("leaf").GetString()));
        Assert.Single(agent.Invokes(runId, "join"));
        Assert.Equal(Leaves + 1, agent.Invokes(runId).Count);
        Assert.Empty(await _cerebro.GetIgnoredMessagesAsync());

        var stored = await _cerebro.QueryAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.CorrelationId == runId));
        Assert.Equal((Leaves + 1, Leaves + 1), (stored.TotalTaskRuns, stored.FinishedTaskRuns));
        var states = await _cerebro.QueryAsync(db => db.TaskRuns.Where(t => t.RunId == runId).Select(t => t.CurrentState).ToListAsync());
        Assert.All(states, s => Assert.Equal(TaskRunStates.Completed, s));
        Assert.Equal(Leaves + 1, await _cerebro.QueryAsync(db => db.TaskSuccesses.CountAsync(s => s.RunId == runId)));
    }

    /// <summary>
    /// The run's end is decided when its last "finished" message arrives; here the last few task runs end together, so
    /// the run must not depend on the others' commits being visible by then.
    /// </summary>
    [Fact]
    public async Task ThirtyUpstreamsFailingAtOnce_RunFailsWithExactCounts()
    {
        var agent = await _cerebro.AgentAsync("agent-a");
        var leaves = Enumerable.Range(0, Leaves).Select(i => $"leaf-{i:00}").ToArray();
        await agent.DeclareAsync([.. leaves.Select(l => Task(l)), Task("join", leaves)]);
        var runId = await _cerebro.StartRunAsync("join");
        var invokes = await System.Threading.Tasks.Task.WhenAll(leaves.Select(l => agent.WaitForInvokeAsync(l, runId)));
        await System.Threading.Tasks.Task.WhenAll(invokes.Select(i => agent.StartedAsync(i)));
        await _cerebro.WaitForRunAsync(runId, r => r.Tasks.Count(t => t.State == "started") == Leaves, "every leaf started");

        await System.Threading.Tasks.Task.WhenAll(invokes.Select(i => agent.FailedAsync(i, $"{i.Task} broke")));

        var run = await _cerebro.WaitForRunStatusAsync(runId, "failed");
        Assert.All(run.Tasks.Where(t => t.Task != "join"), t => Assert.Equal(("error", $"{t.Task} broke"), (t.State, t.Error!.Message)));
        Assert.Equal("blocked", Coordinator.TaskRun(run, "join").State);
        Assert.Empty(agent.Invokes(runId, "join"));
        var stored = await _cerebro.QueryAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.CorrelationId == runId));
        Assert.Equal((Leaves + 1, Leaves + 1), (stored.TotalTaskRuns, stored.FinishedTaskRuns));
    }
}
