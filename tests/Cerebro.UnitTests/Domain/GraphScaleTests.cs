using Cerebro.Domain;
using static Cerebro.UnitTests.Domain.TestTasks;
using TaskStatus = Cerebro.Domain.TaskStatus;

namespace Cerebro.UnitTests.Domain;

/// <summary>
/// The graph holds 100,000 tasks in production: these prove the algorithms are iterative and near-linear
/// (each would take minutes, or overflow the stack, otherwise). No timing assertions: the test run's timeout is the guard.
/// </summary>
public class GraphScaleTests
{
    private const int Layers = 100;
    private const int PerLayer = 1000;

    /// <summary>100 layers of 1,000; each task after the first layer depends on one or two of the layer before (1.5 edges on average).</summary>
    private static TaskDefinition[] Layered()
    {
        var tasks = new TaskDefinition[Layers * PerLayer];
        for (var layer = 0; layer < Layers; layer++)
        {
            for (var i = 0; i < PerLayer; i++)
            {
                Upstream[] upstreams = layer == 0
                    ? []
                    : i % 2 == 0
                        ? [new Upstream(Name(layer - 1, i)), new Upstream(Name(layer - 1, (i * 7 + 3) % PerLayer), TimeSpan.FromHours(1))]
                        : [new Upstream(Name(layer - 1, i))];
                tasks[(layer * PerLayer) + i] = new TaskDefinition(Name(layer, i), AgentA, Owner, upstreams);
            }
        }

        return tasks;
    }

    private static string Name(int layer, int i) => $"t{layer:D3}.{i:D4}";

    [Fact]
    public void Declare_HundredThousandLayeredTasks_AcceptsAllAsRunnable()
    {
        var tasks = Layered();

        var outcome = GraphBuilder.Declare(TaskGraph.Empty, AgentA, tasks);

        Assert.Equal(tasks.Length, outcome.Accepted.Count);
        Assert.Empty(outcome.Refused);
        Assert.Empty(outcome.Unresolved);
        Assert.Equal(tasks.Length, outcome.Graph.Count);
        Assert.All(outcome.Graph.Tasks, s => Assert.Equal(TaskStatus.Runnable, s.Status));

        // A small declaration on top of the big graph touches only what it changes.
        var other = Declare(outcome.Graph, AgentB, Task("report", Name(Layers - 1, 0)));
        Assert.Equal(tasks.Length + 1, other.Graph.Count);
        Assert.Empty(other.Unresolved);
        Assert.Equal(["report"], other.Graph.DownstreamOf(Name(Layers - 1, 0)));
    }

    [Fact]
    public void Declare_HundredThousandTaskChainWithoutItsHead_IsIterative()
    {
        const int length = 100_000;
        var chain = new TaskDefinition[length];
        for (var i = 0; i < length; i++)
        {
            chain[i] = Task($"c{i:D6}", i == 0 ? "head" : $"c{i - 1:D6}");
        }

        var outcome = GraphBuilder.Declare(TaskGraph.Empty, AgentA, chain);
        Assert.Equal(length, outcome.Unresolved.Count);

        var resolved = Declare(outcome.Graph, AgentB, Task("head"));
        Assert.All(resolved.Graph.Tasks, s => Assert.Equal(TaskStatus.Runnable, s.Status));

        var plan = RunPlanner.Plan(resolved.Graph, $"c{length - 1:D6}", _ => null, DateTimeOffset.UnixEpoch);
        Assert.Equal(length + 1, plan.TaskRuns.Count);
        Assert.Equal("head", plan.TaskRuns[0].Task);
        Assert.Equal($"c{length - 1:D6}", plan.TaskRuns[^1].Task);
    }

    [Fact]
    public void Declare_HundredThousandTaskRing_RefusesEveryTask()
    {
        const int length = 100_000;
        var ring = new TaskDefinition[length];
        for (var i = 0; i < length; i++)
        {
            ring[i] = Task($"r{i:D6}", $"r{(i + 1) % length:D6}");
        }

        var outcome = GraphBuilder.Declare(TaskGraph.Empty, AgentA, ring);

        Assert.Empty(outcome.Accepted);
        Assert.Equal(length, outcome.Refused.Count);
        Assert.All(outcome.Refused, r => Assert.StartsWith($"cycle: {r.Task} -> ", r.Reason, StringComparison.Ordinal));
        Assert.Equal(0, outcome.Graph.Count);
    }
}
