using Cerebro.Benchmarks;
using Cerebro.Benchmarks.Infrastructure;
using Cerebro.Benchmarks.Micro;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"bench: {ex.Message}\n\n{BenchOptions.Usage}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

var output = options.OutputDirectory ?? Path.Combine(RepositoryPaths.Root, ".artifacts", "bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
Directory.CreateDirectory(output);
var report = new List<string>();
var failed = false;

if (options.Command is "e2e" or "all")
{
    try
    {
        var (results, header, shapeFailed) = await EndToEnd.RunAsync(options, output).ConfigureAwait(false);
        failed |= shapeFailed;
        report.Add(results.ToMarkdown(header));
    }
    catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException)
    {
        Console.Error.WriteLine($"bench: {ex.Message}");
        return 1;
    }

    // Written before the micro-benchmarks, so a long BenchmarkDotNet run cannot lose it.
    await File.WriteAllTextAsync(Path.Combine(output, "results.md"), string.Join("\n", report)).ConfigureAwait(false);
}

if (options.Command is "micro" or "all")
{
    var artifacts = Path.Combine(output, "micro");
    MicroBenchmarks.Run(artifacts, options.MicroArguments);
    var reports = Directory.Exists(Path.Combine(artifacts, "results"))
        ? Directory.GetFiles(Path.Combine(artifacts, "results"), "*-report-github.md")
        : [];
    foreach (var file in reports.Order(StringComparer.Ordinal))
        report.Add("### Micro-benchmarks (BenchmarkDotNet 0.14.0, in process, ShortRun)\n\n" + await File.ReadAllTextAsync(file).ConfigureAwait(false));
}

var text = string.Join("\n", report);
await File.WriteAllTextAsync(Path.Combine(output, "results.md"), text).ConfigureAwait(false);
Console.WriteLine();
Console.WriteLine(text);
Console.WriteLine($"(also in {Path.Combine(output, "results.md")}; process logs in {Path.Combine(output, "logs")})");
return failed ? 1 : 0;
