namespace Cerebro.Contracts;

/// <summary>A declared task Cerebro cannot run, and why.</summary>
public sealed class TaskProblem
{
    /// <summary>The task's name.</summary>
    public required string Task { get; init; }

    /// <summary>Why, written for the agent's team.</summary>
    public required string Reason { get; init; }
}
