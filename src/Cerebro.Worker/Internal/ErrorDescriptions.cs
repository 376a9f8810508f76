using System.Text;

namespace Cerebro.Worker.Internal;

/// <summary>Turns a handler's exception into the <c>error</c> and <c>errorType</c> of <c>task.failed</c>.</summary>
internal static class ErrorDescriptions
{
    private const int MaxLength = 8 * 1024;

    public static string Describe(string task, Exception exception)
    {
        if (exception is TaskFailedException failed)
            return failed.Message;

        if (exception is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
            exception = aggregate.InnerExceptions[0];

        var text = new StringBuilder($"{task} failed: {exception.GetType().Name}: {exception.Message}");
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
            text.Append(" ---> ").Append(inner.GetType().Name).Append(": ").Append(inner.Message);
        return text.Length <= MaxLength ? text.ToString() : text.ToString(0, MaxLength - 1) + "…";
    }

    public static string TypeOf(Exception exception) => exception switch
    {
        TaskFailedException { ErrorType: { } type } => type,
        AggregateException { InnerExceptions.Count: 1 } aggregate => aggregate.InnerExceptions[0].GetType().Name,
        _ => exception.GetType().Name,
    };
}
