using Cerebro.IntegrationTests.Scenarios.Support;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>
/// Scenario 5: Cerebro is killed (SIGKILL) in the middle of a run and a new Cerebro process takes over the same
/// database and virtual host; the run still ends, with no task run lost and none run twice.
/// </summary>
public sealed class CrashScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CerebroKilledMidRun_NewProcessFinishesTheRun_EachTaskRunExecutedOnce()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        var a = cluster.StartTaskServerA();
        var b = cluster.StartTaskServerB();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerB);

        var runId = await cluster.StartRunAsync("publish-dashboard", new { durationMs = 1500 });
        var midRun = await cluster.WaitForRunAsync(runId, r => r.Tasks.Any(t => t.StartedAt is not null), "a task run of the run to be started");
        Assert.Equal("running", midRun.Status);
        await cluster.KillCerebroAsync();
        await cluster.StartCerebroAsync();
        var run = await cluster.WaitForRunEndAsync(runId, TimeSpan.FromSeconds(90));

        Assert.Equal("succeeded", run.Status);
        Assert.Equal(DemoTasks.AgentOf.Keys.Order(StringComparer.Ordinal), run.Tasks.Select(t => t.Task).Order(StringComparer.Ordinal));
        Assert.All(run.Tasks, t => Assert.Equal((t.Task, "completed", DemoTasks.AgentOf[t.Task]), (t.Task, t.State, t.Agent)));

        // Lost would show as a task run never executed; run twice as two lines for one task run.
        var executed = ExecutedLine.Of(a).Concat(ExecutedLine.Of(b)).ToList();
        foreach (var taskRun in run.Tasks)
        {
            var lines = executed.Where(e => e.TaskRunId == taskRun.TaskRunId).ToList();
            var line = Assert.Single(lines);
            Assert.Equal((taskRun.Task, taskRun.Attempt, DemoTasks.AgentOf[taskRun.Task]), (line.Task, line.Attempt, line.Agent));
        }

        Assert.Equal(run.Tasks.Count, executed.Count);
    }
}
