namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>Where things are in the repository, found from the harness's own assembly.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string ServerAssembly => Path.Combine(Root, "src", "Cerebro.Server", "bin", "Release", "net10.0", "Cerebro.Server.dll");

    public static string AgentAssembly => Path.Combine(Root, "tests", "Cerebro.BenchmarkAgent", "bin", "Release", "net10.0", "Cerebro.BenchmarkAgent.dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cerebro.sln")))
                return directory.FullName;
        }

        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds Cerebro.sln");
    }
}
