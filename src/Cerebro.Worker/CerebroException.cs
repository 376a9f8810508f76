namespace Cerebro.Worker;

/// <summary>The base of every exception the Cerebro worker SDK throws on purpose.</summary>
public class CerebroException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public CerebroException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CerebroException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
