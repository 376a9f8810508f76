using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Cerebro.Server.Telemetry;

/// <summary>
/// <c>cerebro.agents</c>: agents by state (ready, stopping, offline: ready but not heard from within
/// <c>Cerebro:AgentOfflineAfter</c>), as GET /api/agents shows them. Observed from the database when a reader collects
/// (every export interval), one source per Cerebro host in the process.
/// </summary>
internal static class AgentsGauge
{
    private static readonly ConcurrentDictionary<object, Func<IEnumerable<Measurement<int>>>> Sources = new();

    static AgentsGauge() =>
        CerebroTelemetry.Meter.CreateObservableGauge("cerebro.agents", () => Sources.Values.SelectMany(source => source()), "{agent}",
            "Agents by state: ready (online), stopping, offline (not heard from within the offline delay).");

    public static void Register(object owner, Func<IEnumerable<Measurement<int>>> measure) => Sources[owner] = measure;

    public static void Unregister(object owner) => Sources.TryRemove(owner, out _);
}
