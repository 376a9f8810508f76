namespace Cerebro.Server.Runs;

/// <summary>What became of a <see cref="RunRequest"/>.</summary>
public sealed record RunLaunch(RunLaunchOutcome Outcome, Guid? RunId, string? Reason)
{
    public static RunLaunch Launched(Guid runId) => new(RunLaunchOutcome.Launched, runId, null);
    public static RunLaunch AlreadyExists(Guid runId) => new(RunLaunchOutcome.AlreadyExists, runId, null);
    public static RunLaunch UnknownTask(string reason) => new(RunLaunchOutcome.UnknownTask, null, reason);
    public static RunLaunch Unresolved(string reason) => new(RunLaunchOutcome.Unresolved, null, reason);
}
