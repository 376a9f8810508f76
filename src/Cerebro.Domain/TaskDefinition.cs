namespace Cerebro.Domain;

/// <summary>
/// A task as an agent declares it: what the graph is built from and what a run is planned from.
/// </summary>
/// <param name="Name">The task's name, unique across all agents (see <see cref="Names.IsValidTaskName"/>).</param>
/// <param name="Agent">The agent that runs the task; <see cref="GraphBuilder.Declare"/> sets it to the declaring agent.</param>
/// <param name="Owner">The team told when the task fails.</param>
/// <param name="Upstreams">The tasks this one depends on, in declared order.</param>
/// <param name="Cron">An optional schedule (five fields, or six with seconds first), in UTC.</param>
/// <param name="Timeouts">Per-task overrides of the coordinator's timeouts.</param>
/// <param name="Description">Free text for operators.</param>
public sealed record TaskDefinition(
    string Name,
    string Agent,
    string Owner,
    IReadOnlyList<Upstream> Upstreams,
    string? Cron = null,
    TaskTimeoutOverrides? Timeouts = null,
    string? Description = null);
