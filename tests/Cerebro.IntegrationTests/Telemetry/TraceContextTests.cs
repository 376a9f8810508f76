using Cerebro.IntegrationTests.Scenarios.Support;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Telemetry;

/// <summary>
/// Trace context across processes, on the wire: Cerebro sends each invoke with the run's trace (the <c>traceparent</c>
/// it stored for the task run), and the C# SDK and the Python agent send it back, unchanged, on every event of that task run.
/// </summary>
public sealed class TraceContextTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_InvokesCarryTheRunsTrace_AndEveryAgentEventCarriesItBack_CSharpAndPython()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        await using var spy = await TraceSpy.StartAsync(cluster.VirtualHost);
        cluster.StartTaskServerA();
        cluster.StartPythonAgent();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerPy);
        await spy.WatchAgentAsync(CerebroCluster.TaskServerA);
        await spy.WatchAgentAsync(CerebroCluster.TaskServerPy);

        var runId = await cluster.StartRunAsync("export-scores", new { durationMs = 50 });
        var run = await cluster.WaitForRunEndAsync(runId);
        Assert.Equal("succeeded", run.Status);
        var stored = await StoredTrace.ReadAsync(cluster.Database, runId);

        foreach (var taskRun in run.Tasks)
        {
            var messages = spy.Messages.Where(m => m.TaskRunId == taskRun.TaskRunId).ToList();
            output.WriteLine($"{taskRun.Task} ({taskRun.Agent}):\n  " + string.Join("\n  ", messages));

            var invoke = Assert.Single(messages, m => m.Type == "task.invoke");
            Assert.NotNull(invoke.TraceParent);
            Assert.Equal(stored.TraceId, invoke.TraceParent.Split('-')[1]);
            Assert.Equal(stored.TaskRuns[taskRun.TaskRunId].TraceParent, invoke.TraceParent);

            var events = messages.Where(m => m.Sender == taskRun.Agent).ToList();
            Assert.Contains(events, m => m.Type == "task.started");
            Assert.Contains(events, m => m.Type == "task.completed");
            Assert.All(events, m => Assert.Equal((invoke.TraceParent, invoke.TraceState), (m.TraceParent, m.TraceState)));
        }

        Assert.Contains(run.Tasks, t => t.Agent == CerebroCluster.TaskServerA);
        Assert.Contains(run.Tasks, t => t.Agent == CerebroCluster.TaskServerPy);
    }
}
