using System.Runtime.CompilerServices;

namespace Cerebro.Domain.Internal;

/// <summary>
/// Recomputes the statuses of a region's tasks in topological order (Kahn), so each task is evaluated once, after
/// its upstreams. Tasks outside the region keep their status: nothing they depend on changed.
/// </summary>
internal static class StatusEvaluator
{
    private const string UpstreamPrefix = "upstream '";
    private const string MissingSuffix = "' is not declared by any agent";
    private const string UnresolvedSuffix = "' is unresolved";

    /// <summary>The reason given to tasks on or downstream of a cycle, which only untrusted input to <see cref="TaskGraph.From"/> can hold.</summary>
    public const string CycleReason = "task is on or downstream of a dependency cycle";

    // Per-task methods are optimized at once, not tiered up: see the remarks on GraphBuilder.
    /// <summary>
    /// Writes the new state of every region task that is not <paramref name="removed"/> into <paramref name="tasks"/>,
    /// reusing the existing <see cref="TaskState"/> when nothing changed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Evaluate(Region region, Dictionary<string, TaskState> tasks, bool[]? removed = null)
    {
        var count = region.Count;
        var pending = new int[count];
        var ready = new Queue<int>();
        for (var i = 0; i < count; i++)
        {
            if (removed is not null && removed[i])
            {
                continue;
            }

            var n = 0;
            for (var e = region.UpStart[i]; e < region.UpStart[i + 1]; e++)
            {
                if (removed is null || !removed[region.Up[e]])
                {
                    n++;
                }
            }

            pending[i] = n;
            if (n == 0)
            {
                ready.Enqueue(i);
            }
        }

        var evaluated = 0;
        while (ready.TryDequeue(out var i))
        {
            evaluated++;
            Update(region.States[i], tasks);
            for (var e = region.DownStart[i]; e < region.DownStart[i + 1]; e++)
            {
                var d = region.Down[e];
                if ((removed is null || !removed[d]) && --pending[d] == 0)
                {
                    ready.Enqueue(d);
                }
            }
        }

        var expected = removed is null ? count : count - removed.Count(r => r);
        if (evaluated == expected)
        {
            return;
        }

        // Only reachable when trusted input held a cycle: Kahn never released these tasks.
        for (var i = 0; i < count; i++)
        {
            if ((removed is null || !removed[i]) && pending[i] > 0)
            {
                var state = region.States[i];
                tasks[state.Definition.Name] = state with { Status = TaskStatus.Unresolved, Reason = CycleReason };
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update(TaskState previous, Dictionary<string, TaskState> tasks)
    {
        var definition = previous.Definition;
        string? missing = null;
        string? unresolved = null;
        foreach (var upstream in definition.Upstreams)
        {
            if (!tasks.TryGetValue(upstream.Task, out var state))
            {
                missing = upstream.Task;
                break;
            }

            if (unresolved is null && state.Status == TaskStatus.Unresolved)
            {
                unresolved = upstream.Task;
            }
        }

        // Reuse the existing state when it already says the same, so an unchanged graph allocates nothing.
        if (missing is null && unresolved is null)
        {
            if (previous.Status != TaskStatus.Runnable || previous.Reason is not null)
            {
                tasks[definition.Name] = previous with { Status = TaskStatus.Runnable, Reason = null };
            }

            return;
        }

        var (culprit, suffix) = missing is not null ? (missing, MissingSuffix) : (unresolved!, UnresolvedSuffix);
        if (previous.Status == TaskStatus.Unresolved && Says(previous.Reason, culprit, suffix))
        {
            return;
        }

        tasks[definition.Name] = previous with
        {
            Status = TaskStatus.Unresolved,
            Reason = string.Concat(UpstreamPrefix, culprit, suffix),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Says(string? reason, string culprit, string suffix) =>
        reason is not null
        && reason.Length == UpstreamPrefix.Length + culprit.Length + suffix.Length
        && reason.StartsWith(UpstreamPrefix, StringComparison.Ordinal)
        && reason.EndsWith(suffix, StringComparison.Ordinal)
        && reason.AsSpan(UpstreamPrefix.Length, culprit.Length).SequenceEqual(culprit);
}
