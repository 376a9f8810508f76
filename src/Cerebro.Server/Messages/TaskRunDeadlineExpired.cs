namespace Cerebro.Server.Messages;

/// <summary>The sweeper found a task run's deadline due; the saga applies it only if it still waits for that deadline.</summary>
public sealed record TaskRunDeadlineExpired(Guid TaskRunId, string Kind, long DueMs);
