using System.Runtime.CompilerServices;
using System.Text;

namespace Cerebro.Domain.Internal;

/// <summary>
/// Finds the declared tasks that lie on a dependency cycle and names a cycle through each.
/// A task is on a cycle exactly when its strongly connected component has more than one task (self-dependencies
/// are refused earlier), so one pass of Tarjan's algorithm (iterative: chains can be 100,000 long) finds them all.
/// Every cycle holds a declared task, since the graph before the declaration was acyclic; so removing the declared
/// tasks of every cyclic component leaves the graph acyclic, and no second round is needed.
/// </summary>
internal static class CycleFinder
{
    // Longer cycles are shown by their ends, so that a 100,000-task ring does not make 100,000 huge reasons.
    private const int MaxShown = 12;
    private const int ShownHead = 8;
    private const int ShownTail = 3;

    // Per-task methods are optimized at once, not tiered up: see the remarks on GraphBuilder.
    /// <summary>
    /// Returns, per region task, the cycle reason when it is declared (<paramref name="declarationIndex"/> is not -1)
    /// and on a cycle; null when no declared task is on a cycle.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string?[]? Find(Region region, int[] declarationIndex)
    {
        var count = region.Count;
        var component = new int[count];
        var componentSize = new List<int>();
        StronglyConnect(region, component, componentSize);

        Dictionary<int, List<int>>? cyclic = null;
        for (var i = 0; i < count; i++)
        {
            if (declarationIndex[i] >= 0 && componentSize[component[i]] > 1)
            {
                cyclic ??= [];
                if (!cyclic.TryGetValue(component[i], out var members))
                {
                    members = [];
                    cyclic.Add(component[i], members);
                }

                members.Add(i);
            }
        }

        if (cyclic is null)
        {
            return null;
        }

        var reasons = new string?[count];
        var paths = new CyclePaths(region, component);
        var text = new StringBuilder();
        foreach (var newMembers in cyclic.Values)
        {
            newMembers.Sort((a, b) => declarationIndex[a].CompareTo(declarationIndex[b]));
            paths.Root(newMembers[0]);
            foreach (var task in newMembers)
            {
                if (reasons[task] is not null)
                {
                    continue;
                }

                var cycle = paths.Through(task);
                for (var p = 0; p < cycle.Count; p++)
                {
                    var member = cycle[p];
                    if (declarationIndex[member] >= 0 && reasons[member] is null)
                    {
                        reasons[member] = Describe(text, region, cycle, p);
                    }
                }
            }
        }

        return reasons;
    }

    /// <summary>Tarjan's algorithm over the region's upstream edges with an explicit call stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StronglyConnect(Region region, int[] component, List<int> componentSize)
    {
        var count = region.Count;
        var order = new int[count];
        Array.Fill(order, -1);
        var low = new int[count];
        var onStack = new bool[count];
        var stack = new int[count];
        var stackTop = 0;
        var callNode = new int[count];
        var callEdge = new int[count];
        var next = 0;

        for (var start = 0; start < count; start++)
        {
            if (order[start] >= 0)
            {
                continue;
            }

            var depth = 0;
            Enter(start);
            while (depth > 0)
            {
                var v = callNode[depth - 1];
                var e = callEdge[depth - 1];
                if (e < region.UpStart[v + 1])
                {
                    callEdge[depth - 1] = e + 1;
                    var w = region.Up[e];
                    if (order[w] < 0)
                    {
                        Enter(w);
                    }
                    else if (onStack[w] && order[w] < low[v])
                    {
                        low[v] = order[w];
                    }

                    continue;
                }

                depth--;
                if (low[v] == order[v])
                {
                    var id = componentSize.Count;
                    var size = 0;
                    int w;
                    do
                    {
                        w = stack[--stackTop];
                        onStack[w] = false;
                        component[w] = id;
                        size++;
                    }
                    while (w != v);
                    componentSize.Add(size);
                }

                if (depth > 0)
                {
                    var parent = callNode[depth - 1];
                    if (low[v] < low[parent])
                    {
                        low[parent] = low[v];
                    }
                }
            }

            void Enter(int v)
            {
                order[v] = low[v] = next++;
                stack[stackTop++] = v;
                onStack[v] = true;
                callNode[depth] = v;
                callEdge[depth] = region.UpStart[v];
                depth++;
            }
        }
    }

    private static string Describe(StringBuilder text, Region region, List<int> cycle, int start)
    {
        var length = cycle.Count;
        text.Clear().Append("cycle: ");
        for (var k = 0; k < length; k++)
        {
            if (length > MaxShown && k == ShownHead)
            {
                text.Append("... (").Append(length - ShownHead - ShownTail).Append(" more) -> ");
                k = length - ShownTail;
            }

            text.Append(region.NameOf(cycle[(start + k) % length])).Append(" -> ");
        }

        return text.Append(region.NameOf(cycle[start])).ToString();
    }
}
