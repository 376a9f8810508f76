using System.Diagnostics;
using System.Globalization;
using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Shape 7: Cerebro's resident memory with N task runs in flight (invoked and started, their handlers holding them),
/// above its baseline, scaled to 10,000. Each repetition uses a fresh Cerebro. The baseline is taken after a warm-up
/// that pushes at least as many task runs through Cerebro as are then held, so the garbage collector's heaps have
/// already grown to what that much message churn needs: what the held runs add on top is what they retain.
/// </summary>
public sealed class MemoryMeasurements(BenchContext context)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    private readonly BenchShape _hold = BenchShape.Parse($"hold:{context.Options.InFlight}");
    private readonly BenchShape _warm = BenchShape.Parse("fan:200@warm");
    private Figure _perTenThousand = null!, _baseline = null!, _inFlight = null!;

    public IEnumerable<Figure> Declare(ResultTable results)
    {
        _perTenThousand = results.Declare("7", "Cerebro RSS above baseline per 10,000 task runs in flight", "MB", Better.Lower, 4);
        _baseline = results.Declare("7'", "Cerebro RSS at baseline (after warm-up)", "MB", Better.Lower);
        _inFlight = results.Declare("7''", $"Cerebro RSS with {_hold.Size:N0} task runs in flight", "MB", Better.Lower);
        return [_perTenThousand, _baseline, _inFlight];
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _perTenThousand.FloorText = "0 (in-flight state lives in PostgreSQL)";
        var anonymous = new List<double>();
        for (var rep = 0; rep < context.Options.Reps; rep++)
        {
            // Getting 10,000 runs in flight takes Cerebro longer than its 10 s ack timeout here (see the fan shape): a long
            // one keeps those task runs in flight instead of turning them to errors, which is what is measured.
            await using var cluster = await CerebroCluster.StartAsync(context, $"memory-{rep + 1}", cancellationToken,
                new Dictionary<string, string> { ["Cerebro__AckTimeout"] = "00:30:00" }).ConfigureAwait(false);
            var agent = await cluster.StartAgentAsync("bench-agent", $"{_warm.Spec},{_hold.Spec}", cancellationToken).ConfigureAwait(false);
            var warmupRuns = (_hold.Size + _warm.Size - 1) / _warm.Size;
            for (var i = 0; i < warmupRuns; i++)
                await cluster.RunAsync(_warm.Root!, context.Options.ShapeTimeout, cancellationToken, agent).ConfigureAwait(false);
            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            var pid = cluster.Server.Id;
            var (baseRss, baseAnon) = await SampleAsync(pid, cancellationToken).ConfigureAwait(false);

            var clock = Stopwatch.StartNew();
            await cluster.Api.StartRunAsync(_hold.Root!, cancellationToken).ConfigureAwait(false);
            var posted = clock.Elapsed;
            while (true)
            {
                agent.Timestamps.Refresh();
                var started = agent.Timestamps.StartsOf(_hold.Prefix + "-");
                var applied = started < _hold.Size ? 0 : await PostgresServer.ScalarAsync<long>(cluster.Database,
                    "SELECT count(*) FROM task_runs WHERE \"CurrentState\" = 'Started'", cancellationToken).ConfigureAwait(false);
                if (applied >= _hold.Size)
                    break;
                if (clock.Elapsed > context.Options.ShapeTimeout)
                    throw new TimeoutException($"{started} of {_hold.Size} held task runs started at the agent, {applied} started in Cerebro's store");
                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }

            var inFlightAfter = clock.Elapsed;
            await Task.Delay(Settle, cancellationToken).ConfigureAwait(false);
            var (rss, anon) = await SampleAsync(pid, cancellationToken).ConfigureAwait(false);
            _baseline.Values.Add(baseRss / 1e6);
            _inFlight.Values.Add(rss / 1e6);
            _perTenThousand.Values.Add((rss - baseRss) / 1e6 * 10_000 / _hold.Size);
            anonymous.Add((anon - baseAnon) / 1e6 * 10_000 / _hold.Size);
            context.Log(string.Create(CultureInfo.InvariantCulture,
                $"memory rep {rep + 1}: baseline {baseRss / 1e6:0.0} MB; POST /api/runs of {_hold.TaskRunsPerRun} task runs answered after {posted.TotalSeconds:0.0} s; {_hold.Size} in flight after {inFlightAfter.TotalSeconds:0.0} s: {rss / 1e6:0.0} MB (anonymous {baseAnon / 1e6:0.0} → {anon / 1e6:0.0} MB), peak {ProcStats.PeakResidentBytes(pid) / 1e6:0.0} MB"));
        }

        _perTenThousand.Note = string.Create(CultureInfo.InvariantCulture,
            $"Cerebro__AckTimeout=30 min for this shape only; baseline after {(_hold.Size + _warm.Size - 1) / _warm.Size} runs of {_warm.Spec} ({_hold.Size:N0}+ task runs of churn); VmRSS from /proc after {Settle.TotalSeconds:0} s of quiet; anonymous memory only (RssAnon): median {Stats.Median(anonymous):0.0} MB per 10,000. The coordinator runs ASP.NET's default server GC; no GC-heap figure (no dotnet-counters here), so RSS also holds heap the GC has not given back");
    }

    private static async Task<(double Rss, double Anonymous)> SampleAsync(int pid, CancellationToken cancellationToken)
    {
        var rss = new List<double>();
        var anonymous = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            rss.Add(ProcStats.ResidentBytes(pid) ?? double.NaN);
            anonymous.Add(ProcStats.AnonymousResidentBytes(pid) ?? double.NaN);
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }

        return (Stats.Median(rss), Stats.Median(anonymous));
    }
}
