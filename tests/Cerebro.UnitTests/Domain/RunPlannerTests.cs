using Cerebro.Domain;
using static Cerebro.UnitTests.Domain.TestTasks;

namespace Cerebro.UnitTests.Domain;

public class RunPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static RunPlan Plan(TaskGraph graph, string task, IReadOnlyDictionary<string, DateTimeOffset>? successes = null) =>
        RunPlanner.Plan(graph, task, name => successes is not null && successes.TryGetValue(name, out var at) ? at : null, Now);

    private static string[] Order(RunPlan plan) => plan.TaskRuns.Select(r => r.Task).ToArray();

    private static PlannedTaskRun Run(RunPlan plan, string task) => plan.TaskRuns.Single(r => r.Task == task);

    [Fact]
    public void Plan_UnknownTask_ReturnsUnknownTask()
    {
        var plan = Plan(Graph(Task("extract")), "nope");

        Assert.Equal(PlanError.UnknownTask, plan.Error);
        Assert.Equal("task 'nope' is not declared by any agent", plan.ErrorReason);
        Assert.Empty(plan.TaskRuns);
        Assert.False(plan.Succeeded);
    }

    [Fact]
    public void Plan_UnresolvedTask_ReturnsUnresolvedWithItsReason()
    {
        var plan = Plan(Graph(Task("report", "load"), Task("load", "extract")), "report");

        Assert.Equal(PlanError.Unresolved, plan.Error);
        Assert.Equal("upstream 'load' is unresolved", plan.ErrorReason);
        Assert.Empty(plan.TaskRuns);
    }

    [Fact]
    public void Plan_TaskWithoutUpstreams_PlansOnlyIt()
    {
        var timeouts = new TaskTimeoutOverrides(TimeSpan.FromSeconds(3), null, null);
        var graph = Graph(Task("extract") with { Timeouts = timeouts, Owner = "team-x" }, Task("load", "extract"));

        var plan = Plan(graph, "extract");

        Assert.Equal(PlanError.None, plan.Error);
        Assert.Null(plan.ErrorReason);
        var run = Assert.Single(plan.TaskRuns);
        Assert.Equal(new PlannedTaskRun("extract", AgentA, "team-x", run.Upstreams, false, timeouts), run);
        Assert.Empty(run.Upstreams);
    }

    [Fact]
    public void Plan_RunFirstChain_PlansEveryUpstreamBeforeItsDownstream_RootLast()
    {
        var graph = Graph(Task("report", "load"), Task("load", "extract"), Task("extract"), Task("unrelated"));

        var plan = Plan(graph, "report");

        Assert.Equal(["extract", "load", "report"], Order(plan));
        Assert.Equal(["extract"], Run(plan, "load").Upstreams);
        Assert.Equal(["load"], Run(plan, "report").Upstreams);
        Assert.All(plan.TaskRuns, r => Assert.False(r.Reused));
    }

    [Fact]
    public void Plan_RunFirstUpstreamThatSucceededRecently_StillRuns()
    {
        var graph = Graph(Task("load", "extract"), Task("extract"));

        var plan = Plan(graph, "load", new Dictionary<string, DateTimeOffset> { ["extract"] = Now });

        Assert.Equal(["extract", "load"], Order(plan));
        Assert.False(Run(plan, "extract").Reused);
    }

    [Fact]
    public void Plan_Diamond_PlansTheSharedUpstreamOnce_TiesByName()
    {
        var graph = Graph(Task("top", "right", "left"), Task("right", "base"), Task("left", "base"), Task("base"));

        var plan = Plan(graph, "top");

        Assert.Equal(["base", "left", "right", "top"], Order(plan));
        Assert.Equal(["right", "left"], Run(plan, "top").Upstreams);
    }

    [Fact]
    public void Plan_IndependentUpstreams_AreOrderedByName()
    {
        var graph = Graph(Task("root", "c", "a", "b"), Task("c"), Task("b"), Task("a"));

        Assert.Equal(["a", "b", "c", "root"], Order(Plan(graph, "root")));
    }

    [Fact]
    public void Plan_FreshUpstreamWithinWindow_IsReusedWithoutItsUpstreams()
    {
        var graph = Graph(TaskOn("report", Fresh("load", Hour)), Task("load", "extract"), Task("extract"));

        var plan = Plan(graph, "report", new Dictionary<string, DateTimeOffset> { ["load"] = Now.AddMinutes(-30) });

        Assert.Equal(["load", "report"], Order(plan));
        var load = Run(plan, "load");
        Assert.True(load.Reused);
        Assert.Empty(load.Upstreams);
        Assert.Empty(Run(plan, "report").Upstreams);
    }

    [Fact]
    public void Plan_FreshUpstreamExactlyAtTheWindow_IsReused()
    {
        var graph = Graph(TaskOn("report", Fresh("load", Hour)), Task("load"));

        var plan = Plan(graph, "report", new Dictionary<string, DateTimeOffset> { ["load"] = Now - Hour });

        Assert.True(Run(plan, "load").Reused);
    }

    [Fact]
    public void Plan_FreshUpstreamTooOld_RunsWithItsUpstreams()
    {
        var graph = Graph(TaskOn("report", Fresh("load", Hour)), Task("load", "extract"), Task("extract"));

        var plan = Plan(graph, "report", new Dictionary<string, DateTimeOffset> { ["load"] = Now - Hour - TimeSpan.FromSeconds(1) });

        Assert.Equal(["extract", "load", "report"], Order(plan));
        Assert.False(Run(plan, "load").Reused);
        Assert.Equal(["load"], Run(plan, "report").Upstreams);
    }

    [Fact]
    public void Plan_FreshUpstreamThatNeverSucceeded_Runs()
    {
        var graph = Graph(TaskOn("report", Fresh("load", Hour)), Task("load"));

        var plan = Plan(graph, "report");

        Assert.False(Run(plan, "load").Reused);
        Assert.Equal(["load"], Run(plan, "report").Upstreams);
    }

    [Fact]
    public void Plan_UpstreamFreshForOneTaskButRunFirstForAnother_RunsAndBlocksBoth()
    {
        var graph = Graph(
            Task("report", "summary", "detail"),
            TaskOn("summary", Fresh("load", Hour)),
            Task("detail", "load"),
            Task("load"));

        var plan = Plan(graph, "report", new Dictionary<string, DateTimeOffset> { ["load"] = Now });

        Assert.Equal(["load", "detail", "summary", "report"], Order(plan));
        Assert.False(Run(plan, "load").Reused);
        Assert.Equal(["load"], Run(plan, "summary").Upstreams);
        Assert.Equal(["load"], Run(plan, "detail").Upstreams);
    }

    [Fact]
    public void Plan_ReusedUpstreamSharedWithARunningOne_ListsOnlyTheRunningOne()
    {
        var graph = Graph(
            TaskOn("report", Fresh("load", Hour), RunFirst("extract")),
            TaskOn("load", RunFirst("extract")),
            Task("extract"));

        var plan = Plan(graph, "report", new Dictionary<string, DateTimeOffset> { ["load"] = Now.AddMinutes(-1) });

        Assert.Equal(["extract", "load", "report"], Order(plan));
        Assert.True(Run(plan, "load").Reused);
        Assert.Empty(Run(plan, "load").Upstreams);
        Assert.Equal(["extract"], Run(plan, "report").Upstreams);
    }

    [Fact]
    public void Plan_RootThatSucceededRecently_StillRuns()
    {
        var graph = Graph(Task("report"), TaskOn("other", Fresh("report", Hour)));

        var plan = Plan(graph, "report", new Dictionary<string, DateTimeOffset> { ["report"] = Now });

        Assert.False(Assert.Single(plan.TaskRuns).Reused);
    }

    [Fact]
    public void Plan_AsksLastSuccessAtMostOncePerTask()
    {
        var graph = Graph(
            TaskOn("report", Fresh("load", Hour), RunFirst("a"), RunFirst("b")),
            TaskOn("a", Fresh("load", TimeSpan.FromMinutes(1))),
            TaskOn("b", Fresh("load", TimeSpan.FromDays(1))),
            Task("load"));
        var asked = new List<string>();

        var plan = RunPlanner.Plan(graph, "report", name => { asked.Add(name); return Now.AddMinutes(-10); }, Now);

        Assert.Equal(["load"], asked);
        // Stale for 'a' (one minute), so it runs, and then it blocks everyone that lists it.
        Assert.False(Run(plan, "load").Reused);
        Assert.Equal(["load", "a", "b"], Run(plan, "report").Upstreams);
        Assert.Equal(["load"], Run(plan, "b").Upstreams);
    }

    [Fact]
    public void Plan_TaskUnderAReusedUpstreamOnly_IsNotPlanned()
    {
        var graph = Graph(TaskOn("report", Fresh("load", Hour)), Task("load", "extract"), Task("extract"));

        var plan = Plan(graph, "report", new Dictionary<string, DateTimeOffset> { ["load"] = Now, ["extract"] = Now.AddYears(-1) });

        Assert.DoesNotContain("extract", Order(plan));
    }

    [Fact]
    public void Plan_TasksOfSeveralAgents_CarryTheirAgentAndOwner()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("extract") with { Owner = "team-b" }).Graph;
        graph = Declare(graph, AgentA, Task("load", "extract")).Graph;

        var plan = Plan(graph, "load");

        Assert.Equal(AgentB, Run(plan, "extract").Agent);
        Assert.Equal("team-b", Run(plan, "extract").Owner);
        Assert.Equal(AgentA, Run(plan, "load").Agent);
    }

    [Fact]
    public void Plan_SameGraphTwice_GivesTheSamePlan()
    {
        var graph = Graph(
            Task("z", "m", "b"),
            Task("m", "a", "y"),
            Task("b", "a"),
            Task("y"),
            Task("a"));

        var first = Order(Plan(graph, "z"));

        Assert.Equal(["a", "b", "y", "m", "z"], first);
        Assert.Equal(first, Order(Plan(Graph(graph.Tasks.Select(s => s.Definition).Reverse().ToArray()), "z")));
    }
}
