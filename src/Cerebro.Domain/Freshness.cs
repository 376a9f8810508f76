namespace Cerebro.Domain;

/// <summary>The one rule that decides whether an earlier success may stand in for running a task again.</summary>
public static class Freshness
{
    /// <summary>
    /// True when the task succeeded at most <paramref name="window"/> before <paramref name="now"/>.
    /// A success stamped after <paramref name="now"/> (clock skew) counts as fresh.
    /// </summary>
    /// <param name="lastSuccess">When the task last finished successfully, or null if never.</param>
    /// <param name="window">How old a success may be.</param>
    /// <param name="now">The time the run is planned.</param>
    public static bool IsSatisfied(DateTimeOffset? lastSuccess, TimeSpan window, DateTimeOffset now) =>
        lastSuccess is { } at && now - at <= window;
}
