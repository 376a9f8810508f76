using System.Globalization;
using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Shapes 2 and 3: one run of many task runs (independent ones joined by one final task, or layers each depending on
/// every task of the layer before), its total time from the run's createdAt to its finishedAt, and task runs per second.
/// </summary>
public sealed class ThroughputMeasurements(BenchContext context, string name)
{
    private readonly BenchShape _shape = name == "fan"
        ? BenchShape.Parse($"fan:{context.Options.FanSize}")
        : BenchShape.Parse($"layers:{context.Options.LayerCount}x{context.Options.LayerWidth}");

    private Figure _total = null!, _rate = null!;
    private Figure? _transitions;

    public IEnumerable<Figure> Declare(ResultTable results)
    {
        if (_shape.Kind == ShapeKind.Fan)
        {
            var title = $"{_shape.Size:N0} independent + join";
            _rate = results.Declare("2", $"{title}: task runs per second", "/s", Better.Higher, 1000);
            _transitions = results.Declare("2'", $"{title}: task-state transitions per second (3 per task run)", "/s", Better.Higher, 2000);
            _total = results.Declare("2''", $"{title}: run created → run finished", "ms", Better.Lower);
            return [_rate, _transitions, _total];
        }

        var layers = $"{_shape.Size}×{_shape.Width} layers (+ join, {_shape.TaskRunsPerRun} task runs)";
        _total = results.Declare("3", $"{layers}: run created → run finished", "ms", Better.Lower, 700);
        _rate = results.Declare("3'", $"{layers}: task runs per second", "/s", Better.Higher);
        return [_total, _rate];
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        SetFloors();
        await using var cluster = await CerebroCluster.StartAsync(context, name, cancellationToken).ConfigureAwait(false);
        var agent = await cluster.StartAgentAsync("bench-agent", _shape.Spec, cancellationToken).ConfigureAwait(false);
        var timeout = context.Options.ShapeTimeout;

        await WarmUp.RunAsync(context, cluster, agent, _shape.Root!, _shape.TaskRunsPerRun, name, cancellationToken).ConfigureAwait(false);
        var lastTask = new List<double>();
        var failures = new FailedRuns(context, name);
        for (var rep = 0; rep < context.Options.Reps; rep++)
        {
            var repetition = rep;
            await failures.TryAsync(async () =>
            {
                var before = CpuSnapshot.Take(cluster);
                var run = await cluster.RunAsync(_shape.Root!, timeout, cancellationToken, agent).ConfigureAwait(false);
                var cpu = CpuSnapshot.Between(before, CpuSnapshot.Take(cluster), _shape.TaskRunsPerRun);
                var total = run.Duration!.Value.TotalMilliseconds;
                _total.Values.Add(total);
                _rate.Values.Add(_shape.TaskRunsPerRun / (total / 1000));
                _transitions?.Values.Add(3 * _shape.TaskRunsPerRun / (total / 1000));
                lastTask.Add(run.UntilLastTask!.Value.TotalMilliseconds);
                context.Log(string.Create(CultureInfo.InvariantCulture,
                    $"{name} rep {repetition + 1}: {total:0} ms ({run.UntilLastTask!.Value.TotalMilliseconds:0} ms to the last task's end), {_rate.Values[^1]:0} task runs/s, Cerebro {cpu.Server:0.00} ms CPU per task run, machine busy {cpu.MachineBusy:P0} (others {cpu.Others:P0})"));
                if (_total.Values.Count == 1)
                    CpuDetail.Add(context.Results, _shape.Spec, cpu);
            }).ConfigureAwait(false);
        }

        failures.Report([_total, _rate, .. _transitions is null ? Array.Empty<Figure>() : [_transitions]]);
        if (lastTask.Count > 0)
            _total.Note = string.Create(CultureInfo.InvariantCulture,
                $"run created → the last task run's finishedAt (the agent's task.completed time): median {Stats.Median(lastTask):0} ms; the rest is Cerebro concluding the run (run saga)");
    }

    private void SetFloors()
    {
        if (context.Floor(FloorNames.Throughput) is { } throughput)
        {
            _rate.Floor = throughput;
            _rate.FloorText = "F3";
            if (_transitions is not null)
            {
                _transitions.Floor = throughput;
                _transitions.FloorText = "F3, one request/reply + commit per transition";
            }
        }

        if (_shape.Kind == ShapeKind.Layers && context.Floor(FloorNames.RabbitDbP50) is { } p50)
        {
            _total.Floor = (_shape.Size + 1) * p50;
            _total.FloorText = $"{_shape.Size + 1} hops × F2 p50";
        }
        else if (context.Floor(FloorNames.Throughput) is { } rate)
        {
            _total.Floor = _shape.TaskRunsPerRun / rate * 1000;
            _total.FloorText = "task runs / F3";
        }
    }
}
