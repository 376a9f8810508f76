using Cerebro.Contracts;

namespace Cerebro.Worker;

/// <summary>Cerebro's answer to the worker's <c>server.ready</c>: <c>declaration.accepted</c> or <c>declaration.rejected</c>.</summary>
public sealed class DeclarationVerdict
{
    /// <summary>True for <c>declaration.rejected</c>: at least one task was refused and will never be invoked.</summary>
    public required bool IsRejected { get; init; }

    /// <summary>The <c>server.ready</c> instance this answers.</summary>
    public required Guid Instance { get; init; }

    /// <summary>Cerebro's summary (rejections only).</summary>
    public string? Reason { get; init; }

    /// <summary>The accepted tasks.</summary>
    public IReadOnlyList<string> Accepted { get; init; } = [];

    /// <summary>The refused tasks, each with Cerebro's reason.</summary>
    public IReadOnlyList<TaskProblem> Refused { get; init; } = [];

    /// <summary>Accepted tasks that cannot run yet because an upstream is declared by nobody.</summary>
    public IReadOnlyList<TaskProblem> Unresolved { get; init; } = [];

    /// <summary>When Cerebro decided.</summary>
    public DateTimeOffset At { get; init; }
}
