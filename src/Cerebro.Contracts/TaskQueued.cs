namespace Cerebro.Contracts;

/// <summary>The agent accepted an invoke but is busy; the task starts when a slot frees.</summary>
public sealed class TaskQueued : TaskRunEvent;
