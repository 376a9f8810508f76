namespace Cerebro.BenchmarkAgent.Shapes;

/// <summary>The kinds of task graph the benchmark declares.</summary>
public enum ShapeKind
{
    /// <summary>Tasks each depending on the one before; the last is triggered.</summary>
    Chain,

    /// <summary>Independent tasks joined by one final task, which is triggered.</summary>
    Fan,

    /// <summary>Layers of tasks, each depending on every task of the layer before, joined by one final task.</summary>
    Layers,

    /// <summary>A random acyclic graph (1 or 2 upstreams per task, 1.5 on average), only declared, never run.</summary>
    Graph,

    /// <summary>Like <see cref="Fan"/>, but the independent tasks never finish: they hold task runs in flight.</summary>
    Hold,
}
