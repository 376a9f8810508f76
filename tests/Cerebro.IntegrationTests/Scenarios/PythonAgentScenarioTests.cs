using Cerebro.IntegrationTests.Scenarios.Support;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>Scenario 6: the Python agent, written from the protocol alone, runs its tasks downstream of a C# agent's.</summary>
public sealed class PythonAgentScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ExportScoresRun_SucceedsAcrossCSharpAndPythonAgents_InOrder()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        var a = cluster.StartTaskServerA();
        var py = cluster.StartPythonAgent();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerPy);

        var runId = await cluster.StartRunAsync("export-scores", new { durationMs = 200 });
        var run = await cluster.WaitForRunEndAsync(runId);

        Assert.Equal("succeeded", run.Status);
        var byTask = run.Tasks.ToDictionary(t => t.Task, StringComparer.Ordinal);
        Assert.Equal(["export-scores", "extract-customers", "score-customers"], byTask.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(CerebroCluster.TaskServerA, byTask["extract-customers"].Agent);
        Assert.Equal(CerebroCluster.TaskServerPy, byTask["score-customers"].Agent);
        Assert.Equal(CerebroCluster.TaskServerPy, byTask["export-scores"].Agent);
        Assert.All(run.Tasks, t => Assert.Equal((t.Task, "completed"), (t.Task, t.State)));
        Assert.True(byTask["extract-customers"].FinishedAt <= byTask["score-customers"].InvokedAt, "score-customers was invoked before extract-customers finished");
        Assert.True(byTask["score-customers"].FinishedAt <= byTask["export-scores"].InvokedAt, "export-scores was invoked before score-customers finished");
        Assert.Equal(1250, byTask["score-customers"].Result?.GetProperty("customersScored").GetInt32());
        Assert.Equal("scores.csv", byTask["export-scores"].Result?.GetProperty("file").GetString());

        // Each agent's own output shows the work it did.
        Assert.Equal([(byTask["extract-customers"].TaskRunId, "extract-customers")],
            ExecutedLine.Of(a).Select(e => (e.TaskRunId, e.Task)));
        foreach (var task in new[] { "score-customers", "export-scores" })
        {
            var taskRunId = byTask[task].TaskRunId;
            Assert.Single(py.Lines, l => l.Contains($"sent task.started {task} taskRun={taskRunId}", StringComparison.OrdinalIgnoreCase));
            Assert.Single(py.Lines, l => l.Contains($"sent task.completed {task} taskRun={taskRunId}", StringComparison.OrdinalIgnoreCase));
        }
    }
}
