namespace Cerebro.Domain;

/// <summary>An accepted task in the graph together with whether it can run, so callers need not walk the graph.</summary>
/// <param name="Definition">The task as its agent declared it.</param>
/// <param name="Status">Whether the task can be planned now.</param>
/// <param name="Reason">Why the task is <see cref="TaskStatus.Unresolved"/>; null when it is runnable.</param>
public sealed record TaskState(TaskDefinition Definition, TaskStatus Status, string? Reason);
