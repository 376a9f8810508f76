using System.Diagnostics;
using System.Globalization;
using Cerebro.Worker;

namespace Cerebro.BenchmarkAgent;

/// <summary>
/// The benchmark's task handlers: they do nothing but note, on the agent's clock, when the invoke came off the broker,
/// when the handler began and when it returned (the SDK sends <c>task.completed</c> right after).
/// </summary>
/// <remarks>
/// Lines: <c>S task taskRunId runId attempt receivedTicks|- startTicks startUtcTicks invokedAtUtcTicks</c> and
/// <c>E task taskRunId runId endTicks endUtcTicks</c>. The handler begins only after the SDK's <c>task.started</c> was
/// confirmed by the broker, so start minus receipt is the SDK's own share of a hop.
/// </remarks>
internal sealed class BenchHandlers(ReceiveProbe probe, TimestampLog log)
{
    public Task<object?> NoOpAsync(TaskContext context, CancellationToken cancellationToken)
    {
        Started(context);
        log.Write(string.Create(CultureInfo.InvariantCulture,
            $"E {context.Task} {context.TaskRunId} {context.RunId} {Stopwatch.GetTimestamp()} {DateTime.UtcNow.Ticks}"));
        return Task.FromResult<object?>(null);
    }

    /// <summary>Holds the task run in flight until the agent stops (then the SDK reports it failed).</summary>
    public async Task<object?> HoldAsync(TaskContext context, CancellationToken cancellationToken)
    {
        Started(context);
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private void Started(TaskContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var startUtc = DateTime.UtcNow.Ticks;
        var received = probe.ReceivedAt(context);
        log.Write(string.Create(CultureInfo.InvariantCulture,
            $"S {context.Task} {context.TaskRunId} {context.RunId} {context.Attempt} {(received is { } r ? r.ToString(CultureInfo.InvariantCulture) : "-")} {start} {startUtc} {context.InvokedAt.UtcTicks}"));
    }
}
