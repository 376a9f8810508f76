using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Cerebro.Benchmarks.Infrastructure;

namespace Cerebro.Benchmarks.Measurements;

/// <summary>
/// CPU sampling of a .NET process with Linux perf (software clock, so it works in a VM without hardware counters).
/// The process must run with <see cref="Environment"/>: a perf map names JIT-compiled frames, and without W^X double
/// mapping perf attributes them to that map instead of an anonymous memfd.
/// </summary>
public static partial class PerfProfiler
{
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["DOTNET_PerfMapEnabled"] = "1",
        ["DOTNET_EnableWriteXorExecute"] = "0",
    };

    // First match wins: (component, pattern on "dso symbol").
    private static readonly (string Component, Regex Pattern)[] Components =
    [
        ("CLR runtime (GC, allocation, type checks, stubs)", new Regex(@"CastHelpers::|VirtualDispatchHelpers::|RuntimeTypeHandle::|^\[JIT\] tid \d+ stub |JIT_|WriteBarrier", RegexOptions.Compiled)),
        ("EF Core (queries, change tracking, SaveChanges)", new Regex(@"\] Microsoft\.EntityFrameworkCore|\] Npgsql\.EntityFrameworkCore|Anonymously Hosted DynamicMethods", RegexOptions.Compiled)),
        ("PostgreSQL client (Npgsql)", new Regex(@"\] Npgsql\.", RegexOptions.Compiled)),
        ("MassTransit (pipes, saga, serialization)", new Regex(@"\] MassTransit", RegexOptions.Compiled)),
        ("RabbitMQ client", new Regex(@"\] RabbitMQ\.", RegexOptions.Compiled)),
        ("JSON (System.Text.Json)", new Regex(@"\] System\.Text\.Json", RegexOptions.Compiled)),
        ("Cerebro", new Regex(@"\] Cerebro\.", RegexOptions.Compiled)),
        ("ASP.NET Core / DI / logging", new Regex(@"\] Microsoft\.(AspNetCore|Extensions)\.", RegexOptions.Compiled)),
        ("LINQ expressions / reflection", new Regex(@"\] System\.(Linq\.Expressions|Reflection|Dynamic)", RegexOptions.Compiled)),
        ("async machinery, thread pool, locks", new Regex(@"\] System\.(Threading|Runtime\.CompilerServices)", RegexOptions.Compiled)),
        ("collections, LINQ, strings (BCL)", new Regex(@"\] System\.(Collections|Linq|String|Text|Buffers|Memory|Span|Guid|Number|SpanHelpers)", RegexOptions.Compiled)),
        ("other managed code", new Regex(@"^\[JIT\]|^perf-\d+\.map", RegexOptions.Compiled)),
        ("TLS / crypto (Npgsql's SSL to PostgreSQL)", new Regex(@"^lib(crypto|ssl)|Cryptography", RegexOptions.Compiled)),
        ("CLR runtime (GC, allocation, type checks, stubs)", new Regex(@"^libcoreclr|^libclrgc", RegexOptions.Compiled)),
        ("JIT", new Regex(@"^libclrjit", RegexOptions.Compiled)),
        ("kernel (syscalls, scheduling, network stack)", new Regex(@"^\[kernel", RegexOptions.Compiled)),
    ];

    public static bool IsAvailable => File.Exists("/usr/bin/perf");

    public static ChildProcess Start(int pid, string dataFile, string logPath) =>
        ChildProcess.Start("perf", "/usr/bin/perf", ["record", "-F", "999", "-e", "cpu-clock", "-g", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", dataFile], logPath);

    /// <summary>Stops the recording; the share of samples per component and the hottest frames (self time).</summary>
    public static async Task<(List<string[]> Components, List<string[]> Frames)> StopAndReportAsync(ChildProcess perf, string dataFile, int topFrames)
    {
        await perf.InterruptAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        await perf.DisposeAsync().ConfigureAwait(false);
        var startInfo = new ProcessStartInfo("/usr/bin/perf")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "report", "-i", dataFile, "--stdio", "--no-children", "--sort", "dso,symbol", "-g", "none", "--percent-limit", "0" })
            startInfo.ArgumentList.Add(argument);
        using var report = Process.Start(startInfo)!;
        var output = await report.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await report.WaitForExitAsync().ConfigureAwait(false);
        await File.WriteAllTextAsync(dataFile + ".txt", output).ConfigureAwait(false);

        var frames = new List<(double Percent, string Dso, string Symbol)>();
        foreach (var line in output.Split('\n'))
        {
            var match = FrameLine().Match(line);
            if (match.Success)
                frames.Add((double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, match.Groups[3].Value.Trim()));
        }

        var byComponent = frames
            .GroupBy(f => Components.FirstOrDefault(c => c.Pattern.IsMatch($"{f.Dso} {f.Symbol}")).Component ?? $"other ({f.Dso})")
            .Select(g => (Component: g.Key, Percent: g.Sum(f => f.Percent)))
            .OrderByDescending(c => c.Percent)
            .Where(c => c.Percent >= 0.5)
            .Select(c => new[] { c.Component, c.Percent.ToString("0.0", CultureInfo.InvariantCulture) + " %" })
            .ToList();
        var top = frames.OrderByDescending(f => f.Percent).Take(topFrames)
            .Select(f => new[] { f.Percent.ToString("0.00", CultureInfo.InvariantCulture) + " %", Shorten(f.Symbol.Length > 0 ? f.Symbol : f.Dso) })
            .ToList();
        return (byComponent, top);
    }

    private static string Shorten(string symbol)
    {
        var text = symbol.Replace("|", "/", StringComparison.Ordinal);
        return text.Length <= 160 ? text : text[..157] + "...";
    }

    // "    12.34%  dso  [.] symbol   -   -"
    [GeneratedRegex(@"^\s*([\d.]+)%\s+(\[JIT\] tid \d+|\S+(?: \(deleted\))?)\s+\[[.k]\]\s+(.*?)(?:\s+-\s+-\s*)?$")]
    private static partial Regex FrameLine();
}
