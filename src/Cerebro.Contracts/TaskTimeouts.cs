namespace Cerebro.Contracts;

/// <summary>How long Cerebro waits for each step of a task run before it turns the run to error.</summary>
public sealed class TaskTimeouts
{
    /// <summary>From the invoke to <c>task.queued</c> or <c>task.started</c>; Cerebro's default is 10 s.</summary>
    public double? AckSeconds { get; init; }

    /// <summary>From <c>task.queued</c> to <c>task.started</c>; Cerebro's default is 10 min.</summary>
    public double? StartSeconds { get; init; }

    /// <summary>From <c>task.started</c> to <c>task.completed</c> or <c>task.failed</c>; Cerebro's default is 30 min.</summary>
    public double? CompleteSeconds { get; init; }
}
