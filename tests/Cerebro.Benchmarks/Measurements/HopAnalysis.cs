using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Benchmarks.Infrastructure;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>Hop latencies of a chain run from the agent's timestamps.</summary>
public static class HopAnalysis
{
    public static List<HopSample> Chain(BenchShape chain, IReadOnlyDictionary<string, TaskStamp> stamps, AgentTimestamps clock)
    {
        var hops = new List<HopSample>(chain.Size);
        for (var i = 1; i < chain.Size; i++)
        {
            if (!stamps.TryGetValue(chain.Name(i - 1), out var upstream) || !stamps.TryGetValue(chain.Name(i), out var downstream)
                || upstream.End is not { } end || upstream.EndUtc is not { } endUtc)
                continue;
            var total = clock.Milliseconds(downstream.Arrived - end);
            var coordinator = (downstream.InvokedAtUtc - endUtc) / (double)TimeSpan.TicksPerMillisecond;
            var sdk = clock.Milliseconds(downstream.Start - downstream.Arrived);
            hops.Add(new HopSample(total, coordinator, total - coordinator, sdk));
        }

        return hops;
    }
}
