namespace Cerebro.Server.Telemetry;

/// <summary>What the span of a firing deadline needs from its task run.</summary>
internal sealed record DeadlineFiring(Guid TaskRunId, string Kind, string? TraceParent, Guid RunId, string Task, string Agent, int Attempt);
