using System.Globalization;
using Cerebro.IntegrationTests.Infrastructure;

namespace Cerebro.IntegrationTests.Scenarios.Support;

/// <summary>One <c>EXECUTED &lt;task&gt; &lt;taskRunId&gt; &lt;attempt&gt;</c> line a demo agent prints per handler run.</summary>
public sealed record ExecutedLine(string Agent, string Task, Guid TaskRunId, int Attempt)
{
    private const string Prefix = "EXECUTED ";

    /// <summary>Every handler run the agent's output shows so far.</summary>
    public static IReadOnlyList<ExecutedLine> Of(ProcessHost agent) =>
        agent.Lines
            .Where(line => line.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(line => line[Prefix.Length..].Split(' '))
            .Select(parts => new ExecutedLine(agent.Name, parts[0], Guid.Parse(parts[1]), int.Parse(parts[2], CultureInfo.InvariantCulture)))
            .ToList();
}
