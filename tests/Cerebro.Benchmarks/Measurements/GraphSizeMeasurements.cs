using System.Globalization;
using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Shape 6: the same chain of 100 tasks on a Cerebro whose graph holds only that chain, and on one whose graph also
/// holds 99,900 other tasks (100,000 in all). Both clusters run side by side and their repetitions alternate, so a
/// change in the machine's load hits both alike. The cost of a hop must not grow with the graph.
/// </summary>
public sealed class GraphSizeMeasurements(BenchContext context)
{
    private const int ChainLength = 100;
    private const int BigGraph = 100_000;

    private readonly BenchShape _chain = BenchShape.Parse($"chain:{ChainLength}");
    private Figure _small = null!, _big = null!, _ratio = null!;

    public IEnumerable<Figure> Declare(ResultTable results)
    {
        _small = results.Declare("6a", $"hop p50, chain of {ChainLength} on a {ChainLength}-task graph", "ms", Better.Lower);
        _big = results.Declare("6b", $"hop p50, the same chain on a {BigGraph:N0}-task graph", "ms", Better.Lower);
        _ratio = results.Declare("6c", "hop p50 ratio, 100,000-task graph / 100-task graph", "×", Better.Lower, 1.2);
        return [_small, _big, _ratio];
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (context.Floor(FloorNames.RabbitDbP50) is { } p50)
        {
            _small.Floor = _big.Floor = p50;
            _small.FloorText = _big.FloorText = "F2 p50";
        }

        var timeout = context.Options.ShapeTimeout;
        await using var small = await CerebroCluster.StartAsync(context, "graphsize-small", cancellationToken).ConfigureAwait(false);
        var smallAgent = await small.StartAgentAsync("bench-agent", _chain.Spec, cancellationToken).ConfigureAwait(false);
        await using var big = await CerebroCluster.StartAsync(context, "graphsize-big", cancellationToken).ConfigureAwait(false);
        var bigAgent = await big.StartAgentAsync("bench-agent", $"{_chain.Spec},graph:{BigGraph - ChainLength}", cancellationToken, timeout).ConfigureAwait(false);

        await small.RunAsync(_chain.Root!, timeout, cancellationToken, smallAgent).ConfigureAwait(false);
        await big.RunAsync(_chain.Root!, timeout, cancellationToken, bigAgent).ConfigureAwait(false);
        var perHop = (Small: new List<double>(), Big: new List<double>());
        var failures = new FailedRuns(context, "graph size");
        for (var rep = 0; rep < context.Options.Reps; rep++)
        {
            var repetition = rep;
            await failures.TryAsync(async () =>
            {
                var a = await HopP50Async(small, smallAgent, perHop.Small, timeout, cancellationToken).ConfigureAwait(false);
                var b = await HopP50Async(big, bigAgent, perHop.Big, timeout, cancellationToken).ConfigureAwait(false);
                _small.Values.Add(a);
                _big.Values.Add(b);
                _ratio.Values.Add(b / a);
                context.Log(string.Create(CultureInfo.InvariantCulture, $"graph size rep {repetition + 1}: hop p50 {a:0.00} ms on {ChainLength} tasks, {b:0.00} ms on {BigGraph:N0}"));
            }).ConfigureAwait(false);
        }

        failures.Report(_small, _big, _ratio);
        _ratio.Note = string.Create(CultureInfo.InvariantCulture,
            $"per hop (run total / {ChainLength}): median {Stats.Median(perHop.Small):0.00} ms on the small graph, {Stats.Median(perHop.Big):0.00} ms on the big one; each ratio pairs two runs made one after the other");
    }

    private async Task<double> HopP50Async(CerebroCluster cluster, BenchAgent agent, List<double> perHop, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var run = await cluster.RunAsync(_chain.Root!, timeout, cancellationToken, agent).ConfigureAwait(false);
        var stamps = await CerebroCluster.WaitForStampsAsync(agent, run.RunId, _chain.TaskRunsPerRun, timeout, cancellationToken).ConfigureAwait(false);
        perHop.Add(run.Duration!.Value.TotalMilliseconds / ChainLength);
        return Stats.Percentile(HopAnalysis.Chain(_chain, stamps, agent.Timestamps).Select(h => h.Total).ToList(), 50);
    }
}
