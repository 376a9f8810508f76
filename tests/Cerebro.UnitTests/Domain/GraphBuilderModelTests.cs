using Cerebro.Domain;
using static Cerebro.UnitTests.Domain.TestTasks;
using TaskStatus = Cerebro.Domain.TaskStatus;

namespace Cerebro.UnitTests.Domain;

/// <summary>
/// Random sequences of declarations checked against a slow, obviously correct model of the rules, because the
/// real builder is incremental and index-based and its shortcuts are where bugs would hide.
/// </summary>
public class GraphBuilderModelTests
{
    private static readonly string[] Agents = ["agent-a", "agent-b", "agent-c"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Declare_RandomDeclarations_MatchTheModel(int seed)
    {
        var random = new Random(seed);
        var pool = Enumerable.Range(0, 14).Select(i => $"t{i:D2}").ToArray();
        var graph = TaskGraph.Empty;
        int cycles = 0, taken = 0, unresolved = 0;
        for (var step = 0; step < 150; step++)
        {
            var agent = Agents[random.Next(Agents.Length)];
            var declared = random.Next(2) == 0
                ? RandomDeclaration(random, pool, agent)
                : Redeclaration(random, pool, graph, agent);

            var outcome = GraphBuilder.Declare(graph, agent, declared);

            var expected = Model(graph, agent, declared);
            Assert.Equal(expected.Refused, outcome.Refused.Select(r => r.Task).Order(StringComparer.Ordinal));
            Assert.Equal(expected.States, Snapshot(outcome.Graph, withDownstream: false));
            foreach (var refusal in outcome.Refused.Where(r => r.Reason.StartsWith("cycle: ", StringComparison.Ordinal)))
            {
                AssertIsCycle(refusal, graph, agent, declared);
                cycles++;
            }

            taken += outcome.Refused.Count(r => r.Reason.Contains("already declared", StringComparison.Ordinal));
            unresolved += outcome.Unresolved.Count;

            // The incremental result equals a rebuild from scratch, downstream index included.
            Assert.Equal(Snapshot(TaskGraph.From(outcome.Graph.Tasks.Select(s => s.Definition))), Snapshot(outcome.Graph));
            graph = outcome.Graph;
        }

        // The generator must exercise every rule, or the comparison proves little.
        Assert.True(cycles > 10 && taken > 10 && unresolved > 10, $"cycles {cycles}, taken {taken}, unresolved {unresolved}");
    }

    private static TaskDefinition[] RandomDeclaration(Random random, string[] pool, string agent)
    {
        var names = pool.Where(_ => random.Next(3) == 0).ToArray();
        return names.Select(name =>
        {
            var upstreams = pool
                .Where(u => u != name && random.Next(6) == 0)
                .Select(u => random.Next(2) == 0 ? new Upstream(u) : new Upstream(u, TimeSpan.FromMinutes(5)))
                .ToArray();
            return new TaskDefinition(name, agent, Owner, upstreams);
        }).ToArray();
    }

    /// <summary>The agent's current tasks again, some untouched, some with new details or upstreams, some dropped, plus new ones.</summary>
    private static TaskDefinition[] Redeclaration(Random random, string[] pool, TaskGraph graph, string agent)
    {
        var tasks = new List<TaskDefinition>();
        foreach (var name in graph.TasksOf(agent))
        {
            var task = State(graph, name).Definition;
            switch (random.Next(10))
            {
                case < 5:
                    tasks.Add(task with { Upstreams = task.Upstreams.ToArray() });
                    break;
                case < 7:
                    tasks.Add(task with { Description = $"v{random.Next(1000)}", Upstreams = task.Upstreams.ToArray() });
                    break;
                case < 8:
                    tasks.Add(task with { Upstreams = RandomDeclaration(random, [.. pool, name], agent).FirstOrDefault(t => t.Name == name)?.Upstreams ?? [] });
                    break;
                default:
                    break;
            }
        }

        var taken = tasks.Select(t => t.Name).ToHashSet();
        tasks.AddRange(RandomDeclaration(random, pool, agent).Where(t => !taken.Contains(t.Name) && random.Next(3) == 0));
        return [.. tasks.OrderBy(_ => random.Next())];
    }

    private static (string[] Refused, string[] States) Model(TaskGraph current, string agent, TaskDefinition[] declared)
    {
        var refused = new List<string>();
        var graph = current.Tasks.Select(s => s.Definition).Where(d => d.Agent != agent).ToDictionary(d => d.Name);
        var candidates = new List<TaskDefinition>();
        foreach (var task in declared)
        {
            if (graph.ContainsKey(task.Name))
            {
                refused.Add(task.Name);
            }
            else
            {
                candidates.Add(task);
            }
        }

        foreach (var task in candidates)
        {
            graph[task.Name] = task;
        }

        // A new task on any cycle is refused (the rest of the graph was acyclic before).
        var onCycle = candidates.Where(t => Reaches(graph, t.Name, t.Name)).Select(t => t.Name).ToList();
        refused.AddRange(onCycle);
        foreach (var name in onCycle)
        {
            graph.Remove(name);
        }

        var reasons = new Dictionary<string, string?>();
        string? ReasonOf(string name)
        {
            if (reasons.TryGetValue(name, out var known))
            {
                return known;
            }

            var upstreams = graph[name].Upstreams;
            var missing = upstreams.FirstOrDefault(u => !graph.ContainsKey(u.Task));
            var reason = missing is not null
                ? $"upstream '{missing.Task}' is not declared by any agent"
                : upstreams.FirstOrDefault(u => ReasonOf(u.Task) is not null) is { } bad ? $"upstream '{bad.Task}' is unresolved" : null;
            reasons[name] = reason;
            return reason;
        }

        var states = graph.Values
            .Select(d => (d, reason: ReasonOf(d.Name)))
            .Select(x => $"{x.d.Name}|{x.d.Agent}|{(x.reason is null ? TaskStatus.Runnable : TaskStatus.Unresolved)}|{x.reason}|{string.Join(",", x.d.Upstreams.Select(u => $"{u.Task}:{u.FreshWithin}"))}")
            .Order(StringComparer.Ordinal)
            .ToArray();
        return ([.. refused.Order(StringComparer.Ordinal)], states);
    }

    private static bool Reaches(Dictionary<string, TaskDefinition> graph, string from, string to)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([from]);
        while (pending.TryPop(out var name))
        {
            if (!graph.TryGetValue(name, out var task))
            {
                continue;
            }

            foreach (var upstream in task.Upstreams)
            {
                if (upstream.Task == to)
                {
                    return true;
                }

                if (seen.Add(upstream.Task))
                {
                    pending.Push(upstream.Task);
                }
            }
        }

        return false;
    }

    private static void AssertIsCycle(TaskRefusal refusal, TaskGraph before, string agent, TaskDefinition[] declared)
    {
        var edges = before.Tasks.Select(s => s.Definition).Where(d => d.Agent != agent).Concat(declared)
            .SelectMany(d => d.Upstreams.Select(u => (d.Name, u.Task)))
            .ToHashSet();
        var path = refusal.Reason["cycle: ".Length..].Split(" -> ");
        Assert.Equal(refusal.Task, path[0]);
        Assert.Equal(refusal.Task, path[^1]);
        Assert.Equal(path.Length - 1, path[..^1].Distinct().Count());
        for (var i = 0; i + 1 < path.Length; i++)
        {
            Assert.Contains((path[i], path[i + 1]), edges);
        }
    }

    private static string[] Snapshot(TaskGraph graph, bool withDownstream = true) =>
        withDownstream
            ? TestTasks.Snapshot(graph)
            : graph.Tasks
                .Select(s => $"{s.Definition.Name}|{s.Definition.Agent}|{s.Status}|{s.Reason}|{string.Join(",", s.Definition.Upstreams.Select(u => $"{u.Task}:{u.FreshWithin}"))}")
                .Order(StringComparer.Ordinal)
                .ToArray();
}
