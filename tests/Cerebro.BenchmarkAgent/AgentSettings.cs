using System.Globalization;
using Cerebro.BenchmarkAgent.Shapes;

namespace Cerebro.BenchmarkAgent;

/// <summary>
/// What the harness tells the agent, by environment variable (or <c>--name value</c> arguments of the same names):
/// <c>BENCH_SHAPES</c> (required, e.g. <c>chain:200</c> or <c>chain:100,graph:99900</c>), <c>BENCH_AGENT</c>
/// (default <c>bench-agent</c>), <c>BENCH_OUTPUT</c> (the timestamp file), <c>BENCH_MAX_CONCURRENCY</c> (default 64,
/// plus every held task). The broker comes from <c>ConnectionStrings__RabbitMq</c>, as for any agent on the SDK.
/// </summary>
internal sealed record AgentSettings(string Agent, IReadOnlyList<BenchShape> Shapes, string OutputPath, int MaxConcurrency)
{
    public const int DefaultMaxConcurrency = 64;

    public static AgentSettings From(string[] args)
    {
        var shapes = Read(args, "BENCH_SHAPES")
            ?? throw new ArgumentException("BENCH_SHAPES is required, e.g. BENCH_SHAPES=chain:200 (see tests/Cerebro.Benchmarks/README.md)");
        var parsed = BenchShape.ParseList(shapes);
        var agent = Read(args, "BENCH_AGENT") ?? "bench-agent";
        var output = Read(args, "BENCH_OUTPUT") ?? Path.GetFullPath($"{agent}-{Environment.ProcessId}.timestamps");
        var concurrency = Read(args, "BENCH_MAX_CONCURRENCY") is { } text
            ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
            : DefaultMaxConcurrency;
        // Held tasks keep their slot for ever: give them slots of their own so the others still run.
        concurrency += parsed.Where(s => s.Holds).Sum(s => s.Size);
        return new AgentSettings(agent, parsed, output, concurrency);
    }

    private static string? Read(string[] args, string name)
    {
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--" + name)
                return args[i + 1];
        }

        return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
    }
}
