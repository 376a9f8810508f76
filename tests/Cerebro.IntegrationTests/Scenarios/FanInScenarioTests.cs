using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.IntegrationTests.Scenarios.Support;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>
/// Wide fan-in on PostgreSQL: every task of a layer waits for every task of the layer before, and the agent completes
/// a whole layer at once, so many upstreams count down the same downstream rows at the same moment.
/// </summary>
public sealed class FanInScenarioTests(ITestOutputHelper output)
{
    private const int Width = 25;

    [Fact]
    public async Task LayersCompletedAllAtOnce_EveryTaskRunsOnceAfterItsWholeLayer_NoDeadlock()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        await using var agent = await AmqpPeer.ConnectAsync(cluster.VirtualHost, "layers-agent");
        await agent.ConsumeAgentQueueAsync();
        string Name(int layer, int i) => $"layer{layer}-{i:00}";
        var tasks = new List<object>();
        for (var layer = 0; layer < 3; layer++)
            for (var i = 0; i < Width; i++)
                tasks.Add(new
                {
                    name = Name(layer, i),
                    owner = "team-layers",
                    upstreams = layer == 0 ? [] : Enumerable.Range(0, Width).Select(u => new { task = Name(layer - 1, u) }).ToArray(),
                });
        tasks.Add(new { name = "join", owner = "team-layers", upstreams = Enumerable.Range(0, Width).Select(u => new { task = Name(2, u) }).ToArray() });
        await agent.PublishAsync("server.ready", new { agent = agent.Name, instance = Guid.NewGuid(), maxConcurrency = 64, tasks, sentAt = DateTimeOffset.UtcNow });
        await agent.WaitForAsync(m => m.Type == "declaration.accepted", CerebroCluster.StartupTimeout, "declaration.accepted");

        var runId = await cluster.StartRunAsync("join");
        var answered = new List<string>();
        await Poll.UntilAsync(async () =>
        {
            // Complete every invoke received so far, in one burst: a whole layer lands at once.
            var invokes = agent.Received.Where(m => m.Type == "task.invoke" && !answered.Contains(m.Text("taskRunId")!)).ToList();
            foreach (var invoke in invokes)
            {
                answered.Add(invoke.Text("taskRunId")!);
                await agent.PublishAsync("task.completed", invoke.TaskEventBody(agent.Name));
            }

            return (await cluster.GetRunAsync(runId)).Status is "succeeded" or "failed";
        }, CerebroCluster.RunTimeout, "the layered run to end");

        var run = await cluster.GetRunAsync(runId);
        Assert.Equal("succeeded", run.Status);
        Assert.Equal(3 * Width + 1, run.Tasks.Count);
        Assert.All(run.Tasks, t => Assert.Equal("completed", t.State));
        Assert.Equal(3 * Width + 1, answered.Count);
        Assert.Equal(answered.Count, answered.Distinct().Count());
        foreach (var task in run.Tasks.Where(t => t.Task != "join" && !t.Task.StartsWith("layer0", StringComparison.Ordinal)))
        {
            var upstreamsFinished = run.Tasks.Where(u => task.Upstreams.Contains(u.Task)).Max(u => u.FinishedAt);
            Assert.True(task.InvokedAt >= upstreamsFinished, $"{task.Task} was invoked at {task.InvokedAt:o}, before its last upstream finished at {upstreamsFinished:o}");
        }

        Assert.DoesNotContain(cluster.Cerebro.Lines, l => l.Contains("40P01", StringComparison.Ordinal));
    }
}
