namespace Cerebro.Contracts;

/// <summary>Cerebro tells a task's owner team that a task run ended in error.</summary>
public sealed class TaskRunErrored
{
    /// <summary>The run.</summary>
    public required Guid RunId { get; init; }

    /// <summary>The task run.</summary>
    public required Guid TaskRunId { get; init; }

    /// <summary>The task's name.</summary>
    public required string Task { get; init; }

    /// <summary>The agent that was to run it.</summary>
    public required string Agent { get; init; }

    /// <summary>The owner team, who must fix it.</summary>
    public required string Owner { get; init; }

    /// <summary>The attempt that failed.</summary>
    public required int Attempt { get; init; }

    /// <summary>The agent's description of the error, or Cerebro's own reason (a timeout).</summary>
    public required string Error { get; init; }

    /// <summary><c>agent</c> when the agent reported the error, <c>cerebro</c> when Cerebro decided it.</summary>
    public required string Source { get; init; }

    /// <summary>Downstream tasks of the run that will not run because of this error.</summary>
    public IReadOnlyList<string> Blocks { get; init; } = [];

    /// <summary>When the error was recorded.</summary>
    public required DateTimeOffset At { get; init; }
}
