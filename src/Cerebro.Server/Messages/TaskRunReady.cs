namespace Cerebro.Server.Messages;

/// <summary>
/// Every upstream of a pending task run is done (or it had none): invoke it. Only recovery sends it, for a task run
/// whose invoke a crash or a failed save left unsent or unstored; the launcher and the upstreams invoke directly.
/// </summary>
public sealed record TaskRunReady(Guid TaskRunId);
