namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>A run that Cerebro ended as failed (a task run errored or was blocked): evidence, not a harness fault.</summary>
public sealed class RunFailedException(string message, RunDetails run) : Exception(message)
{
    public RunDetails Run { get; } = run;
}
