using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Domain;

namespace Cerebro.Benchmarks.Micro;

/// <summary>The graphs the micro-benchmarks use: the very shapes the benchmark agent declares, as domain definitions.</summary>
public static class DomainGraphs
{
    public const string Agent = "bench-agent";

    public static TaskDefinition[] Definitions(params string[] specs) =>
        [.. specs.SelectMany(s => BenchShape.Parse(s).Tasks())
            .Select(t => new TaskDefinition(t.Name, Agent, "bench", [.. t.Upstreams.Select(u => new Upstream(u))]))];
}
