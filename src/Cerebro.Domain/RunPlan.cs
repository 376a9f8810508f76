namespace Cerebro.Domain;

/// <summary>The result of <see cref="RunPlanner.Plan"/>: either the task runs to create, or why there are none.</summary>
/// <param name="Error"><see cref="PlanError.None"/> when planned.</param>
/// <param name="ErrorReason">Why the run could not be planned; null when planned.</param>
/// <param name="TaskRuns">
/// The task runs in topological order (every upstream before its downstream, ties by name), the requested task last;
/// empty on error.
/// </param>
public sealed record RunPlan(PlanError Error, string? ErrorReason, IReadOnlyList<PlannedTaskRun> TaskRuns)
{
    /// <summary>True when the run was planned.</summary>
    public bool Succeeded => Error == PlanError.None;
}
