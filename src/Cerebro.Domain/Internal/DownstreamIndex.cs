using System.Runtime.CompilerServices;

namespace Cerebro.Domain.Internal;

/// <summary>
/// Patches the downstream index (upstream name to sorted downstream names) touching only the keys that changed,
/// so a declaration costs what it changes rather than the size of the graph.
/// </summary>
internal static class DownstreamIndex
{
    // Per-task methods are optimized at once, not tiered up: see the remarks on GraphBuilder.
    /// <summary>
    /// Removes <paramref name="removedTasks"/> from the lists of <paramref name="touchedKeys"/> and adds the edges of
    /// <paramref name="added"/>. The index must be a private copy: its arrays are replaced, never mutated.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(
        Dictionary<string, string[]> index,
        IReadOnlyList<TaskDefinition> added,
        HashSet<string>? removedTasks,
        IEnumerable<string>? touchedKeys)
    {
        // Group the new edges by upstream with one hash lookup per edge; only each group needs sorting.
        var edgeCount = 0;
        foreach (var task in added)
        {
            edgeCount += task.Upstreams.Count;
        }

        var slots = new Dictionary<string, int>(edgeCount, StringComparer.Ordinal);
        var keys = new List<string>(edgeCount);
        var sizes = new List<int>(edgeCount);
        var edgeSlots = new int[edgeCount];
        var e = 0;
        foreach (var task in added)
        {
            foreach (var upstream in task.Upstreams)
            {
                if (!slots.TryGetValue(upstream.Task, out var slot))
                {
                    slot = keys.Count;
                    slots.Add(upstream.Task, slot);
                    keys.Add(upstream.Task);
                    sizes.Add(0);
                }

                sizes[slot]++;
                edgeSlots[e++] = slot;
            }
        }

        var starts = new int[keys.Count + 1];
        for (var k = 0; k < keys.Count; k++)
        {
            starts[k + 1] = starts[k] + sizes[k];
        }

        var downs = new string[edgeCount];
        var fill = (int[])starts.Clone();
        e = 0;
        foreach (var task in added)
        {
            for (var u = 0; u < task.Upstreams.Count; u++)
            {
                downs[fill[edgeSlots[e++]]++] = task.Name;
            }
        }

        if (index.Count == 0)
        {
            index.EnsureCapacity(keys.Count);
        }

        for (var k = 0; k < keys.Count; k++)
        {
            var length = starts[k + 1] - starts[k];
            if (length > 1)
            {
                Array.Sort(downs, starts[k], length, StringComparer.Ordinal);
            }

            var existing = index.TryGetValue(keys[k], out var names) ? names : [];
            index[keys[k]] = Merge(Filter(existing, removedTasks), downs, starts[k], starts[k + 1]);
        }

        if (touchedKeys is null)
        {
            return;
        }

        foreach (var key in touchedKeys)
        {
            if (slots.ContainsKey(key) || !index.TryGetValue(key, out var names))
            {
                continue;
            }

            var kept = Filter(names, removedTasks);
            if (kept.Length == 0)
            {
                index.Remove(key);
            }
            else if (!ReferenceEquals(kept, names))
            {
                index[key] = kept;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string[] Filter(string[] names, HashSet<string>? removed)
    {
        if (removed is null || removed.Count == 0)
        {
            return names;
        }

        var kept = 0;
        foreach (var name in names)
        {
            if (!removed.Contains(name))
            {
                kept++;
            }
        }

        if (kept == names.Length)
        {
            return names;
        }

        var result = new string[kept];
        var k = 0;
        foreach (var name in names)
        {
            if (!removed.Contains(name))
            {
                result[k++] = name;
            }
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string[] Merge(string[] existing, string[] added, int from, int to)
    {
        var result = new string[existing.Length + (to - from)];
        int a = 0, b = from, k = 0;
        while (a < existing.Length && b < to)
        {
            result[k++] = string.CompareOrdinal(existing[a], added[b]) <= 0 ? existing[a++] : added[b++];
        }

        while (a < existing.Length)
        {
            result[k++] = existing[a++];
        }

        while (b < to)
        {
            result[k++] = added[b++];
        }

        return result;
    }
}
