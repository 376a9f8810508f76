namespace Cerebro.Contracts;

/// <summary>Cerebro accepted every task of an agent's declaration.</summary>
public sealed class DeclarationAccepted
{
    /// <summary>The agent's name.</summary>
    public required string Agent { get; init; }

    /// <summary>The <see cref="ServerReady.Instance"/> this answers.</summary>
    public required Guid Instance { get; init; }

    /// <summary>The accepted tasks.</summary>
    public IReadOnlyList<string> Accepted { get; init; } = [];

    /// <summary>Accepted tasks that cannot run yet because an upstream is not declared by anyone.</summary>
    public IReadOnlyList<TaskProblem> Unresolved { get; init; } = [];

    /// <summary>
    /// Where this agent instance may publish its task events from now on (<see cref="Topology.TaskEventsExchange"/>),
    /// instead of <see cref="Topology.EventsExchange"/>; absent when Cerebro offers no such exchange. An optional field:
    /// an agent that ignores it keeps publishing everything to <see cref="Topology.EventsExchange"/>.
    /// </summary>
    public string? TaskEventsExchange { get; init; }

    /// <summary>When Cerebro decided.</summary>
    public required DateTimeOffset At { get; init; }
}
