using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Measurements;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks;

/// <summary>
/// Runs the selected end-to-end shapes one after the other, each within its time budget (a shape that exceeds it is
/// reported as timed out and its processes killed), and returns the results table.
/// </summary>
public static class EndToEnd
{
    public static async Task<(ResultTable Results, string Header, bool Failed)> RunAsync(BenchOptions options, string outputDirectory)
    {
        var results = new ResultTable();
        using var context = new BenchContext(options, outputDirectory, results);
        CheckBuilt(context);
        await CheckServicesAsync().ConfigureAwait(false);

        var loadBefore = ProcStats.LoadAverage();
        var cpuBefore = ProcStats.MachineCpu();
        var clock = Stopwatch.StartNew();
        using var total = new CancellationTokenSource(options.Timeout);

        var floors = new FloorMeasurements(context);
        var chain = new ChainMeasurements(context);
        var fan = new ThroughputMeasurements(context, "fan");
        var layers = new ThroughputMeasurements(context, "layers");
        var runs = new ConcurrencyMeasurements(context);
        var graphSize = new GraphSizeMeasurements(context);
        var declare = new DeclareMeasurements(context);
        var memory = new MemoryMeasurements(context);
        var profile = new ProfileMeasurements(context);
        var plan = new List<(string Name, IEnumerable<Figure> Figures, Func<CancellationToken, Task> Run)>
        {
            // Every other figure is also a ratio to these, so they are measured whenever anything is.
            ("floors", floors.Declare(results).ToList(), floors.RunAsync),
        };
        if (options.Shapes.Contains("chain"))
            plan.Add(("chain", chain.Declare(results).ToList(), chain.RunAsync));
        if (options.Shapes.Contains("fan"))
            plan.Add(("fan", fan.Declare(results).ToList(), fan.RunAsync));
        if (options.Shapes.Contains("layers"))
            plan.Add(("layers", layers.Declare(results).ToList(), layers.RunAsync));
        if (options.Shapes.Contains("runs"))
            plan.Add(("runs", runs.Declare(results).ToList(), runs.RunAsync));
        if (options.Shapes.Contains("declare"))
            plan.Add(("declare", declare.Declare(results).ToList(), declare.RunAsync));
        if (options.Shapes.Contains("graphsize"))
            plan.Add(("graphsize", graphSize.Declare(results).ToList(), graphSize.RunAsync));
        if (options.Shapes.Contains("memory"))
            plan.Add(("memory", memory.Declare(results).ToList(), memory.RunAsync));
        if (options.Shapes.Contains("profile"))
            plan.Add(("profile", profile.Declare(results).ToList(), profile.RunAsync));

        var failed = false;
        foreach (var (name, figures, run) in plan)
            failed |= !await RunShapeAsync(context, name, figures, run, total.Token).ConfigureAwait(false);

        var cpuAfter = ProcStats.MachineCpu();
        var busy = (cpuAfter.BusyMs - cpuBefore.BusyMs) / Math.Max(1, cpuAfter.TotalMs - cpuBefore.TotalMs);
        var header = string.Create(CultureInfo.InvariantCulture, $"""
            ## Cerebro benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC

            {Environment.ProcessorCount} cores; load average {loadBefore:0.0} at the start, {ProcStats.LoadAverage():0.0} at the end; machine busy {busy:P0} over {clock.Elapsed.TotalMinutes:0.0} min; {options.Reps} repetitions per figure.
            Cerebro: {context.ServerAssembly} ({File.GetLastWriteTimeUtc(context.ServerAssembly):yyyy-MM-dd HH:mm} UTC), {Git("rev-parse --short HEAD")}{(Git("status --porcelain src") is { Length: > 0 } ? " + uncommitted changes in src/" : "")}.
            Median and min – max over the repetitions; the floors were measured in this same run (the ratio is figure / floor for times, floor / figure for rates: 1.0× = at the physical limit).
            """);
        return (results, header, failed);
    }

    private static async Task<bool> RunShapeAsync(BenchContext context, string name, IEnumerable<Figure> figures, Func<CancellationToken, Task> run, CancellationToken total)
    {
        if (total.IsCancellationRequested)
        {
            context.Results.Fail(figures, "not run: the whole benchmark's time budget was spent", int.MaxValue);
            return false;
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(total);
        budget.CancelAfter(context.Options.ShapeTimeout);
        var clock = Stopwatch.StartNew();
        context.Log($"=== {name}");
        try
        {
            await run(budget.Token).ConfigureAwait(false);
            context.Log($"=== {name} done in {clock.Elapsed.TotalSeconds:0} s");
            return true;
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            var problem = total.IsCancellationRequested ? "timed out (whole benchmark's budget)" : $"timed out after {context.Options.ShapeTimeout.TotalSeconds:0} s";
            context.Results.Fail(figures, problem, context.Options.Reps);
            context.Results.Note($"{name}: {problem}; process logs in {Path.Combine(context.OutputDirectory, "logs")}");
            context.Log($"=== {name}: {problem}");
            return false;
        }
        catch (TimeoutException ex)
        {
            context.Results.Fail(figures, "timed out", context.Options.Reps);
            context.Results.Note($"{name}: timed out: {FirstLine(ex.Message)}");
            context.Log($"=== {name}: timed out: {ex.Message}");
            return false;
        }
        catch (Exception ex)
        {
            context.Results.Fail(figures, "error", context.Options.Reps);
            context.Results.Note($"{name}: error: {FirstLine(ex.Message)}");
            context.Log($"=== {name}: error: {ex}");
            return false;
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0];

    private static void CheckBuilt(BenchContext context)
    {
        foreach (var assembly in new[] { context.ServerAssembly, context.AgentAssembly })
        {
            if (!File.Exists(assembly))
                throw new FileNotFoundException($"{assembly} is missing: build it first (scripts/bench.sh does: dotnet build tests/Cerebro.Benchmarks -c Release)");
        }
    }

    private static async Task CheckServicesAsync()
    {
        var postgres = new Npgsql.NpgsqlConnectionStringBuilder(BenchSettings.Postgres);
        foreach (var (what, host, port) in new[]
        {
            ("RabbitMQ", BenchSettings.RabbitMq.Host, BenchSettings.RabbitMq.IsDefaultPort ? 5672 : BenchSettings.RabbitMq.Port),
            ("RabbitMQ management", BenchSettings.RabbitMqManagement.Host, BenchSettings.RabbitMqManagement.Port),
            ("PostgreSQL", postgres.Host!, postgres.Port),
        })
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(host, port).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or TimeoutException)
            {
                throw new InvalidOperationException($"{what} does not answer on {host}:{port} ({ex.Message}); start the services: sudo scripts/services.sh", ex);
            }
        }
    }

    private static string Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = RepositoryPaths.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5000);
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}
