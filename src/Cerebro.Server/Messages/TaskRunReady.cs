namespace Cerebro.Server.Messages;

/// <summary>Every upstream of a pending task run is done (or it had none): invoke it.</summary>
public sealed record TaskRunReady(Guid TaskRunId);
