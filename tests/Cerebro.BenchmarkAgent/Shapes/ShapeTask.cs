namespace Cerebro.BenchmarkAgent.Shapes;

/// <summary>One task of a shape: its name and the tasks that must run before it in the same run.</summary>
public sealed record ShapeTask(string Name, IReadOnlyList<string> Upstreams);
