using System.Runtime.CompilerServices;
using Cerebro.Domain.Internal;

namespace Cerebro.Domain;

/// <summary>
/// Turns an agent's declaration into a new <see cref="TaskGraph"/>: validates each task, refuses cycles, and
/// recomputes the statuses the change affects. Beyond validating the declaration, the work is proportional to what
/// changed and to the part of the graph downstream of it (plus one copy of the graph's dictionaries when anything
/// changed), so an agent that restarts and declares the same tasks again costs little.
/// </summary>
/// <remarks>
/// The methods here and in the internal helpers that run once per task or edge are marked
/// <see cref="MethodImplOptions.AggressiveOptimization"/>: agents declare when they start, so a declaration meets cold
/// code, and tiered compilation would run all of a 100,000-task declaration through unoptimized code (no inlining of
/// even a property getter) before it got round to optimizing it; that doubled the time of declaring such a graph.
/// </remarks>
public static class GraphBuilder
{
    /// <summary>
    /// Replaces every task of <paramref name="agent"/> in <paramref name="current"/> with the acceptable tasks of
    /// <paramref name="declared"/>. Idempotent: the same declaration twice gives the same graph (the same instance
    /// when nothing changed). Each declared task's <see cref="TaskDefinition.Agent"/> is set to <paramref name="agent"/>.
    /// A task whose definition and status did not change keeps its <see cref="TaskState"/> instance, so a caller can
    /// find what to persist by reference comparison instead of comparing every task.
    /// </summary>
    /// <param name="current">The graph before the declaration; not changed.</param>
    /// <param name="agent">The declaring agent (see <see cref="Names.IsValidAgentName"/>).</param>
    /// <param name="declared">Every task the agent is responsible for.</param>
    /// <exception cref="ArgumentException"><paramref name="agent"/> is not a valid agent name.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        var declaredTwice = DeclaredTwice(declared);
        for (var i = 0; i < count; i++)
        {
            var task = Normalize(declared[i], agent);
            definitions[i] = task;
            reasons[i] = task is null
                ? "the declaration holds an empty task entry"
                : DeclarationValidator.Validate(task, agent, current, declaredTwice);
        }

        // Sort the acceptable tasks by what they change. A task whose upstreams are as before keeps its status.
        var oldNames = current.AgentMap.TryGetValue(agent, out var names) ? names : [];
        var changed = new List<TaskDefinition>();          // new, or with other upstreams: edges to patch
        var retouched = new List<TaskDefinition>();        // same upstreams, other details: only the definition
        var removed = new HashSet<string>(StringComparer.Ordinal);   // names whose old edges go
        var acceptable = 0;
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            if (reasons[i] is not null)
            {
                continue;
            }

            acceptable++;
            var task = definitions[i]!;
            if (!current.TaskMap.TryGetValue(task.Name, out var old))
            {
                changed.Add(task);
                continue;
            }

            kept++;
            if (!SameUpstreams(old.Definition.Upstreams, task.Upstreams))
            {
                changed.Add(task);
                removed.Add(task.Name);
            }
            else if (!SameDetails(old.Definition, task))
            {
                retouched.Add(task);
            }
        }

        // Old tasks not accepted again leave the graph. Each accepted task that existed is one of the agent's old
        // tasks (ownership was checked), so when their numbers match nothing was dropped and no set is needed.
        if (kept < oldNames.Length)
        {
            var acceptedNames = new HashSet<string>(acceptable, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                if (reasons[i] is null)
                {
                    acceptedNames.Add(definitions[i]!.Name);
                }
            }

            foreach (var name in oldNames)
            {
                if (!acceptedNames.Contains(name))
                {
                    removed.Add(name);
                }
            }
        }

        if (changed.Count == 0 && removed.Count == 0 && retouched.Count == 0)
        {
            var same = SameOrder(oldNames, definitions, reasons, acceptable)
                ? current
                : new TaskGraph(current.TaskMap, current.DownstreamMap, WithAgent(current.AgentMap, agent, definitions, reasons, acceptable));
            return Outcome(same, definitions, reasons, acceptable);
        }

        var tasks = new Dictionary<string, TaskState>(current.TaskMap, StringComparer.Ordinal);
        foreach (var task in retouched)
        {
            tasks[task.Name] = tasks[task.Name] with { Definition = task };
        }

        if (changed.Count == 0 && removed.Count == 0)
        {
            var graph = new TaskGraph(tasks, current.DownstreamMap, WithAgent(current.AgentMap, agent, definitions, reasons, acceptable));
            return Outcome(graph, definitions, reasons, acceptable);
        }

        // The candidate graph: removed names out, changed tasks in (provisionally runnable), everyone else untouched.
        var touchedKeys = new List<string>();
        foreach (var name in removed)
        {
            AddUpstreamNames(touchedKeys, tasks[name].Definition);
            tasks.Remove(name);
        }

        tasks.EnsureCapacity(tasks.Count + changed.Count);
        var seeds = new List<string>(removed.Count + changed.Count);
        seeds.AddRange(removed);
        foreach (var task in changed)
        {
            tasks.Add(task.Name, new TaskState(task, TaskStatus.Runnable, null));
            if (!removed.Contains(task.Name))
            {
                seeds.Add(task.Name);
            }
        }

        var downstream = new Dictionary<string, string[]>(current.DownstreamMap, StringComparer.Ordinal);
        DownstreamIndex.Apply(downstream, changed, removed, touchedKeys);

        // Every status that may change, and every new cycle, lies downstream of a removed or changed name.
        var region = Region.DownstreamClosure(seeds, tasks, downstream);
        var declarationIndex = new int[region.Count];
        Array.Fill(declarationIndex, -1);
        for (var i = 0; i < count; i++)
        {
            if (reasons[i] is null && region.Index.TryGetValue(definitions[i]!.Name, out var r))
            {
                declarationIndex[r] = i;
            }
        }

        var refused = RefuseCycles(region, declarationIndex, reasons, tasks, downstream);
        StatusEvaluator.Evaluate(region, tasks, refused);
        if (refused is not null)
        {
            acceptable -= refused.Count(r => r);
        }

        var byAgent = WithAgent(current.AgentMap, agent, definitions, reasons, acceptable);
        return Outcome(new TaskGraph(tasks, downstream, byAgent), definitions, reasons, acceptable);
    }

    /// <summary>Refuses the declared tasks on a cycle and takes them out of the candidate graph; null when there are none.</summary>
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

        var refused = new bool[region.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var touchedKeys = new List<string>();
        for (var i = 0; i < region.Count; i++)
        {
            if (cycleReasons[i] is { } reason)
            {
                var definition = region.States[i].Definition;
                reasons[declarationIndex[i]] = reason;
                refused[i] = true;
                names.Add(definition.Name);
                tasks.Remove(definition.Name);
                AddUpstreamNames(touchedKeys, definition);
            }
        }

        DownstreamIndex.Apply(downstream, [], names, touchedKeys);
        return refused;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DeclarationOutcome Outcome(TaskGraph graph, TaskDefinition?[] definitions, string?[] reasons, int acceptable)
    {
        var accepted = new List<string>(acceptable);
        var unresolved = new List<TaskRefusal>();
        var refusals = new List<TaskRefusal>();
        for (var i = 0; i < reasons.Length; i++)
        {
            if (reasons[i] is { } reason)
            {
                refusals.Add(new TaskRefusal(definitions[i]?.Name ?? string.Empty, reason));
                continue;
            }

            var state = graph.TaskMap[definitions[i]!.Name];
            accepted.Add(state.Definition.Name);
            if (state.Status == TaskStatus.Unresolved)
            {
                unresolved.Add(new TaskRefusal(state.Definition.Name, state.Reason!));
            }
        }

        return new DeclarationOutcome(graph, accepted, refusals, unresolved);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Dictionary<string, string[]> WithAgent(
        Dictionary<string, string[]> byAgent,
        string agent,
        TaskDefinition?[] definitions,
        string?[] reasons,
        int acceptable)
    {
        var copy = new Dictionary<string, string[]>(byAgent, StringComparer.Ordinal);
        if (acceptable == 0)
        {
            copy.Remove(agent);
            return copy;
        }

        var names = new string[acceptable];
        var k = 0;
        for (var i = 0; i < reasons.Length; i++)
        {
            if (reasons[i] is null)
            {
                names[k++] = definitions[i]!.Name;
            }
        }

        copy[agent] = names;
        return copy;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SameOrder(string[] oldNames, TaskDefinition?[] definitions, string?[] reasons, int acceptable)
    {
        if (oldNames.Length != acceptable)
        {
            return false;
        }

        var k = 0;
        for (var i = 0; i < reasons.Length; i++)
        {
            if (reasons[i] is null && !string.Equals(oldNames[k++], definitions[i]!.Name, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SameUpstreams(IReadOnlyList<Upstream> a, IReadOnlyList<Upstream> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    // Record equality compares the upstream lists by reference, so they are compared separately; comparing the
    // rest as records keeps this right when TaskDefinition gains a member.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SameDetails(TaskDefinition a, TaskDefinition b) =>
        ReferenceEquals(a, b) || a with { Upstreams = b.Upstreams } == b;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static HashSet<string>? DeclaredTwice(IReadOnlyList<TaskDefinition> declared)
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddUpstreamNames(List<string> names, TaskDefinition task)
    {
        foreach (var upstream in task.Upstreams)
        {
            names.Add(upstream.Task);
        }
    }
}
