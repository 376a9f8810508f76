namespace Cerebro.UnitTests.Coordinator;

/// <summary>Polls a condition until it holds or a deadline passes; the delay is only the poll interval.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what}: not within {limit.TotalSeconds:0.#} s; last seen: {Describe(value)}");
            await Task.Delay(PollInterval);
        }
    }

    public static Task<T> UntilAsync<T>(Func<T> probe, Func<T, bool> done, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(probe()), done, what, timeout);

    private static string Describe<T>(T value) =>
        value switch
        {
            null => "null",
            Server.Api.RunView run => $"run {run.RunId} {run.Status}: "
                + string.Join(", ", run.Tasks.Select(t => $"{t.Task}={t.State}{(t.Error is null ? "" : $" ({t.Error.Message})")}"
                    + (t.WaitingFor.Count > 0 ? $" waiting for [{string.Join(",", t.WaitingFor)}]" : ""))),
            System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>()) + "]",
            _ => value.ToString() ?? "",
        };
}
