using System.Diagnostics;
using System.Globalization;
using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Shape 8: the same work, 2,000 task runs by default (<c>--fan</c>), as 1 run, as 10 runs and as 100 runs in flight at
/// once (each run independent tasks joined by one final task), in task runs per second from the first run's creation
/// to the last run's end. Work per event must not grow with the number of runs, so the rate must stay flat.
/// </summary>
public sealed class ConcurrencyMeasurements(BenchContext context)
{
    private static readonly int[] RunCounts = [1, 10, 100];
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<int, BenchShape> _shapes = RunCounts.ToDictionary(k => k,
        k => BenchShape.Parse(string.Create(CultureInfo.InvariantCulture, $"fan:{context.Options.FanSize / k - 1}@runs{k}")));

    private readonly Dictionary<int, Figure> _rates = [];
    private Figure _flat = null!;

    public IEnumerable<Figure> Declare(ResultTable results)
    {
        foreach (var k in RunCounts)
            _rates[k] = results.Declare($"8-{k}", $"{k} run(s) in flight, {_shapes[k].TaskRunsPerRun * k:N0} task runs in all: task runs per second",
                "/s", Better.Higher);
        _flat = results.Declare("8'", "throughput with 100 runs in flight ÷ with 1", "×", Better.Higher, 1 / 1.2, "flat (≥ 0.83×)");
        return [.. _rates.Values, _flat];
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        SetFloors();
        await using var cluster = await CerebroCluster.StartAsync(context, "runs", cancellationToken).ConfigureAwait(false);
        var spec = string.Join(",", RunCounts.Select(k => _shapes[k].Spec));
        var agent = await cluster.StartAgentAsync("bench-agent", spec, cancellationToken).ConfigureAwait(false);
        var first = _shapes[RunCounts[0]];
        await WarmUp.RunAsync(context, cluster, agent, first.Root!, first.TaskRunsPerRun, "runs", cancellationToken).ConfigureAwait(false);

        var failures = new FailedRuns(context, "runs in flight");
        for (var rep = 0; rep < context.Options.Reps; rep++)
        {
            foreach (var k in RunCounts)
            {
                var repetition = rep;
                await failures.TryAsync(async () =>
                {
                    var rate = await RunConcurrentlyAsync(cluster, _shapes[k], k, cancellationToken).ConfigureAwait(false);
                    _rates[k].Values.Add(rate);
                    context.Log(string.Create(CultureInfo.InvariantCulture,
                        $"runs rep {repetition + 1}: {k} in flight, {rate:0} task runs/s"));
                }).ConfigureAwait(false);
            }

            if (_rates[1].Values.Count > rep && _rates[100].Values.Count > rep)
                _flat.Values.Add(_rates[100].Values[rep] / _rates[1].Values[rep]);
        }

        failures.Report([.. _rates.Values, _flat]);
    }

    /// <summary>Starts <paramref name="count"/> runs at once and waits for every one; task runs per second over the whole.</summary>
    private async Task<double> RunConcurrentlyAsync(CerebroCluster cluster, BenchShape shape, int count, CancellationToken cancellationToken)
    {
        var root = shape.Root!;
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => cluster.Api.StartRunAsync(root, cancellationToken))).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var runs = await cluster.Api.RunSummariesAsync(root, count + 10, cancellationToken).ConfigureAwait(false);
            var mine = ids.Where(runs.ContainsKey).Select(id => runs[id]).ToList();
            if (mine.Count == count && mine.All(r => r.FinishedAt is not null))
            {
                if (mine.Select(r => r.Status).FirstOrDefault(s => s != "succeeded") is { } status)
                    throw new InvalidOperationException($"a run of {root} ended {status}");
                var span = mine.Max(r => r.FinishedAt!.Value) - mine.Min(r => r.CreatedAt);
                return count * shape.TaskRunsPerRun / span.TotalSeconds;
            }

            if (clock.Elapsed > context.Options.ShapeTimeout)
                throw new TimeoutException($"{count - mine.Count(r => r.FinishedAt is not null)} of {count} runs of {root} not finished after {clock.Elapsed.TotalSeconds:0} s");
            await Task.Delay(StatusPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private void SetFloors()
    {
        if (context.Floor(FloorNames.Throughput) is not { } throughput)
            return;
        foreach (var figure in _rates.Values)
        {
            figure.Floor = throughput;
            figure.FloorText = "F3";
        }
    }
}
