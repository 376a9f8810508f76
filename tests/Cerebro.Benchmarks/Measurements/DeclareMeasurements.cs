using System.Globalization;
using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Shape 5: one agent declares a graph of N tasks (1.5 edges per task on average) to a Cerebro whose graph is empty
/// but which has already served one small declaration (warm). Measured on the agent's clock: from the moment the
/// broker confirmed the whole server.ready (Cerebro's share: receive, validate, store, answer) and from the moment the
/// SDK began sending it (the agent's serialization and upload included) to the verdict's arrival. Each repetition
/// uses a fresh database.
/// </summary>
public sealed class DeclareMeasurements(BenchContext context)
{
    private readonly Dictionary<int, (Figure Cerebro, Figure EndToEnd)> _figures = [];

    public IEnumerable<Figure> Declare(ResultTable results)
    {
        foreach (var size in context.Options.DeclareSizes)
        {
            double? target = size switch { 10_000 => 100, 100_000 => 1000, _ => null };
            var k = $"{size / 1000}k";
            _figures[size] = (
                results.Declare($"5-{k}", $"declare {size:N0} tasks: server.ready in the broker → verdict at the agent", "ms", Better.Lower, target),
                results.Declare($"5-{k}'", $"declare {size:N0} tasks: SDK starts sending server.ready → verdict", "ms", Better.Lower));
        }

        return _figures.Values.SelectMany(f => new[] { f.Cerebro, f.EndToEnd });
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var (size, (cerebro, endToEnd)) in _figures)
        {

            var shape = BenchShape.Parse($"graph:{size}");
            long? body = null;
            for (var rep = 0; rep < context.Options.Reps; rep++)
            {
                await using var cluster = await CerebroCluster.StartAsync(context, $"declare-{size}-{rep + 1}", cancellationToken).ConfigureAwait(false);
                await cluster.StartAgentAsync("bench-warm", "chain:3@warm", cancellationToken).ConfigureAwait(false);
                var agent = await cluster.StartAgentAsync("bench-agent", shape.Spec, cancellationToken, context.Options.ShapeTimeout).ConfigureAwait(false);
                var t = agent.Timestamps;
                if (t.VerdictAccepted != size)
                    throw new InvalidOperationException($"the verdict accepted {t.VerdictAccepted} of {size} tasks ({t.VerdictRefused} refused)");
                if (t.ReadySent is not { } sent || t.VerdictAt is not { } verdict)
                    throw new InvalidOperationException("the agent's timestamps lack READY-SENT or VERDICT");
                cerebro.Values.Add(t.Milliseconds(verdict - sent));
                if (t.ReadySendStart is { } start)
                    endToEnd.Values.Add(t.Milliseconds(verdict - start));
                body = t.ReadyBodyBytes ?? body;
                context.Log(string.Create(CultureInfo.InvariantCulture,
                    $"declare {size} rep {rep + 1}: {cerebro.Values[^1]:0} ms from the broker's confirm, {(endToEnd.Values.Count > 0 ? endToEnd.Values[^1] : double.NaN):0} ms from the send's start; body {(t.ReadyBodyBytes ?? 0) / 1048576.0:0.0} MiB"));
            }

            // The floor's transfer was measured with a body of its own making: scale it to the size the SDK really sent.
            if (context.Floor(FloorNames.Copy(size)) is { } copy && context.Floor(FloorNames.TransferPerByte(size)) is { } perByte && body is { } bytes)
            {
                cerebro.Floor = copy + (perByte * bytes);
                cerebro.FloorText = $"F4-{size / 1000}k at {bytes / 1048576.0:0.0} MiB";
            }
            else if (context.Floor(FloorNames.Declare(size)) is { } floor)
            {
                cerebro.Floor = floor;
                cerebro.FloorText = $"F4-{size / 1000}k";
            }

            cerebro.Note = string.Create(CultureInfo.InvariantCulture,
                $"server.ready body {(body ?? 0) / 1048576.0:0.0} MiB (RabbitMQ's default max message size is 128 MiB); 'in the broker' = the SDK's publish confirmed; the verdict (declaration.accepted lists every accepted task) is included");
        }
    }
}
