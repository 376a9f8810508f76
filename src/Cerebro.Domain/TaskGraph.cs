using System.Diagnostics.CodeAnalysis;
using Cerebro.Domain.Internal;

namespace Cerebro.Domain;

/// <summary>
/// The accepted tasks of all agents with their statuses. Immutable, so the coordinator can swap in a new graph
/// atomically and plan from a consistent snapshot while declarations keep arriving.
/// </summary>
public sealed class TaskGraph
{
    private readonly Dictionary<string, TaskState> _tasks;

    // Direct downstream task names keyed by upstream name, sorted ordinally. Keys include names no task declares,
    // so that declaring such a name finds the tasks waiting for it without a scan.
    private readonly Dictionary<string, string[]> _downstream;

    // Each agent's task names in declared order, so a declaration replaces them without a scan.
    private readonly Dictionary<string, string[]> _byAgent;

    internal TaskGraph(
        Dictionary<string, TaskState> tasks,
        Dictionary<string, string[]> downstream,
        Dictionary<string, string[]> byAgent)
    {
        _tasks = tasks;
        _downstream = downstream;
        _byAgent = byAgent;
    }

    /// <summary>The graph before any agent declared anything.</summary>
    public static TaskGraph Empty { get; } = new(
        new Dictionary<string, TaskState>(StringComparer.Ordinal),
        new Dictionary<string, string[]>(StringComparer.Ordinal),
        new Dictionary<string, string[]>(StringComparer.Ordinal));

    /// <summary>The number of accepted tasks.</summary>
    public int Count => _tasks.Count;

    /// <summary>Every accepted task, in no particular order.</summary>
    public IEnumerable<TaskState> Tasks => _tasks.Values;

    /// <summary>The agents that have at least one accepted task, in no particular order.</summary>
    public IEnumerable<string> Agents => _byAgent.Keys;

    internal Dictionary<string, TaskState> TaskMap => _tasks;

    internal Dictionary<string, string[]> DownstreamMap => _downstream;

    internal Dictionary<string, string[]> AgentMap => _byAgent;

    /// <summary>
    /// Rebuilds a graph from tasks accepted earlier (for example, loaded from storage) and computes their statuses.
    /// The input is trusted to be valid and acyclic; should it hold a cycle anyway, the tasks on or downstream of it
    /// are marked unresolved rather than looping.
    /// </summary>
    /// <param name="accepted">The accepted tasks of every agent.</param>
    /// <exception cref="ArgumentException">Two tasks have the same name.</exception>
    public static TaskGraph From(IEnumerable<TaskDefinition> accepted)
    {
        ArgumentNullException.ThrowIfNull(accepted);

        var capacity = accepted.TryGetNonEnumeratedCount(out var count) ? count : 0;
        var tasks = new Dictionary<string, TaskState>(capacity, StringComparer.Ordinal);
        var agentLists = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var definitions = new List<TaskDefinition>(capacity);
        foreach (var definition in accepted)
        {
            if (!tasks.TryAdd(definition.Name, new TaskState(definition, TaskStatus.Runnable, null)))
            {
                throw new ArgumentException($"task '{definition.Name}' appears more than once", nameof(accepted));
            }

            if (!agentLists.TryGetValue(definition.Agent, out var names))
            {
                names = [];
                agentLists.Add(definition.Agent, names);
            }

            names.Add(definition.Name);
            definitions.Add(definition);
        }

        var byAgent = new Dictionary<string, string[]>(agentLists.Count, StringComparer.Ordinal);
        foreach (var (agent, names) in agentLists)
        {
            byAgent.Add(agent, [.. names]);
        }

        var downstream = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DownstreamIndex.Apply(downstream, definitions, removedTasks: null, touchedKeys: null);

        var region = Region.All(tasks);
        StatusEvaluator.Evaluate(region, tasks);
        return new TaskGraph(tasks, downstream, byAgent);
    }

    /// <summary>Finds an accepted task by name.</summary>
    /// <param name="name">The task's name.</param>
    /// <param name="state">The task and its status, when found.</param>
    /// <returns>True when some agent declares the task and it was accepted.</returns>
    public bool TryGet(string name, [MaybeNullWhen(false)] out TaskState state) => _tasks.TryGetValue(name, out state);

    /// <summary>
    /// The tasks that list <paramref name="name"/> as an upstream (either edge kind), sorted ordinally; empty when none.
    /// Works for names no task declares too, so the coordinator can find who waits for a missing task.
    /// </summary>
    /// <param name="name">The upstream task's name.</param>
    public IReadOnlyList<string> DownstreamOf(string name) =>
        _downstream.TryGetValue(name, out var names) ? Array.AsReadOnly(names) : [];

    /// <summary>The names of an agent's accepted tasks, in declared order; empty when it has none.</summary>
    /// <param name="agent">The agent's name.</param>
    public IReadOnlyList<string> TasksOf(string agent) =>
        _byAgent.TryGetValue(agent, out var names) ? Array.AsReadOnly(names) : [];
}
