using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Infrastructure;

/// <summary>How <see cref="ProcessHost"/> starts and watches a child process.</summary>
public sealed class ProcessHostOptions
{
    /// <summary>Environment variables set for the child on top of the test's own; a null value removes one.</summary>
    public Dictionary<string, string?> Environment { get; init; } = [];

    /// <summary>Arguments after the assembly or script.</summary>
    public List<string> Arguments { get; init; } = [];

    /// <summary>Working directory; by default the folder of the assembly or script (where .NET looks for appsettings).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The test's output; every line of the child is written to it too.</summary>
    public ITestOutputHelper? Output { get; init; }

    /// <summary>
    /// The folder under .artifacts/logs/ for the log file; by default the name of the test that <see cref="Output"/>
    /// belongs to.
    /// </summary>
    public string? LogFolder { get; init; }

    /// <summary>How long disposal lets the process end after SIGTERM before it is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
