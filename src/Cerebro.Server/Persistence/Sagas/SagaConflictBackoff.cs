namespace Cerebro.Server.Persistence.Sagas;

/// <summary>
/// How long a writer that lost a race waits before reporting the conflict. MassTransit's retry intervals are the same
/// for every message, so writers that collided once would collide again on every immediate retry; a random wait whose
/// ceiling doubles with each attempt spreads them out (exponential backoff with full jitter).
/// </summary>
internal static class SagaConflictBackoff
{
    private const int BaseMilliseconds = 2;
    private const int MaxMilliseconds = 100;

    public static TimeSpan Next(int retryAttempt)
    {
        var mode = Environment.GetEnvironmentVariable("DIAG_JITTER") ?? "exp";
        var parts = mode.Split(':'); var b = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : BaseMilliseconds; var m = parts.Length > 2 ? int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) : MaxMilliseconds;
        var ceiling = parts[0] == "exp" ? Math.Min(m, b << Math.Clamp(retryAttempt, 0, 10)) : int.Parse(mode, System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(Random.Shared.Next(0, ceiling + 1));
    }
}
