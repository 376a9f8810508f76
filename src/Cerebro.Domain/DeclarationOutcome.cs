namespace Cerebro.Domain;

/// <summary>What <see cref="GraphBuilder.Declare"/> decided: the new graph and the verdict to send the agent.</summary>
/// <param name="Graph">The graph with the agent's accepted tasks in place of its earlier ones.</param>
/// <param name="Accepted">The accepted task names, in declared order.</param>
/// <param name="Refused">The refused tasks, in declared order (a name declared twice appears twice); none is in the graph.</param>
/// <param name="Unresolved">The agent's accepted tasks that cannot run yet, in declared order, with the reason.</param>
public sealed record DeclarationOutcome(
    TaskGraph Graph,
    IReadOnlyList<string> Accepted,
    IReadOnlyList<TaskRefusal> Refused,
    IReadOnlyList<TaskRefusal> Unresolved);
