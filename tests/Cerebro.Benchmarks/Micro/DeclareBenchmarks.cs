using BenchmarkDotNet.Attributes;
using Cerebro.Domain;

namespace Cerebro.Benchmarks.Micro;

/// <summary>
/// <see cref="GraphBuilder.Declare"/> of a whole graph (1.5 edges per task) onto an empty graph, and the same
/// declaration again onto the graph it built (an agent restarting): validation, cycle search, statuses.
/// </summary>
[MemoryDiagnoser]
public class DeclareBenchmarks
{
    private TaskDefinition[] _tasks = [];
    private TaskGraph _declared = TaskGraph.Empty;

    [Params(10_000, 100_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tasks = DomainGraphs.Definitions($"graph:{Tasks}");
        _declared = GraphBuilder.Declare(TaskGraph.Empty, DomainGraphs.Agent, _tasks).Graph;
    }

    [Benchmark(Description = "Declare onto an empty graph")]
    public DeclarationOutcome DeclareNew() => GraphBuilder.Declare(TaskGraph.Empty, DomainGraphs.Agent, _tasks);

    [Benchmark(Description = "Declare the same again (restart)")]
    public DeclarationOutcome DeclareAgain() => GraphBuilder.Declare(_declared, DomainGraphs.Agent, _tasks);
}
