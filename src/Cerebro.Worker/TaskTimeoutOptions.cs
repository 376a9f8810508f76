namespace Cerebro.Worker;

/// <summary>
/// Deploy-time overrides of one task's declared timeouts, bound from
/// <c>Cerebro:Worker:Timeouts:&lt;task&gt;</c> (for example the environment variable
/// <c>Cerebro__Worker__Timeouts__build-sales__CompleteSeconds=5</c>). A value set here wins over the registration.
/// </summary>
public sealed class TaskTimeoutOptions
{
    /// <summary>Seconds Cerebro waits from the invoke to <c>task.queued</c> or <c>task.started</c>.</summary>
    public double? AckSeconds { get; set; }

    /// <summary>Seconds Cerebro waits from <c>task.queued</c> to <c>task.started</c>.</summary>
    public double? StartSeconds { get; set; }

    /// <summary>Seconds Cerebro waits from <c>task.started</c> to <c>task.completed</c> or <c>task.failed</c>.</summary>
    public double? CompleteSeconds { get; set; }
}
