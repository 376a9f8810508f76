namespace Cerebro.Server.Hosting;

/// <summary>Cerebro's own queues; the agent-facing names live in <see cref="Cerebro.Contracts.Topology"/>.</summary>
public static class Endpoints
{
    public const string TaskRunsQueue = "cerebro.task-runs";
    public const string RunsQueue = "cerebro.runs";

    public static readonly Uri TaskRuns = new($"queue:{TaskRunsQueue}");
    public static readonly Uri Runs = new($"queue:{RunsQueue}");
}
