using Cerebro.Domain;
using static Cerebro.UnitTests.Domain.TestTasks;

namespace Cerebro.UnitTests.Domain;

/// <summary>Random acyclic graphs and success histories, checked against the planning rules stated directly.</summary>
public class RunPlannerModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Plan_RandomGraphs_FollowTheRules(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 100; round++)
        {
            // Upstreams only point to lower numbers: acyclic by construction.
            var tasks = Enumerable.Range(0, 25).Select(i => TaskOn(
                $"t{i:D2}",
                Enumerable.Range(0, i)
                    .Where(_ => random.Next(8) == 0)
                    .Select(u => random.Next(2) == 0 ? RunFirst($"t{u:D2}") : Fresh($"t{u:D2}", TimeSpan.FromMinutes(30)))
                    .ToArray())).ToArray();
            var successes = tasks.Where(_ => random.Next(2) == 0).ToDictionary(t => t.Name, _ => Now.AddMinutes(-random.Next(60)));
            var graph = Graph(tasks);
            var root = tasks[random.Next(tasks.Length)].Name;

            var plan = RunPlanner.Plan(graph, root, n => successes.TryGetValue(n, out var at) ? at : null, Now);

            var expectedRun = RunSet(graph, root, successes);
            var runs = plan.TaskRuns.Where(r => !r.Reused).Select(r => r.Task).ToHashSet();
            Assert.Equal(expectedRun.Order(), runs.Order());
            Assert.Equal(root, plan.TaskRuns[^1].Task);
            Assert.Equal(plan.TaskRuns.Count, plan.TaskRuns.Select(r => r.Task).Distinct().Count());

            var position = plan.TaskRuns.Select((r, i) => (r.Task, i)).ToDictionary(x => x.Task, x => x.i);
            foreach (var run in plan.TaskRuns)
            {
                var definition = State(graph, run.Task).Definition;
                if (run.Reused)
                {
                    Assert.Empty(run.Upstreams);
                    continue;
                }

                // Exactly the upstreams that run in this plan block it, and every planned upstream comes first.
                Assert.Equal(definition.Upstreams.Select(u => u.Task).Where(runs.Contains), run.Upstreams);
                foreach (var upstream in definition.Upstreams.Where(u => position.ContainsKey(u.Task)))
                {
                    Assert.True(position[upstream.Task] < position[run.Task]);
                }

                // Every upstream is planned: run-first ones run, fresh ones run or are reused.
                foreach (var upstream in definition.Upstreams)
                {
                    Assert.True(position.ContainsKey(upstream.Task));
                    if (upstream.FreshWithin is null)
                    {
                        Assert.Contains(upstream.Task, runs);
                    }
                }
            }
        }
    }

    private static HashSet<string> RunSet(TaskGraph graph, string root, Dictionary<string, DateTimeOffset> successes)
    {
        var run = new HashSet<string> { root };
        bool changed;
        do
        {
            changed = false;
            foreach (var name in run.ToArray())
            {
                foreach (var upstream in State(graph, name).Definition.Upstreams)
                {
                    var fresh = upstream.FreshWithin is { } window
                        && successes.TryGetValue(upstream.Task, out var at)
                        && Now - at <= window;
                    changed |= !fresh && run.Add(upstream.Task);
                }
            }
        }
        while (changed);
        return run;
    }
}
