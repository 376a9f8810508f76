using System.Diagnostics;

namespace Cerebro.UnitTests.Protocol;

/// <summary>The protocol/ folder of the repository and its validator, <c>protocol/tools/validate.py</c>.</summary>
internal static class ProtocolFiles
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The Python that has jsonschema; CEREBRO_PYTHON overrides it.</summary>
    public static string Python => Environment.GetEnvironmentVariable("CEREBRO_PYTHON") ?? "/usr/bin/python3";

    public static string ProtocolDirectory => Path.Combine(Root.Value, "protocol");

    public static string SchemaPath(string messageType) =>
        Path.Combine(ProtocolDirectory, "schemas", $"{messageType}.schema.json");

    public static string ExamplePath(string messageType) =>
        Path.Combine(ProtocolDirectory, "examples", $"{messageType}.json");

    /// <summary>Runs <c>validate.py</c> with <paramref name="arguments"/>, writing <paramref name="stdin"/> to it.</summary>
    public static async Task<ValidatorResult> RunValidatorAsync(string? stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root.Value,
        };
        start.ArgumentList.Add(Path.Combine(ProtocolDirectory, "tools", "validate.py"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Python}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin ?? string.Empty);
        process.StandardInput.Close();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"validate.py {string.Join(' ', arguments)} did not finish within 60 s");
        }

        return new ValidatorResult(process.ExitCode, await output, await error);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cerebro.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Cerebro.sln above {AppContext.BaseDirectory}");
    }
}
