namespace Cerebro.Worker;

/// <summary>A task registration is invalid: a bad name, a missing owner, a bad upstream, cron or timeout.</summary>
public sealed class TaskDefinitionException : CerebroException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the registration.</param>
    public TaskDefinitionException(string message)
        : base(message)
    {
    }
}
