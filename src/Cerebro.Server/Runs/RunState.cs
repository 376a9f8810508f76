using MassTransit;

namespace Cerebro.Server.Runs;

/// <summary>One run: a triggered task plus every upstream that had to run with it.</summary>
public sealed class RunState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public int Version { get; set; }

    public string Task { get; set; } = null!;

    /// <summary>api, cli, cron or event.</summary>
    public string Trigger { get; set; } = null!;

    public string? RequestedBy { get; set; }
    public string ParametersJson { get; set; } = "{}";
    public string? TraceParent { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public int TotalTaskRuns { get; set; }
}
