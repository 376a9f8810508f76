namespace Cerebro.Contracts;

/// <summary>Values of the <see cref="Headers.Type"/> header: which message a body holds.</summary>
public static class MessageTypes
{
    /// <summary>Agent to Cerebro: the agent is up and declares its tasks (<see cref="Contracts.ServerReady"/>).</summary>
    public const string ServerReady = "server.ready";

    /// <summary>Agent to Cerebro: the agent is alive (<see cref="Contracts.ServerHeartbeat"/>).</summary>
    public const string ServerHeartbeat = "server.heartbeat";

    /// <summary>Agent to Cerebro: the agent is shutting down (<see cref="Contracts.ServerStopping"/>).</summary>
    public const string ServerStopping = "server.stopping";

    /// <summary>Agent to Cerebro: an invoke was accepted but waits for a free slot (<see cref="Contracts.TaskQueued"/>).</summary>
    public const string TaskQueued = "task.queued";

    /// <summary>Agent to Cerebro: the task's handler started (<see cref="Contracts.TaskStarted"/>).</summary>
    public const string TaskStarted = "task.started";

    /// <summary>Agent to Cerebro: the task's handler finished successfully (<see cref="Contracts.TaskCompleted"/>).</summary>
    public const string TaskCompleted = "task.completed";

    /// <summary>Agent to Cerebro: the task's handler failed (<see cref="Contracts.TaskFailed"/>).</summary>
    public const string TaskFailed = "task.failed";

    /// <summary>Anyone to Cerebro: start a run of a task, the ad-hoc invoke event (<see cref="Contracts.RunRequested"/>).</summary>
    public const string RunRequested = "run.requested";

    /// <summary>Cerebro to an agent: run a task now (<see cref="Contracts.InvokeTask"/>).</summary>
    public const string InvokeTask = "task.invoke";

    /// <summary>Cerebro to an agent: every declared task was accepted (<see cref="Contracts.DeclarationAccepted"/>).</summary>
    public const string DeclarationAccepted = "declaration.accepted";

    /// <summary>Cerebro to an agent: one or more declared tasks were refused (<see cref="Contracts.DeclarationRejected"/>).</summary>
    public const string DeclarationRejected = "declaration.rejected";

    /// <summary>Cerebro to the owner team: a task run ended in error (<see cref="Contracts.TaskRunErrored"/>).</summary>
    public const string TaskRunErrored = "task-run.errored";
}
