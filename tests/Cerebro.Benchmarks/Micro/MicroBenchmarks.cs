using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Cerebro.Benchmarks.Micro;

/// <summary>
/// The BenchmarkDotNet part: in-process (no generated project to build), ShortRun (3 warm-ups, 3 iterations), with
/// allocations. Any argument the harness does not know is passed on (e.g. <c>--filter *Plan*</c>).
/// </summary>
public static class MicroBenchmarks
{
    public static IReadOnlyList<Summary> Run(string artifacts, string[] arguments)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddExporter(MarkdownExporter.GitHub)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.JoinSummary);
        return [.. BenchmarkSwitcher.FromTypes([typeof(DeclareBenchmarks), typeof(PlanBenchmarks)])
            .Run(arguments.Length == 0 ? ["--filter", "*"] : arguments, config)];
    }
}
