namespace Cerebro.Server.Messages;

/// <summary>A task run of the run reached a final state (completed, error or blocked).</summary>
public sealed record TaskRunFinished(Guid RunId, Guid TaskRunId, string Task, string State);
