using System.Diagnostics;
using System.Globalization;
using Cerebro.BenchmarkAgent.Shapes;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// Where a task run's cost goes, counted rather than timed: SQL commands by verb (EF Core's command log, on for this
/// cluster only), PostgreSQL transactions committed and WAL written, messages published per queue (RabbitMQ management
/// statistics) and CPU time per process, for one run of a chain and one of a fan-in, minus the background rate of an
/// idle window of the same cluster (deadline sweeper, recovery, heartbeats).
/// </summary>
public sealed class ProfileMeasurements(BenchContext context)
{
    // The management plugin refreshes queue statistics every 5 s.
    private static readonly TimeSpan StatsLag = TimeSpan.FromSeconds(6);

    private Figure _sqlPerTaskRun = null!, _commitsPerTaskRun = null!, _messagesPerTaskRun = null!;

    public IEnumerable<Figure> Declare(ResultTable results)
    {
        _sqlPerTaskRun = results.Declare("P1", $"profile: SQL commands per task run (chain of {context.Options.ChainLength})", "", Better.Lower);
        _commitsPerTaskRun = results.Declare("P2", "profile: PostgreSQL commits per task run (chain)", "", Better.Lower);
        _messagesPerTaskRun = results.Declare("P3", "profile: RabbitMQ messages published per task run (chain)", "", Better.Lower);
        return [_sqlPerTaskRun, _commitsPerTaskRun, _messagesPerTaskRun];
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Smaller than the timed shapes: counts per task run hardly change with size, and the log of every SQL command is long.
        var chain = BenchShape.Parse($"chain:{context.Options.ChainLength}");
        var fan = BenchShape.Parse("fan:200");
        var layers = BenchShape.Parse("layers:5x20");
        var sql = new SqlCounter();
        await using var cluster = await CerebroCluster.StartAsync(context, "profile", cancellationToken, new Dictionary<string, string>
        {
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
        }).ConfigureAwait(false);
        cluster.Server.LineObserver = sql.Observe;
        var agent = await cluster.StartAgentAsync("bench-agent", $"{chain.Spec},{fan.Spec},{layers.Spec}", cancellationToken).ConfigureAwait(false);
        var timeout = context.Options.ShapeTimeout;
        var failures = new FailedRuns(context, "profile");
        foreach (var shape in new[] { chain, fan, layers })
            await failures.TryAsync(() => cluster.RunAsync(shape.Root!, timeout, cancellationToken, agent)).ConfigureAwait(false);

        await Task.Delay(StatsLag, cancellationToken).ConfigureAwait(false);
        var idleStart = await CountersAsync(cluster, sql, cancellationToken).ConfigureAwait(false);
        await Task.Delay(StatsLag, cancellationToken).ConfigureAwait(false);
        var idle = (await CountersAsync(cluster, sql, cancellationToken).ConfigureAwait(false)).Minus(idleStart);

        var rows = new List<string[]>
        {
            new[] { "per task run", "task runs", "SQL commands (SELECT / INSERT / UPDATE / DELETE / other)", "SQL statements", "PG commits", "WAL KiB", "messages published (by queue)", "Cerebro CPU ms" },
        };
        foreach (var shape in new[] { chain, fan, layers })
        {
            var before = await CountersAsync(cluster, sql, cancellationToken).ConfigureAwait(false);
            if (!await failures.TryAsync(() => cluster.RunAsync(shape.Root!, timeout, cancellationToken, agent)).ConfigureAwait(false))
                continue;
            await Task.Delay(StatsLag, cancellationToken).ConfigureAwait(false);
            var after = await CountersAsync(cluster, sql, cancellationToken).ConfigureAwait(false);
            var raw = after.Minus(before);
            // Background work (deadline sweeps, recovery, heartbeats) is subtracted from the counts; CPU is left as measured.
            var used = raw.Minus(idle.Scale(raw.Ticks / (double)idle.Ticks)) with { ServerCpuMs = raw.ServerCpuMs };
            var n = (double)shape.TaskRunsPerRun;
            string Per(double value) => Figure.Format(Math.Max(0, value) / n);
            rows.Add([shape.Spec, shape.TaskRunsPerRun.ToString(CultureInfo.InvariantCulture),
                $"{Per(used.Sql)} ({string.Join(" / ", new[] { "SELECT", "INSERT", "UPDATE", "DELETE", "other" }.Select(v => Per(used.Commands.GetValueOrDefault(v))))})",
                Per(used.Statements), Per(used.Commits), Per(used.WalBytes / 1024.0),
                $"{Per(used.Published.Values.Sum())} ({string.Join(", ", used.Published.Where(p => p.Value > 0).OrderByDescending(p => p.Value).Select(p => $"{p.Key} {Per(p.Value)}"))})",
                Per(used.ServerCpuMs)]);
            if (shape == chain)
            {
                _sqlPerTaskRun.Values.Add(Math.Max(0, used.Sql) / n);
                _commitsPerTaskRun.Values.Add(Math.Max(0, used.Commits) / n);
                _messagesPerTaskRun.Values.Add(Math.Max(0, used.Published.Values.Sum()) / n);
            }

            context.Log($"profile {shape.Spec}: {string.Join(" | ", rows[^1])}");
        }

        failures.Report(_sqlPerTaskRun, _commitsPerTaskRun, _messagesPerTaskRun);
        context.Results.Detail(
            "Profile: cost per task run, counted (EF Core command log on, so CPU is higher than in the timed shapes; the counts have an idle window's background rate subtracted, CPU does not; WAL counts the whole PostgreSQL server; PG commits include the implicit transaction of every statement outside one):",
            rows);
        if (context.Options.Perf)
            await SampleCpuAsync([chain, BenchShape.Parse($"fan:{context.Options.FanSize}"), BenchShape.Parse($"layers:{context.Options.LayerCount}x{context.Options.LayerWidth}")], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A second, quiet cluster (no command log) whose CPU perf samples during one run of each shape.</summary>
    private async Task SampleCpuAsync(BenchShape[] shapes, CancellationToken cancellationToken)
    {
        if (!PerfProfiler.IsAvailable)
        {
            context.Results.Note("profile: --perf asked, but /usr/bin/perf is not installed (Debian's linux-perf)");
            return;
        }

        await using var cluster = await CerebroCluster.StartAsync(context, "profile-perf", cancellationToken, PerfProfiler.Environment).ConfigureAwait(false);
        var agent = await cluster.StartAgentAsync("bench-agent", string.Join(',', shapes.Select(s => s.Spec)), cancellationToken).ConfigureAwait(false);
        var failures = new FailedRuns(context, "profile (perf)");
        foreach (var shape in shapes)
        {
            // Tiered compilation keeps re-compiling hot methods for a while: let it settle before sampling.
            for (var i = 0; i < 3; i++)
                await failures.TryAsync(() => cluster.RunAsync(shape.Root!, context.Options.ShapeTimeout, cancellationToken, agent)).ConfigureAwait(false);
            var data = Path.Combine(cluster.LogDirectory, $"perf-{shape.Prefix}.data");
            var perf = PerfProfiler.Start(cluster.Server.Id, data, Path.Combine(cluster.LogDirectory, $"perf-{shape.Prefix}.log"));
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            await failures.TryAsync(() => cluster.RunAsync(shape.Root!, context.Options.ShapeTimeout, cancellationToken, agent)).ConfigureAwait(false);
            var (components, frames) = await PerfProfiler.StopAndReportAsync(perf, data, 15).ConfigureAwait(false);
            context.Results.Detail($"perf: where Cerebro's CPU went during one run of {shape.Spec} (self time by component; full report: {data}.txt):",
                [["component", "share of samples"], .. components]);
            context.Results.Detail($"perf: Cerebro's hottest frames during that run of {shape.Spec}:", [["self", "frame"], .. frames]);
        }

        File.Delete($"/tmp/perf-{cluster.Server.Id}.map");
    }

    private async Task<Counters> CountersAsync(CerebroCluster cluster, SqlCounter sql, CancellationToken cancellationToken)
    {
        var (commands, statements) = sql.Snapshot();
        var commits = await PostgresServer.ScalarAsync<long>(cluster.Database,
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", cancellationToken).ConfigureAwait(false);
        var wal = await PostgresServer.ScalarAsync<long>(cluster.Database,
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", cancellationToken).ConfigureAwait(false);
        var queues = await context.Management.GetQueuesAsync(cluster.VirtualHost, cancellationToken).ConfigureAwait(false);
        return new Counters(Stopwatch.GetTimestamp(), commands, statements, commits, wal,
            queues.ToDictionary(q => q.Name, q => (double)q.Published, StringComparer.Ordinal), ProcStats.CpuMs(cluster.Server.Id));
    }
}
