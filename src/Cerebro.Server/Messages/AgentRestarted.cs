namespace Cerebro.Server.Messages;

/// <summary>
/// The agent of a started task run declared itself with a new process instance: agents acknowledge an invoke once it
/// started, so the new process will never report on it.
/// </summary>
public sealed record AgentRestarted(Guid TaskRunId, string Agent, Guid Instance);
