namespace Cerebro.Server.Deadlines;

/// <summary>
/// A due deadline on its way to the task-run saga. The sweeper sends it to <c>cerebro.agent-events</c>, in the same
/// partition as the agent's own messages, so every event the agent published before the deadline passed is applied
/// first: a backlog at Cerebro never turns an agent's timely answer into a timeout.
/// </summary>
/// <param name="Agent">The task run's agent: the door applies this message in that agent's order.</param>
public sealed record DeadlineDue(Guid TaskRunId, string Agent, string Kind, long DueMs)
{
    /// <summary>The <c>cerebro-type</c> of the message; reserved for Cerebro (the sender must be <c>cerebro</c>).</summary>
    public const string Type = "cerebro.deadline-due";

    /// <summary>Header naming the agent whose messages this one must follow.</summary>
    public const string AgentHeader = "cerebro-deadline-agent";
}
