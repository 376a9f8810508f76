namespace Cerebro.Benchmarks.Measurements;

/// <summary>Cumulative counters of a cluster at one moment (see <see cref="ProfileMeasurements"/>); differences give the cost of what ran between two.</summary>
public sealed record Counters(long Ticks, Dictionary<string, long> CommandCounts, double Statements, double Commits, double WalBytes,
    Dictionary<string, double> Published, double ServerCpuMs)
{
    public Dictionary<string, double> Commands => CommandCounts.ToDictionary(c => c.Key, c => (double)c.Value, StringComparer.Ordinal);

    public double Sql => CommandCounts.Values.Sum();

    public Counters Minus(Counters other) => new(
        Ticks - other.Ticks,
        CommandCounts.ToDictionary(c => c.Key, c => c.Value - other.CommandCounts.GetValueOrDefault(c.Key), StringComparer.Ordinal),
        Statements - other.Statements,
        Commits - other.Commits,
        WalBytes - other.WalBytes,
        Published.ToDictionary(p => p.Key, p => p.Value - other.Published.GetValueOrDefault(p.Key), StringComparer.Ordinal),
        ServerCpuMs - other.ServerCpuMs);

    public Counters Scale(double factor) => new(
        (long)(Ticks * factor),
        CommandCounts.ToDictionary(c => c.Key, c => (long)Math.Round(c.Value * factor), StringComparer.Ordinal),
        Statements * factor,
        Commits * factor,
        WalBytes * factor,
        Published.ToDictionary(p => p.Key, p => p.Value * factor, StringComparer.Ordinal),
        ServerCpuMs * factor);
}
