namespace Cerebro.Contracts;

/// <summary>The task failed while running; the owning team must fix it.</summary>
public sealed class TaskFailed : TaskRunEvent
{
    /// <summary>What went wrong, written for the owning team.</summary>
    public required string Error { get; init; }

    /// <summary>A machine-readable kind of error, such as an exception type, optional.</summary>
    public string? ErrorType { get; init; }
}
