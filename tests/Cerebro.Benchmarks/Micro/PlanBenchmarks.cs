using BenchmarkDotNet.Attributes;
using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Domain;

namespace Cerebro.Benchmarks.Micro;

/// <summary>
/// <see cref="RunPlanner.Plan"/> on a 100,000-task graph: a run of its deepest task (whose upstream closure is most of
/// the graph), and a run of a 100-task chain that shares the graph (the plan must cost what the run holds, not what
/// the graph holds), with the 100-task graph alone for comparison.
/// </summary>
[MemoryDiagnoser]
public class PlanBenchmarks
{
    private static readonly BenchShape Chain = BenchShape.Parse("chain:100");
    private static readonly BenchShape Graph = BenchShape.Parse("graph:99900");

    private TaskGraph _big = TaskGraph.Empty;
    private TaskGraph _small = TaskGraph.Empty;
    private string _deepest = "";

    [GlobalSetup]
    public void Setup()
    {
        _big = GraphBuilder.Declare(TaskGraph.Empty, DomainGraphs.Agent, DomainGraphs.Definitions(Chain.Spec, Graph.Spec)).Graph;
        _small = GraphBuilder.Declare(TaskGraph.Empty, DomainGraphs.Agent, DomainGraphs.Definitions(Chain.Spec)).Graph;
        _deepest = Graph.Name(Graph.Size - 1);
    }

    [Benchmark(Description = "Plan the deepest task of 100k")]
    public RunPlan PlanDeepest() => RunPlanner.Plan(_big, _deepest, _ => null, DateTimeOffset.UnixEpoch);

    [Benchmark(Description = "Plan chain of 100 on 100k graph")]
    public RunPlan PlanChainOnBigGraph() => RunPlanner.Plan(_big, Chain.Root!, _ => null, DateTimeOffset.UnixEpoch);

    [Benchmark(Baseline = true, Description = "Plan chain of 100 on 100 graph")]
    public RunPlan PlanChainOnSmallGraph() => RunPlanner.Plan(_small, Chain.Root!, _ => null, DateTimeOffset.UnixEpoch);
}
