namespace Cerebro.Contracts;

/// <summary>The agent started running the task.</summary>
public sealed class TaskStarted : TaskRunEvent;
