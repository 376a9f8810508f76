using Cerebro.IntegrationTests.Scenarios.Support;
using Cerebro.Server.Api;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>Scenario 2: a run of publish-dashboard runs its five upstreams first, each on its own agent, once each.</summary>
public sealed class OrderScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PublishDashboardRun_SucceedsWithUpstreamsFirst_EachOnItsAgent()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        var a = cluster.StartTaskServerA();
        var b = cluster.StartTaskServerB();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerB);

        var runId = await cluster.StartRunAsync("publish-dashboard", new { durationMs = 300 });
        var run = await cluster.WaitForRunEndAsync(runId);

        Assert.Equal("succeeded", run.Status);
        Assert.Equal(DemoTasks.AgentOf.Keys.Order(StringComparer.Ordinal), run.Tasks.Select(t => t.Task).Order(StringComparer.Ordinal));
        var byTask = run.Tasks.ToDictionary(t => t.Task, StringComparer.Ordinal);
        foreach (var taskRun in run.Tasks)
        {
            Assert.Equal("completed", taskRun.State);
            Assert.Equal(DemoTasks.AgentOf[taskRun.Task], taskRun.Agent);
            Assert.Equal(1, taskRun.Attempt);
            Assert.Null(taskRun.Error);
            Assert.NotNull(taskRun.InvokedAt);
            Assert.NotNull(taskRun.StartedAt);
            Assert.NotNull(taskRun.FinishedAt);
        }

        // The API's upstreams of each task run are exactly the graph's edges, and each upstream ended before the downstream was invoked.
        Assert.Equal(DemoTasks.PublishDashboardEdges.Order(), run.Tasks.SelectMany(t => t.Upstreams.Select(u => (u, t.Task))).Order());
        foreach (var (upstream, downstream) in DemoTasks.PublishDashboardEdges)
        {
            Assert.True(byTask[upstream].FinishedAt <= byTask[downstream].InvokedAt,
                $"{upstream} finished at {byTask[upstream].FinishedAt:O}, after {downstream} was invoked at {byTask[downstream].InvokedAt:O}");
        }

        var last = byTask["publish-dashboard"];
        Assert.All(run.Tasks.Where(t => t != last), t => Assert.True(t.FinishedAt <= last.InvokedAt,
            $"{t.Task} finished at {t.FinishedAt:O}, after publish-dashboard was invoked at {last.InvokedAt:O}"));
        Assert.Equal(last.InvokedAt, run.Tasks.Max(t => t.InvokedAt));
        Assert.True(run.FinishedAt >= last.FinishedAt, $"the run finished at {run.FinishedAt:O}, before publish-dashboard at {last.FinishedAt:O}");

        // The agents' own output: each ran its own tasks, each task run exactly once.
        var executed = ExecutedLine.Of(a).Concat(ExecutedLine.Of(b)).Where(e => run.Tasks.Any(t => t.TaskRunId == e.TaskRunId)).ToList();
        Assert.Equal(run.Tasks.Select(t => (t.TaskRunId, t.Task, 1)).Order(), executed.Select(e => (e.TaskRunId, e.Task, e.Attempt)).Order());
        Assert.All(executed, e => Assert.Equal(DemoTasks.AgentOf[e.Task], e.Agent));
    }

    /// <summary>The task's latest success is stored with each completion (an upsert on PostgreSQL): the newest one is reused.</summary>
    [Fact]
    public async Task FreshUpstreamSucceededTwice_TheNextRunReusesTheLatestSuccess()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        cluster.StartTaskServerA();
        cluster.StartTaskServerB();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerB);

        var first = await cluster.WaitForRunEndAsync(await cluster.StartRunAsync("extract-products"));
        var second = await cluster.WaitForRunEndAsync(await cluster.StartRunAsync("extract-products"));
        Assert.Equal(("succeeded", "succeeded"), (first.Status, second.Status));

        var catalog = await cluster.WaitForRunEndAsync(await cluster.StartRunAsync("build-catalog"));

        Assert.Equal("succeeded", catalog.Status);
        var source = Assert.Single(catalog.Tasks, t => t.Task == "extract-products");
        Assert.Equal("reused", source.State);
        Assert.Equal(second.Tasks.Single().TaskRunId, source.ReusedTaskRunId);
        Assert.Equal("completed", Assert.Single(catalog.Tasks, t => t.Task == "build-catalog").State);
    }
}
