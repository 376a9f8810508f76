using Cerebro.Benchmarks.Infrastructure;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Runs a shape, discarded, until the Cerebro has served the warm-up's worth of task runs (at least one run): the
/// figures are for a coordinator in its steady state, not for a process whose hot code is still being re-compiled.
/// </summary>
public static class WarmUp
{
    public static async Task RunAsync(BenchContext context, CerebroCluster cluster, BenchAgent agent, string root, int taskRunsPerRun,
        string shape, CancellationToken cancellationToken)
    {
        var runs = Math.Max(1, (context.Options.WarmupTaskRuns + taskRunsPerRun - 1) / taskRunsPerRun);
        var failures = new FailedRuns(context, $"{shape}, warm-up");
        for (var i = 0; i < runs; i++)
            await failures.TryAsync(() => cluster.RunAsync(root, context.Options.ShapeTimeout, cancellationToken, agent)).ConfigureAwait(false);
        failures.Report();
        context.Log($"{shape}: warmed up with {runs} run(s), {runs * taskRunsPerRun} task runs");
    }
}
