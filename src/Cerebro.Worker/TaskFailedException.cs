namespace Cerebro.Worker;

/// <summary>
/// Thrown by a task handler to fail the task run with an exact description: the <c>task.failed</c> event carries
/// <see cref="Exception.Message"/> unchanged as its error, written for the owning team.
/// </summary>
/// <remarks>Any other exception fails the task run too, with a description built from its type and message.</remarks>
public sealed class TaskFailedException : CerebroException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="description">What went wrong, sent unchanged as the <c>task.failed</c> error.</param>
    /// <param name="errorType">
    /// An optional machine-readable kind of error sent as <c>errorType</c>; <c>TaskFailedException</c> when absent.
    /// </param>
    /// <param name="innerException">The cause, logged by the agent but not sent.</param>
    public TaskFailedException(string description, string? errorType = null, Exception? innerException = null)
        : base(description, innerException)
    {
        ErrorType = errorType;
    }

    /// <summary>The machine-readable kind of error to report, or null for the exception type name.</summary>
    public string? ErrorType { get; }
}
