using System.Runtime.CompilerServices;

namespace Cerebro.Domain.Internal;

/// <summary>
/// The part of the graph a change can affect, renumbered 0..Count-1 with its edges in compressed arrays, so cycle
/// search and status evaluation run on integers instead of hashing names per step.
/// </summary>
internal sealed class Region
{
    // Per-task methods are optimized at once, not tiered up: see the remarks on GraphBuilder.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Region(List<TaskState> states, Dictionary<string, int> index)
    {
        States = states;
        Index = index;
        var count = states.Count;

        // Upstream edges inside the region, in declared order per task.
        UpStart = new int[count + 1];
        var up = new List<int>(count + (count / 2));
        for (var i = 0; i < count; i++)
        {
            UpStart[i] = up.Count;
            foreach (var upstream in states[i].Definition.Upstreams)
            {
                if (index.TryGetValue(upstream.Task, out var j))
                {
                    up.Add(j);
                }
            }
        }

        UpStart[count] = up.Count;
        Up = up.ToArray();

        // The same edges reversed: for each task, the region tasks that depend on it.
        DownStart = new int[count + 1];
        foreach (var j in Up)
        {
            DownStart[j + 1]++;
        }

        for (var i = 0; i < count; i++)
        {
            DownStart[i + 1] += DownStart[i];
        }

        Down = new int[Up.Length];
        var fill = (int[])DownStart.Clone();
        for (var i = 0; i < count; i++)
        {
            for (var e = UpStart[i]; e < UpStart[i + 1]; e++)
            {
                Down[fill[Up[e]]++] = i;
            }
        }
    }

    /// <summary>The region's tasks as they were when the region was taken.</summary>
    public List<TaskState> States { get; }

    /// <summary>Task name to region number.</summary>
    public Dictionary<string, int> Index { get; }

    public int Count => States.Count;

    /// <summary>Upstream edges of task i are <c>Up[UpStart[i]..UpStart[i+1]]</c>.</summary>
    public int[] UpStart { get; }

    public int[] Up { get; }

    /// <summary>Downstream edges of task i are <c>Down[DownStart[i]..DownStart[i+1]]</c>.</summary>
    public int[] DownStart { get; }

    public int[] Down { get; }

    public string NameOf(int i) => States[i].Definition.Name;

    /// <summary>The whole graph.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Region All(Dictionary<string, TaskState> tasks)
    {
        var states = new List<TaskState>(tasks.Count);
        var index = new Dictionary<string, int>(tasks.Count, StringComparer.Ordinal);
        foreach (var (name, state) in tasks)
        {
            index.Add(name, states.Count);
            states.Add(state);
        }

        return new Region(states, index);
    }

    /// <summary>
    /// The tasks in <paramref name="seeds"/> and every task downstream of a seed, directly or not. Seeds need not be
    /// tasks: a removed name's downstream is what its removal affects.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Region DownstreamClosure(
        IEnumerable<string> seeds,
        Dictionary<string, TaskState> tasks,
        Dictionary<string, string[]> downstream)
    {
        var capacity = seeds.TryGetNonEnumeratedCount(out var n) ? n : 0;
        var states = new List<TaskState>(capacity);
        var index = new Dictionary<string, int>(capacity, StringComparer.Ordinal);
        var queue = new Queue<string>(capacity);
        foreach (var seed in seeds)
        {
            if (tasks.TryGetValue(seed, out var state))
            {
                if (index.TryAdd(seed, states.Count))
                {
                    states.Add(state);
                    queue.Enqueue(seed);
                }
            }
            else
            {
                queue.Enqueue(seed);
            }
        }

        // Iterative BFS: the closure may hold the whole graph.
        while (queue.TryDequeue(out var name))
        {
            if (!downstream.TryGetValue(name, out var names))
            {
                continue;
            }

            foreach (var next in names)
            {
                if (index.TryAdd(next, states.Count))
                {
                    states.Add(tasks[next]);
                    queue.Enqueue(next);
                }
            }
        }

        return new Region(states, index);
    }
}
