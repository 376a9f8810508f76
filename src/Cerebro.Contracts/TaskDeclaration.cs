namespace Cerebro.Contracts;

/// <summary>One task an agent is responsible for, as declared in <see cref="ServerReady"/>.</summary>
public sealed class TaskDeclaration
{
    /// <summary>The task's name, unique across all agents.</summary>
    public required string Name { get; init; }

    /// <summary>The team that owns the task and is told when it fails.</summary>
    public required string Owner { get; init; }

    /// <summary>Free text for operators.</summary>
    public string? Description { get; init; }

    /// <summary>Tasks that must run first in the same run, or must have succeeded recently.</summary>
    public IReadOnlyList<UpstreamDeclaration> Upstreams { get; init; } = [];

    /// <summary>An optional cron schedule (five fields, or six with seconds first), in UTC.</summary>
    public string? Cron { get; init; }

    /// <summary>Per-task overrides of Cerebro's timeouts.</summary>
    public TaskTimeouts? Timeouts { get; init; }
}
