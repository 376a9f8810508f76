namespace Cerebro.Server.TaskRuns;

/// <summary>
/// An agent answered an invoke whose task run is not stored as invoked yet: the delivery is retried once that commit
/// lands, instead of dismissing the answer.
/// </summary>
public sealed class InvokeNotStoredYetException(Guid taskRunId, string eventName)
    : Exception($"'{eventName}' for task run {taskRunId}, which is still pending: its invoke is not committed yet; retrying");
