namespace Cerebro.Domain;

/// <summary>
/// Decides which task runs a run of a task needs: the task, and transitively every upstream that must run first,
/// reusing fresh-enough successes where an edge allows it. Pure, so every branch is testable without a clock or a store.
/// </summary>
public static class RunPlanner
{
    /// <summary>Plans a run of <paramref name="task"/> on <paramref name="graph"/> as of <paramref name="now"/>.</summary>
    /// <param name="graph">The accepted tasks.</param>
    /// <param name="task">The task to run; it always runs, however fresh.</param>
    /// <param name="lastSuccess">When a task last finished successfully, or null; asked at most once per task.</param>
    /// <param name="now">The time the run is planned; freshness windows count back from it.</param>
    public static RunPlan Plan(TaskGraph graph, string task, Func<string, DateTimeOffset?> lastSuccess, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(lastSuccess);

        if (task is null || !graph.TryGet(task, out var root))
        {
            return Failed(PlanError.UnknownTask, $"task '{task}' is not declared by any agent");
        }

        if (root.Status == TaskStatus.Unresolved)
        {
            return Failed(PlanError.Unresolved, root.Reason ?? $"task '{task}' is unresolved");
        }

        // The tasks that run: reachable from the root over edges that force a run (run-first, or stale freshness).
        var run = new Dictionary<string, TaskState>(StringComparer.Ordinal) { [task] = root };
        var fresh = new Dictionary<string, TaskState>(StringComparer.Ordinal);
        var successes = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        var pending = new Stack<TaskState>();
        pending.Push(root);
        while (pending.TryPop(out var current))
        {
            foreach (var upstream in current.Definition.Upstreams)
            {
                // A runnable task's upstreams are declared and runnable: the graph keeps that invariant.
                var state = graph.TryGet(upstream.Task, out var found) && found.Status == TaskStatus.Runnable
                    ? found
                    : throw new InvalidOperationException($"runnable task '{current.Definition.Name}' has an unusable upstream '{upstream.Task}'");

                if (upstream.FreshWithin is { } window && IsFresh(upstream.Task, window))
                {
                    fresh.TryAdd(upstream.Task, state);
                }
                else if (run.TryAdd(upstream.Task, state))
                {
                    pending.Push(state);
                }
            }
        }

        return new RunPlan(PlanError.None, null, Order(run, fresh));

        bool IsFresh(string name, TimeSpan window)
        {
            if (!successes.TryGetValue(name, out var at))
            {
                at = lastSuccess(name);
                successes.Add(name, at);
            }

            return Freshness.IsSatisfied(at, window, now);
        }
    }

    /// <summary>Kahn's algorithm, smallest name first among the ready, so the same graph always gives the same plan.</summary>
    private static PlannedTaskRun[] Order(Dictionary<string, TaskState> run, Dictionary<string, TaskState> fresh)
    {
        // Number the planned tasks so the edges live in flat arrays rather than a list per task.
        var states = new List<TaskState>(run.Count + fresh.Count);
        var ids = new Dictionary<string, int>(run.Count + fresh.Count, StringComparer.Ordinal);
        foreach (var (name, state) in run)
        {
            ids.Add(name, states.Count);
            states.Add(state);
        }

        var runCount = states.Count;
        foreach (var (name, state) in fresh)
        {
            if (ids.TryAdd(name, states.Count))
            {
                states.Add(state);
            }
        }

        // Reused upstreams are ordered before their downstream too, though they do not block it.
        var count = states.Count;
        var waiting = new int[count];
        var downStart = new int[count + 1];
        for (var t = 0; t < runCount; t++)
        {
            foreach (var upstream in states[t].Definition.Upstreams)
            {
                if (ids.TryGetValue(upstream.Task, out var u))
                {
                    waiting[t]++;
                    downStart[u + 1]++;
                }
            }
        }

        for (var i = 0; i < count; i++)
        {
            downStart[i + 1] += downStart[i];
        }

        var down = new int[downStart[count]];
        var fill = (int[])downStart.Clone();
        for (var t = 0; t < runCount; t++)
        {
            foreach (var upstream in states[t].Definition.Upstreams)
            {
                if (ids.TryGetValue(upstream.Task, out var u))
                {
                    down[fill[u]++] = t;
                }
            }
        }

        var ready = new PriorityQueue<int, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            if (waiting[i] == 0)
            {
                ready.Enqueue(i, states[i].Definition.Name);
            }
        }

        var plan = new PlannedTaskRun[count];
        var k = 0;
        while (ready.TryDequeue(out var i, out _))
        {
            plan[k++] = i < runCount ? Runs(states[i], run) : Reuses(states[i]);
            for (var e = downStart[i]; e < downStart[i + 1]; e++)
            {
                var d = down[e];
                if (--waiting[d] == 0)
                {
                    ready.Enqueue(d, states[d].Definition.Name);
                }
            }
        }

        return k == count
            ? plan
            : throw new InvalidOperationException("the planned tasks hold a cycle; the graph should have refused it");
    }

    private static PlannedTaskRun Runs(TaskState state, Dictionary<string, TaskState> run)
    {
        var definition = state.Definition;
        var upstreams = new List<string>(definition.Upstreams.Count);
        foreach (var upstream in definition.Upstreams)
        {
            if (run.ContainsKey(upstream.Task))
            {
                upstreams.Add(upstream.Task);
            }
        }

        return new PlannedTaskRun(definition.Name, definition.Agent, definition.Owner, upstreams, Reused: false, definition.Timeouts);
    }

    private static PlannedTaskRun Reuses(TaskState state)
    {
        var definition = state.Definition;
        return new PlannedTaskRun(definition.Name, definition.Agent, definition.Owner, [], Reused: true, definition.Timeouts);
    }

    private static RunPlan Failed(PlanError error, string reason) => new(error, reason, []);
}
