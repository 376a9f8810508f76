using System.Net;
using System.Net.Http.Json;
using Cerebro.Contracts;
using Cerebro.Server.Api;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>POST /api/runs: what is refused, what a run holds, and which upstreams it reuses instead of running.</summary>
public sealed class RunPlanningTests(ITestOutputHelper output) : IAsyncLifetime
{
    private Coordinator _cerebro = null!;

    public async Task InitializeAsync() => _cerebro = await Coordinator.StartAsync(output);

    public async Task DisposeAsync() => await _cerebro.DisposeAsync();

    [Fact]
    public async Task UnknownTask_Is404()
    {
        var response = await _cerebro.PostRunAsync("nobody-declares-this");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nobody-declares-this", await response.Content.ReadAsStringAsync());
        Assert.Empty(await _cerebro.Http.GetFromJsonAsync<List<RunSummaryView>>("/api/runs") ?? []);
    }

    [Fact]
    public async Task UnresolvedTask_Is409WithTheReason()
    {
        var agent = await _cerebro.AgentAsync("agent-a");
        await agent.DeclareAsync(Task("report", "missing-upstream"));

        var response = await _cerebro.PostRunAsync("report");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("upstream 'missing-upstream' is not declared by any agent", await response.Content.ReadAsStringAsync());
        Assert.Empty(await _cerebro.Http.GetFromJsonAsync<List<RunSummaryView>>("/api/runs") ?? []);
    }

    [Fact]
    public async Task RunnableTask_Is202WithTheRunId_AndTheParametersReachTheInvoke()
    {
        var agent = await _cerebro.AgentAsync("agent-a");
        await agent.DeclareAsync(Task("extract"));

        var response = await _cerebro.PostRunAsync("extract", new { date = "2031-03-02", limit = 3, dry = true });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<RunStarted>())!.RunId;
        Assert.NotEqual(Guid.Empty, runId);
        Assert.Equal($"/api/runs/{runId}", response.Headers.Location?.OriginalString);

        var invoke = await agent.WaitForInvokeAsync("extract", runId);
        Assert.Equal("2031-03-02", invoke.Parameters["date"].GetString());
        Assert.Equal(3, invoke.Parameters["limit"].GetInt32());
        Assert.True(invoke.Parameters["dry"].GetBoolean());
        Assert.Equal(3, invoke.Parameters.Count);

        var run = await _cerebro.GetRunAsync(runId);
        Assert.Equal(("extract", "api"), (run.Task, run.Trigger));
        Assert.Equal("2031-03-02", run.Parameters.GetProperty("date").GetString());
    }

    [Fact]
    public async Task Plan_HoldsTheTaskAndItsRunFirstUpstreams_InOrder()
    {
        var agent = await _cerebro.AgentAsync("agent-a");
        await agent.DeclareAsync(Task("raw"), Task("clean", "raw"), Task("report", "clean"), Task("unrelated"), Task("after-report", "report"));

        var runId = await _cerebro.StartRunAsync("report");

        var run = await _cerebro.GetRunAsync(runId);
        Assert.Equal(["raw", "clean", "report"], run.Tasks.Select(t => t.Task));
        Assert.Equal([[], ["raw"], ["clean"]], run.Tasks.Select(t => t.Upstreams.ToArray()));
        Assert.All(run.Tasks, t => Assert.Equal("agent-a", t.Agent));
        Assert.All(run.Tasks, t => Assert.Equal(Owner, t.Owner));
        var raw = await agent.WaitForInvokeAsync("raw", runId);
        Assert.Equal(["raw"], agent.Invokes(runId).Select(i => i.Task));
        Assert.Equal(raw.TaskRunId, Coordinator.TaskRun(run, "raw").TaskRunId);
    }

    [Fact]
    public async Task FreshUpstream_SucceededWithinItsWindow_IsReusedAndNotInvoked()
    {
        var agent = await _cerebro.AgentAsync("agent-a");
        await agent.DeclareAsync(Task("source"), FreshTask("report", "source", TimeSpan.FromHours(1)));
        var earlier = await RunSourceAsync(agent);
        _cerebro.Clock.Advance(TimeSpan.FromMinutes(59));

        var runId = await _cerebro.StartRunAsync("report");

        var run = await _cerebro.GetRunAsync(runId);
        Assert.Equal(["source", "report"], run.Tasks.Select(t => t.Task));
        var source = Coordinator.TaskRun(run, "source");
        Assert.Equal("reused", source.State);
        Assert.Equal(earlier.TaskRunId, source.ReusedTaskRunId);
        Assert.Empty(Coordinator.TaskRun(run, "report").Upstreams);

        var report = await agent.WaitForInvokeAsync("report", runId);
        await agent.CompletedAsync(report);
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Equal(["report"], agent.Invokes(runId).Select(i => i.Task));
    }

    [Fact]
    public async Task FreshUpstream_SucceededOutsideItsWindow_Runs()
    {
        var agent = await _cerebro.AgentAsync("agent-a");
        await agent.DeclareAsync(Task("source"), FreshTask("report", "source", TimeSpan.FromHours(1)));
        await RunSourceAsync(agent);
        _cerebro.Clock.Advance(TimeSpan.FromMinutes(61));

        var runId = await _cerebro.StartRunAsync("report");

        var run = await _cerebro.GetRunAsync(runId);
        Assert.Equal(["source", "report"], run.Tasks.Select(t => t.Task));
        Assert.Null(Coordinator.TaskRun(run, "source").ReusedTaskRunId);
        Assert.Equal(["source"], Coordinator.TaskRun(run, "report").Upstreams);
        var source = await agent.WaitForInvokeAsync("source", runId);
        await agent.CompletedAsync(source);
        var report = await agent.WaitForInvokeAsync("report", runId);
        await agent.CompletedAsync(report);
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Equal(["source", "report"], agent.Invokes(runId).Select(i => i.Task));
    }

    private async Task<InvokeTask> RunSourceAsync(FakeAgent agent)
    {
        var runId = await _cerebro.StartRunAsync("source");
        var invoke = await agent.WaitForInvokeAsync("source", runId);
        await agent.StartedAsync(invoke);
        await agent.CompletedAsync(invoke, new { rows = 10 });
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        return invoke;
    }
}
