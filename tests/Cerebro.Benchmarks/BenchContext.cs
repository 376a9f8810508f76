using System.Diagnostics;
using System.Globalization;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Reporting;

namespace Cerebro.Benchmarks;

/// <summary>What every measurement shares: options, the results, the floors measured so far, where logs go.</summary>
public sealed class BenchContext(BenchOptions options, string outputDirectory, ResultTable results) : IDisposable
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public BenchOptions Options { get; } = options;
    public string OutputDirectory { get; } = outputDirectory;
    public ResultTable Results { get; } = results;
    public RabbitMqManagementClient Management { get; } = new(BenchSettings.RabbitMqManagement);
    public string ServerAssembly { get; } = options.ServerAssembly ?? RepositoryPaths.ServerAssembly;
    public string AgentAssembly { get; } = options.AgentAssembly ?? RepositoryPaths.AgentAssembly;

    /// <summary>Floors measured in this run, by name (see FloorMeasurements); absent when floors were not measured.</summary>
    public Dictionary<string, double> Floors { get; } = [];

    public double? Floor(string name) => Floors.TryGetValue(name, out var value) ? value : null;

    public void Log(string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Clock.Elapsed.TotalSeconds,7:0.0}s] {message}"));

    public void Dispose() => Management.Dispose();
}
