namespace Cerebro.Domain;

/// <summary>A dependency of a task on another task: the edges of the graph.</summary>
/// <param name="Task">The upstream task's name.</param>
/// <param name="FreshWithin">
/// Null: the upstream must run first in the same run. Otherwise a success of the upstream that finished at most
/// this long before the run was planned is reused instead of running it again.
/// </param>
public sealed record Upstream(string Task, TimeSpan? FreshWithin = null);
