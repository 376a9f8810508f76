namespace Cerebro.Worker;

/// <summary>A task name was registered twice on the same worker.</summary>
public sealed class DuplicateTaskException : CerebroException
{
    /// <summary>Creates the exception for a task name.</summary>
    /// <param name="task">The task name registered twice.</param>
    public DuplicateTaskException(string task)
        : base($"task '{task}' is already registered on this worker; task names must be unique")
    {
        Task = task;
    }

    /// <summary>The task name registered twice.</summary>
    public string Task { get; }
}
