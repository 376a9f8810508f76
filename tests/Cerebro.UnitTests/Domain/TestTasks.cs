using Cerebro.Domain;

namespace Cerebro.UnitTests.Domain;

/// <summary>Short ways to write task definitions and graphs, so each test shows only the shape it is about.</summary>
internal static class TestTasks
{
    public const string AgentA = "agent-a";
    public const string AgentB = "agent-b";
    public const string Owner = "team-data";

    /// <summary>A task of <see cref="AgentA"/> whose upstreams must all run first.</summary>
    public static TaskDefinition Task(string name, params string[] runFirst) =>
        new(name, AgentA, Owner, runFirst.Select(u => new Upstream(u)).ToArray());

    /// <summary>A task of <see cref="AgentA"/> with the given upstream edges.</summary>
    public static TaskDefinition TaskOn(string name, params Upstream[] upstreams) => new(name, AgentA, Owner, upstreams);

    public static Upstream RunFirst(string task) => new(task);

    public static Upstream Fresh(string task, TimeSpan window) => new(task, window);

    public static DeclarationOutcome Declare(TaskGraph graph, string agent, params TaskDefinition[] tasks) =>
        GraphBuilder.Declare(graph, agent, tasks);

    public static TaskGraph Graph(params TaskDefinition[] tasksOfAgentA) =>
        GraphBuilder.Declare(TaskGraph.Empty, AgentA, tasksOfAgentA).Graph;

    public static TaskState State(TaskGraph graph, string name) =>
        graph.TryGet(name, out var state) ? state : throw new Xunit.Sdk.XunitException($"task '{name}' is not in the graph");

    public static string Reason(DeclarationOutcome outcome, string task) =>
        outcome.Refused.Single(r => r.Task == task).Reason;

    /// <summary>Every task's name, agent, status and reason, sorted: what "the same graph" means in tests.</summary>
    public static string[] Snapshot(TaskGraph graph) =>
        graph.Tasks
            .Select(s => $"{s.Definition.Name}|{s.Definition.Agent}|{s.Status}|{s.Reason}|{string.Join(",", s.Definition.Upstreams.Select(u => $"{u.Task}:{u.FreshWithin}"))}|down={string.Join(",", graph.DownstreamOf(s.Definition.Name))}")
            .Order(StringComparer.Ordinal)
            .ToArray();
}
