namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>
/// Where things are in the repository, found from the test assembly: the root (the folder holding Cerebro.sln),
/// and the build output of a project for the configuration and target framework the tests were built with.
/// </summary>
public static class RepositoryPaths
{
    /// <summary>Debian's interpreter, the one that sees python3-pika (the pyenv python3 on PATH does not).</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    // The test assembly sits in tests/Cerebro.IntegrationTests/bin/<configuration>/<tfm>/.
    private static readonly DirectoryInfo TestOutput = new(Path.GetDirectoryName(typeof(RepositoryPaths).Assembly.Location)!);

    /// <summary>The repository root.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The build configuration of the test assembly (Release or Debug), which the other projects share.</summary>
    public static string Configuration { get; } = TestOutput.Parent?.Name ?? "Debug";

    /// <summary>The target framework folder of the test assembly, e.g. net10.0.</summary>
    public static string TargetFramework { get; } = TestOutput.Name;

    /// <summary><c>.artifacts/logs</c> under the root: process logs, one folder per test.</summary>
    public static string Logs => Path.Combine(Root, ".artifacts", "logs");

    /// <summary>The Python agent's script, src/TaskServerPy/agent.py.</summary>
    public static string PythonAgent => ExistingFile(Path.Combine(Root, "src", "TaskServerPy", "agent.py"), "it is part of the repository");

    /// <summary>The output folder of a project under src/, e.g. src/TaskServerA/bin/Release/net10.0.</summary>
    public static string OutputOf(string project) => Path.Combine(Root, "src", project, "bin", Configuration, TargetFramework);

    /// <summary>
    /// The built assembly of a project under src/ (e.g. <c>TaskServerA</c> gives src/TaskServerA/bin/Release/net10.0/TaskServerA.dll),
    /// for <c>dotnet &lt;dll&gt;</c>. Throws, saying how to build it, when it is missing.
    /// </summary>
    public static string AssemblyOf(string project) =>
        ExistingFile(Path.Combine(OutputOf(project), project + ".dll"), $"build it first: dotnet build src/{project} -c {Configuration}");

    private static string ExistingFile(string path, string hint) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} does not exist ({hint})", path);

    private static string FindRoot()
    {
        for (var directory = TestOutput; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cerebro.sln")))
                return directory.FullName;
        }

        throw new DirectoryNotFoundException($"No folder above {TestOutput.FullName} holds Cerebro.sln");
    }
}
