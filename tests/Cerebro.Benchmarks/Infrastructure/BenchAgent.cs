namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>A benchmark agent process and the timestamps it writes.</summary>
public sealed class BenchAgent(string name, string shapes, ChildProcess process, AgentTimestamps timestamps)
{
    public string Name { get; } = name;
    public string Shapes { get; } = shapes;
    public ChildProcess Process { get; } = process;
    public AgentTimestamps Timestamps { get; } = timestamps;
}
