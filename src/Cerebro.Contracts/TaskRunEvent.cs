namespace Cerebro.Contracts;

/// <summary>The fields every task-state message of an agent carries, copied from the <see cref="InvokeTask"/>.</summary>
public abstract class TaskRunEvent
{
    /// <summary>The task run, from <see cref="InvokeTask.TaskRunId"/>.</summary>
    public required Guid TaskRunId { get; init; }

    /// <summary>The run, from <see cref="InvokeTask.RunId"/>.</summary>
    public required Guid RunId { get; init; }

    /// <summary>The task's name.</summary>
    public required string Task { get; init; }

    /// <summary>The attempt, from <see cref="InvokeTask.Attempt"/>.</summary>
    public required int Attempt { get; init; }

    /// <summary>The reporting agent's name.</summary>
    public required string Agent { get; init; }

    /// <summary>When the state was reached, by the agent's clock.</summary>
    public required DateTimeOffset At { get; init; }
}
