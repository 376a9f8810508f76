namespace Cerebro.Domain;

/// <summary>One task of a planned run: what the coordinator creates a task run for.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Agent">The agent that runs it.</param>
/// <param name="Owner">The team told when it fails.</param>
/// <param name="Upstreams">
/// The upstreams in this run that must complete before this task is invoked, in declared order; empty when reused.
/// Reused upstreams are not listed: they do not block.
/// </param>
/// <param name="Reused">True when a fresh-enough earlier success is reused instead of running the task.</param>
/// <param name="Timeouts">The task's timeout overrides, if any.</param>
public sealed record PlannedTaskRun(
    string Task,
    string Agent,
    string Owner,
    IReadOnlyList<string> Upstreams,
    bool Reused,
    TaskTimeoutOverrides? Timeouts);
