using System.Runtime.CompilerServices;
using Cerebro.Domain;

namespace Cerebro.Server.Agents;

/// <summary>
/// What a declaration changes in the stored graph. <see cref="GraphBuilder.Declare"/> keeps the <see cref="TaskState"/>
/// instance of every task whose definition and status did not change, so comparing the graphs before and after by
/// reference finds the rows to write without comparing any task field by field.
/// </summary>
internal sealed class GraphChanges
{
    /// <summary>The declaring agent's tasks that are not stored yet.</summary>
    public List<TaskState> Added { get; } = [];

    /// <summary>The declaring agent's stored tasks whose definition or status changed: each row is rewritten.</summary>
    public List<TaskState> Redeclared { get; } = [];

    /// <summary>Other agents' tasks whose status or reason the declaration changed (their definitions did not).</summary>
    public List<TaskState> StatusChanged { get; } = [];

    /// <summary>The declaring agent's stored tasks it no longer declares (or that were refused this time).</summary>
    public List<string> Removed { get; } = [];

    /// <summary>How many of the declaring agent's tasks are stored exactly as declared: only their declaration time moves.</summary>
    public int Unchanged { get; private set; }

    /// <param name="before">The committed graph the declaration was applied to.</param>
    /// <param name="after">The graph <see cref="GraphBuilder.Declare"/> returned for it.</param>
    /// <param name="agent">The declaring agent.</param>
    // Runs once per task of a declaration, which meets cold code: optimized at once (see TaskDefinitions).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GraphChanges Between(TaskGraph before, TaskGraph after, string agent)
    {
        var changes = new GraphChanges();
        foreach (var name in before.TasksOf(agent))
        {
            if (!after.TryGet(name, out _))
                changes.Removed.Add(name);
        }

        foreach (var name in after.TasksOf(agent))
        {
            after.TryGet(name, out var state);
            if (!before.TryGet(name, out var old))
                changes.Added.Add(state!);
            else if (!ReferenceEquals(old, state))
                changes.Redeclared.Add(state!);
            else
                changes.Unchanged++;
        }

        if (ReferenceEquals(before, after) || after.Agents.All(a => string.Equals(a, agent, StringComparison.Ordinal)))
            return changes;

        // A declaration can turn another agent's task runnable (it now declares its missing upstream) or unresolved.
        foreach (var state in after.Tasks)
        {
            if (!string.Equals(state.Definition.Agent, agent, StringComparison.Ordinal)
                && before.TryGet(state.Definition.Name, out var old) && !ReferenceEquals(old, state))
                changes.StatusChanged.Add(state);
        }

        return changes;
    }
}
