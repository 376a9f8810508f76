namespace Cerebro.Benchmarks.Infrastructure;

/// <summary>A run as GET /api/runs/{id} shows it; times are Cerebro's (the agent's for a task's finish).</summary>
public sealed record RunDetails(Guid RunId, string Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, IReadOnlyList<TaskRunDetails> Tasks)
{
    /// <summary>From the run's creation (before planning) to the run saga recording its end.</summary>
    public TimeSpan? Duration => FinishedAt - CreatedAt;

    /// <summary>From the run's creation to the last task run's finish (the agent's task.completed time).</summary>
    public TimeSpan? UntilLastTask =>
        Tasks.Count > 0 && Tasks.All(t => t.FinishedAt is not null) ? Tasks.Max(t => t.FinishedAt!.Value) - CreatedAt : null;
}
