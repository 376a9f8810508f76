using System.Diagnostics;
using System.Globalization;
using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Shapes 1 and 4: a chain of tasks each depending on the one before, run alone (total time, per-hop time, hop p50/p99
/// on a quiet system), then again while a second agent's independent runs keep Cerebro at a paced number of task-state
/// transitions per second (three per task run: invoked, started, completed).
/// </summary>
public sealed class ChainMeasurements(BenchContext context)
{
    private const string LoadShape = "fan:10@load";
    private static readonly TimeSpan LoadWarmup = TimeSpan.FromSeconds(3);

    // Under load a run may queue behind a backlog for minutes: past this it counts as failed, and the next one starts.
    private static readonly TimeSpan LoadedRunTimeout = TimeSpan.FromSeconds(90);

    private readonly BenchShape _chain = BenchShape.Parse($"chain:{context.Options.ChainLength}");
    private readonly BenchShape _load = BenchShape.Parse(LoadShape);
    private Figure _total = null!, _perHop = null!, _quietP50 = null!, _quietP99 = null!, _loadP50 = null!, _loadP99 = null!, _achieved = null!;

    public IEnumerable<Figure> Declare(ResultTable results)
    {
        var n = _chain.Size;
        _total = results.Declare("1", $"chain of {n}: run created → run finished", "ms", Better.Lower, 600);
        _perHop = results.Declare("1'", $"chain of {n}: per hop (total / {n})", "ms", Better.Lower);
        _quietP50 = results.Declare("4a", "hop p50, quiet (completed sent → next invoke received, at the agent)", "ms", Better.Lower, 3);
        _quietP99 = results.Declare("4b", "hop p99, quiet", "ms", Better.Lower, 10);
        _loadP50 = results.Declare("4c", $"hop p50 at {context.Options.LoadRate:0} transitions/s background", "ms", Better.Lower, 3);
        _loadP99 = results.Declare("4d", $"hop p99 at {context.Options.LoadRate:0} transitions/s background", "ms", Better.Lower, 25);
        _achieved = results.Declare("4e", "background load achieved (transitions/s, 3 per task run)", "/s", Better.Higher, context.Options.LoadRate);
        return [_total, _perHop, _quietP50, _quietP99, _loadP50, _loadP99, _achieved];
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        SetFloors();
        await using var cluster = await CerebroCluster.StartAsync(context, "chain", cancellationToken).ConfigureAwait(false);
        var agent = await cluster.StartAgentAsync("bench-agent", _chain.Spec, cancellationToken).ConfigureAwait(false);
        var loadAgent = await cluster.StartAgentAsync("bench-load", _load.Spec, cancellationToken).ConfigureAwait(false);
        var timeout = context.Options.ShapeTimeout;

        // Warm-up (discarded): JIT and tiered re-compilation, connection pools, the agents' first sends.
        await WarmUp.RunAsync(context, cluster, agent, _chain.Root!, _chain.TaskRunsPerRun, "chain", cancellationToken).ConfigureAwait(false);
        var warmup = new FailedRuns(context, "chain, warm-up of the load agent");
        await warmup.TryAsync(() => cluster.RunAsync(_load.Root!, timeout, cancellationToken, loadAgent)).ConfigureAwait(false);
        warmup.Report();

        var quietHops = new List<HopSample>();
        var quietFailures = new FailedRuns(context, "chain, quiet");
        for (var rep = 0; rep < context.Options.Reps; rep++)
        {
            var repetition = rep;
            await quietFailures.TryAsync(async () =>
            {
                var before = CpuSnapshot.Take(cluster);
                var run = await cluster.RunAsync(_chain.Root!, timeout, cancellationToken, agent).ConfigureAwait(false);
                var stamps = await CerebroCluster.WaitForStampsAsync(agent, run.RunId, _chain.TaskRunsPerRun, timeout, cancellationToken).ConfigureAwait(false);
                var cpu = CpuSnapshot.Between(before, CpuSnapshot.Take(cluster), _chain.TaskRunsPerRun);
                var hops = HopAnalysis.Chain(_chain, stamps, agent.Timestamps);
                quietHops.AddRange(hops);
                var total = run.Duration!.Value.TotalMilliseconds;
                _total.Values.Add(total);
                _perHop.Values.Add(total / _chain.Size);
                _quietP50.Values.Add(Stats.Percentile(hops.Select(h => h.Total).ToList(), 50));
                _quietP99.Values.Add(Stats.Percentile(hops.Select(h => h.Total).ToList(), 99));
                context.Log(string.Create(CultureInfo.InvariantCulture,
                    $"chain rep {repetition + 1}: {total:0} ms ({run.UntilLastTask?.TotalMilliseconds:0} ms to the last task's end), hop p50 {_quietP50.Values[^1]:0.00} p99 {_quietP99.Values[^1]:0.00} ms, Cerebro {cpu.Server:0.0} ms CPU per task run, machine busy {cpu.MachineBusy:P0} (others {cpu.Others:P0})"));
                if (_total.Values.Count == 1)
                    CpuDetail.Add(context.Results, $"chain of {_chain.Size}, quiet", cpu);
            }).ConfigureAwait(false);
        }

        quietFailures.Report(_total, _perHop, _quietP50, _quietP99);
        // Added now, so a loaded phase that runs out of time does not lose it.
        var breakdown = HopHeader();
        AddHopRow(breakdown, "quiet", quietHops);
        context.Results.Detail("Hop breakdown (median of every hop of every repetition, ms; the parts are on the machine's one clock):", breakdown);

        var rate = context.Options.LoadRate / (3.0 * _load.TaskRunsPerRun);
        context.Log($"chain: starting background load, {rate:0.0} runs/s of {_load.Root} ({_load.TaskRunsPerRun} task runs each)");
        var loadedHops = new List<HopSample>();
        await using (var load = new LoadGenerator(cluster.Api, _load.Root!, rate))
        {
            await Task.Delay(LoadWarmup, cancellationToken).ConfigureAwait(false);
            // One chain under the load first, discarded: the code paths of both together run hot only after a while
            // (the first loaded repetition was 3-5x slower than the next in every run before this warm-up).
            var loadedWarmup = new FailedRuns(context, "chain, warm-up under load");
            await loadedWarmup.TryAsync(() => cluster.RunAsync(_chain.Root!, LoadedRunTimeout, cancellationToken, agent)).ConfigureAwait(false);
            loadedWarmup.Report();
            var loadedFailures = new FailedRuns(context, "chain, under load", countTimeouts: true);
            for (var rep = 0; rep < context.Options.Reps; rep++)
            {
                var repetition = rep;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var ok = await loadedFailures.TryAsync(async () =>
                {
                    var run = await cluster.RunAsync(_chain.Root!, LoadedRunTimeout, cancellationToken, agent).ConfigureAwait(false);
                    var stamps = await CerebroCluster.WaitForStampsAsync(agent, run.RunId, _chain.TaskRunsPerRun, timeout, cancellationToken).ConfigureAwait(false);
                    var hops = HopAnalysis.Chain(_chain, stamps, agent.Timestamps);
                    loadedHops.AddRange(hops);
                    _loadP50.Values.Add(Stats.Percentile(hops.Select(h => h.Total).ToList(), 50));
                    _loadP99.Values.Add(Stats.Percentile(hops.Select(h => h.Total).ToList(), 99));
                    context.Log(string.Create(CultureInfo.InvariantCulture,
                        $"chain under load rep {repetition + 1}: {run.Duration!.Value.TotalMilliseconds:0} ms, hop p50 {_loadP50.Values[^1]:0.00} p99 {_loadP99.Values[^1]:0.00} ms"));
                }).ConfigureAwait(false);

                // The load's own transitions while this repetition ran, counted from the load agent's handler ends.
                var ended = System.Diagnostics.Stopwatch.GetTimestamp();
                loadAgent.Timestamps.Refresh();
                var count = loadAgent.Timestamps.EndsBetween(_load.Prefix + "-", started, ended);
                _achieved.Values.Add(3 * count / ((ended - started) / (double)Stopwatch.Frequency));
                context.Log(string.Create(CultureInfo.InvariantCulture,
                    $"chain under load rep {repetition + 1}: background achieved {_achieved.Values[^1]:0} transitions/s{(ok ? "" : " (the chain run failed)")}"));
            }

            loadedFailures.Report(_loadP50, _loadP99);
            _achieved.Note = $"asked {context.Options.LoadRate:0}/s = {rate:0.0} runs/s of {_load.TaskRunsPerRun} task runs; {load.Started} runs triggered, {load.Skipped} ticks skipped (16 requests already in flight), {load.Failed} failed";
        }

        AddHopRow(breakdown, "under load", loadedHops);
        context.Results.Note(string.Create(CultureInfo.InvariantCulture,
            $"hops: {quietHops.Count + loadedHops.Count} measured; the invoke's receipt was seen by the agent's MassTransit activity listener for {(quietHops.Count + loadedHops.Count == 0 ? 0 : 1.0 * (quietHops.Concat(loadedHops).Count(h => h.Sdk > 0)) / (quietHops.Count + loadedHops.Count)):P0} of them (else the handler's start, which is later by the SDK's confirmed task.started). The upstream's 'completed sent' is its handler's last line: the SDK serializes and publishes task.completed right after, so the hop includes that."));
    }

    private void SetFloors()
    {
        if (context.Floor(FloorNames.RabbitDbP50) is { } p50)
        {
            _total.Floor = p50 * _chain.Size;
            _total.FloorText = $"{_chain.Size} × F2 p50";
            _perHop.Floor = p50;
            _perHop.FloorText = "F2 p50";
            _quietP50.Floor = p50;
            _quietP50.FloorText = "F2 p50";
            _loadP50.Floor = p50;
            _loadP50.FloorText = "F2 p50";
        }

        if (context.Floor(FloorNames.RabbitDbP99) is { } p99)
        {
            _quietP99.Floor = p99;
            _quietP99.FloorText = "F2 p99";
            _loadP99.Floor = p99;
            _loadP99.FloorText = "F2 p99";
        }
    }

    private static List<string[]> HopHeader() =>
    [
        ["system", "hops", "hop p50", "hop p99", "coordinator: completed sent → invoke stamped", "delivery: invoke stamped → received", "SDK: received → handler (task.started confirmed)"],
    ];

    private static void AddHopRow(List<string[]> rows, string name, List<HopSample> hops)
    {
        if (hops.Count == 0)
            return;
        rows.Add([name, hops.Count.ToString(CultureInfo.InvariantCulture),
            Figure.Format(Stats.Percentile(hops.Select(h => h.Total).ToList(), 50)),
            Figure.Format(Stats.Percentile(hops.Select(h => h.Total).ToList(), 99)),
            Figure.Format(Stats.Median(hops.Select(h => h.Coordinator).ToList())),
            Figure.Format(Stats.Median(hops.Select(h => h.Delivery).ToList())),
            Figure.Format(Stats.Median(hops.Select(h => h.Sdk).ToList()))]);
    }
}
