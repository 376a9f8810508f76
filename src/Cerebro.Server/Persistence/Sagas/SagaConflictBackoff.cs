namespace Cerebro.Server.Persistence.Sagas;

/// <summary>
/// How long a writer that lost a race waits before reporting the conflict. MassTransit's retry intervals are the same
/// for every message, so writers that collided once would collide again on every immediate retry; a random wait whose
/// ceiling doubles with each attempt spreads them out (exponential backoff with full jitter).
/// </summary>
internal static class SagaConflictBackoff
{
    private const int BaseMilliseconds = 10;
    private const int MaxMilliseconds = 250;

    public static TimeSpan Next(int retryAttempt)
    {
        var ceiling = Math.Min(MaxMilliseconds, BaseMilliseconds << Math.Clamp(retryAttempt, 0, 10));
        return TimeSpan.FromMilliseconds(Random.Shared.Next(0, ceiling + 1));
    }
}
