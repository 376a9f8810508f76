using Cerebro.Domain.Internal;

namespace Cerebro.Domain;

/// <summary>
/// Turns an agent's declaration into a new <see cref="TaskGraph"/>: validates each task, refuses cycles, and
/// recomputes the statuses the change affects. The work is proportional to the declaration and to the part of the
/// graph downstream of it, plus one copy of the graph's dictionaries.
/// </summary>
public static class GraphBuilder
{
    /// <summary>
    /// Replaces every task of <paramref name="agent"/> in <paramref name="current"/> with the acceptable tasks of
    /// <paramref name="declared"/>. Idempotent: the same declaration twice gives the same graph. Each declared
    /// task's <see cref="TaskDefinition.Agent"/> is set to <paramref name="agent"/>.
    /// </summary>
    /// <param name="current">The graph before the declaration; not changed.</param>
    /// <param name="agent">The declaring agent (see <see cref="Names.IsValidAgentName"/>).</param>
    /// <param name="declared">Every task the agent is responsible for.</param>
    /// <exception cref="ArgumentException"><paramref name="agent"/> is not a valid agent name.</exception>
    public static DeclarationOutcome Declare(TaskGraph current, string agent, IReadOnlyList<TaskDefinition> declared)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(declared);
        if (!Names.IsValidAgentName(agent))
        {
            throw new ArgumentException($"agent name '{agent}' is invalid: it must match {Names.AgentNamePattern}", nameof(agent));
        }

        var count = declared.Count;
        var definitions = new TaskDefinition?[count];
        var reasons = new string?[count];
        var declaredTwice = FindDeclaredTwice(declared);
        var acceptable = 0;
        for (var i = 0; i < count; i++)
        {
            var task = Normalize(declared[i], agent);
            definitions[i] = task;
            reasons[i] = task is null
                ? "the declaration holds an empty task entry"
                : DeclarationValidator.Validate(task, agent, current, declaredTwice);
            if (reasons[i] is null)
            {
                acceptable++;
            }
        }

        var oldNames = current.AgentMap.TryGetValue(agent, out var names) ? names : [];
        if (oldNames.Length == 0 && acceptable == 0)
        {
            return new DeclarationOutcome(current, [], Refusals(definitions, reasons), []);
        }

        // The candidate graph: the agent's old tasks out, its acceptable tasks in, everyone else's untouched.
        var tasks = new Dictionary<string, TaskState>(current.TaskMap, StringComparer.Ordinal);
        tasks.EnsureCapacity(current.Count - oldNames.Length + acceptable);
        var removedNames = new HashSet<string>(oldNames, StringComparer.Ordinal);
        var touchedKeys = new List<string>();
        foreach (var name in oldNames)
        {
            AddUpstreamNames(touchedKeys, tasks[name].Definition);
            tasks.Remove(name);
        }

        var seeds = new List<string>(oldNames.Length + acceptable);
        seeds.AddRange(oldNames);
        var acceptableDefinitions = new List<TaskDefinition>(acceptable);
        for (var i = 0; i < count; i++)
        {
            if (reasons[i] is null)
            {
                var task = definitions[i]!;
                acceptableDefinitions.Add(task);
                tasks.Add(task.Name, new TaskState(task, TaskStatus.Runnable, null));
                seeds.Add(task.Name);
            }
        }

        var downstream = new Dictionary<string, string[]>(current.DownstreamMap, StringComparer.Ordinal);
        DownstreamIndex.Apply(downstream, acceptableDefinitions, removedNames, touchedKeys);

        // Everything whose status may change lies downstream of a removed or declared name; so does every cycle.
        var region = Region.DownstreamClosure(seeds, tasks, downstream);
        var declarationIndex = new int[region.Count];
        Array.Fill(declarationIndex, -1);
        for (var i = 0; i < count; i++)
        {
            if (reasons[i] is null)
            {
                declarationIndex[region.Index[definitions[i]!.Name]] = i;
            }
        }

        var removed = RefuseCycles(region, declarationIndex, reasons, tasks, downstream);
        StatusEvaluator.Evaluate(region, tasks, removed);

        var accepted = new List<string>(acceptable);
        var unresolved = new List<TaskRefusal>();
        for (var i = 0; i < count; i++)
        {
            if (reasons[i] is null)
            {
                var state = tasks[definitions[i]!.Name];
                accepted.Add(state.Definition.Name);
                if (state.Status == TaskStatus.Unresolved)
                {
                    unresolved.Add(new TaskRefusal(state.Definition.Name, state.Reason!));
                }
            }
        }

        var byAgent = new Dictionary<string, string[]>(current.AgentMap, StringComparer.Ordinal);
        if (accepted.Count == 0)
        {
            byAgent.Remove(agent);
        }
        else
        {
            byAgent[agent] = [.. accepted];
        }

        return new DeclarationOutcome(
            new TaskGraph(tasks, downstream, byAgent),
            accepted,
            Refusals(definitions, reasons),
            unresolved);
    }

    /// <summary>Refuses the new tasks on a cycle and takes them out of the candidate graph; null when there are none.</summary>
    private static bool[]? RefuseCycles(
        Region region,
        int[] declarationIndex,
        string?[] reasons,
        Dictionary<string, TaskState> tasks,
        Dictionary<string, string[]> downstream)
    {
        var cycleReasons = CycleFinder.Find(region, declarationIndex);
        if (cycleReasons is null)
        {
            return null;
        }

        var removed = new bool[region.Count];
        var refused = new HashSet<string>(StringComparer.Ordinal);
        var touchedKeys = new List<string>();
        for (var i = 0; i < region.Count; i++)
        {
            if (cycleReasons[i] is { } reason)
            {
                var definition = region.States[i].Definition;
                reasons[declarationIndex[i]] = reason;
                removed[i] = true;
                refused.Add(definition.Name);
                tasks.Remove(definition.Name);
                AddUpstreamNames(touchedKeys, definition);
            }
        }

        DownstreamIndex.Apply(downstream, [], refused, touchedKeys);
        return removed;
    }

    private static TaskDefinition? Normalize(TaskDefinition? task, string agent)
    {
        if (task is null)
        {
            return null;
        }

        if (task.Upstreams is null)
        {
            task = task with { Upstreams = [] };
        }

        return string.Equals(task.Agent, agent, StringComparison.Ordinal) ? task : task with { Agent = agent };
    }

    private static HashSet<string>? FindDeclaredTwice(IReadOnlyList<TaskDefinition> declared)
    {
        var seen = new HashSet<string>(declared.Count, StringComparer.Ordinal);
        HashSet<string>? twice = null;
        foreach (var task in declared)
        {
            if (task?.Name is { } name && !seen.Add(name))
            {
                (twice ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
            }
        }

        return twice;
    }

    private static void AddUpstreamNames(List<string> names, TaskDefinition task)
    {
        foreach (var upstream in task.Upstreams)
        {
            names.Add(upstream.Task);
        }
    }

    private static List<TaskRefusal> Refusals(TaskDefinition?[] definitions, string?[] reasons)
    {
        var refusals = new List<TaskRefusal>();
        for (var i = 0; i < reasons.Length; i++)
        {
            if (reasons[i] is { } reason)
            {
                refusals.Add(new TaskRefusal(definitions[i]?.Name ?? string.Empty, reason));
            }
        }

        return refusals;
    }
}
