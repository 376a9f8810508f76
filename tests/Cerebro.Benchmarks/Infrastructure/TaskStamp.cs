namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>
/// What the benchmark agent noted about one task run, on its own clock: Stopwatch ticks (CLOCK_MONOTONIC, the same in
/// every process of the machine) and UTC ticks. <see cref="Received"/> is when MassTransit took the invoke off the
/// broker (null if the agent's probe missed it); <see cref="Start"/> is the handler's first line, which the SDK runs
/// only after its task.started was confirmed; <see cref="End"/> is the handler's last line, right before the SDK sends
/// task.completed.
/// </summary>
public sealed class TaskStamp
{
    public required string Task { get; init; }
    public required Guid TaskRunId { get; init; }
    public required Guid RunId { get; init; }
    public long? Received { get; set; }
    public long Start { get; set; }
    public long StartUtc { get; set; }
    public long InvokedAtUtc { get; set; }
    public long? End { get; set; }
    public long? EndUtc { get; set; }

    /// <summary>When the invoke reached the agent: the receipt when seen, else the handler's start.</summary>
    public long Arrived => Received ?? Start;
}
