using System.Diagnostics;

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>
/// Waiting for a condition that nothing signals (a database row, a queue's consumer count, an HTTP answer): check
/// every 50 ms until it holds or the deadline passes. Besides waiting on a signal, the one way tests wait.
/// </summary>
public static class Poll
{
    /// <summary>How long between two checks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Completes once <paramref name="condition"/> returns true; throws <see cref="TimeoutException"/> naming
    /// <paramref name="what"/> when it has not within <paramref name="timeout"/>. An exception of the condition ends the wait.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await UntilAsync(condition, done => done, timeout, what, cancellationToken);
    }

    /// <summary>
    /// Probes until <paramref name="accept"/> takes the value and returns that value; on timeout, the message shows
    /// the last value seen (e.g. "run 42 completed; last seen: started").
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(accept);
        var clock = Stopwatch.StartNew();
        var checks = 0;
        while (true)
        {
            var value = await probe();
            checks++;
            if (accept(value))
                return value;
            if (clock.Elapsed >= timeout)
            {
                var last = value is bool ? "" : $"; last seen: {value?.ToString() ?? "null"}";
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.###} s ({checks} checks) waiting for {what}{last}");
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }
}
