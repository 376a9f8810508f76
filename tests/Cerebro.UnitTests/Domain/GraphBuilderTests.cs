using Cerebro.Domain;
using static Cerebro.UnitTests.Domain.TestTasks;
using TaskStatus = Cerebro.Domain.TaskStatus;

namespace Cerebro.UnitTests.Domain;

public class GraphBuilderTests
{
    [Fact]
    public void Declare_ValidTasks_AcceptsAllInDeclaredOrder()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("load", "extract"), Task("extract"));

        Assert.Equal(["load", "extract"], outcome.Accepted);
        Assert.Empty(outcome.Refused);
        Assert.Empty(outcome.Unresolved);
        Assert.Equal(2, outcome.Graph.Count);
        Assert.All(outcome.Graph.Tasks, s => Assert.Equal(TaskStatus.Runnable, s.Status));
        Assert.All(outcome.Graph.Tasks, s => Assert.Null(s.Reason));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Extract")]
    [InlineData("-extract")]
    [InlineData(".extract")]
    [InlineData("extract data")]
    [InlineData("extract/data")]
    [InlineData("extract\n")]
    public void Declare_InvalidTaskName_RefusesIt(string name)
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task(name), Task("other"));

        Assert.Equal(["other"], outcome.Accepted);
        var refusal = Assert.Single(outcome.Refused);
        Assert.Equal(name, refusal.Task);
        Assert.Contains("is invalid", refusal.Reason, StringComparison.Ordinal);
        Assert.False(outcome.Graph.TryGet(name, out _));
    }

    [Fact]
    public void Declare_TaskNameLength_AcceptsUpTo128Characters()
    {
        var longest = "a" + new string('.', 126) + "z";
        var tooLong = longest + "z";

        var outcome = Declare(TaskGraph.Empty, AgentA, Task(longest), Task(tooLong));

        Assert.Equal([longest], outcome.Accepted);
        Assert.Equal(tooLong, Assert.Single(outcome.Refused).Task);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Declare_EmptyOwner_RefusesIt(string owner)
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("extract") with { Owner = owner });

        Assert.Empty(outcome.Accepted);
        Assert.Equal("task 'extract' has no owner", Reason(outcome, "extract"));
    }

    [Fact]
    public void Declare_OwnerLength_AcceptsUpTo128Characters()
    {
        var outcome = Declare(
            TaskGraph.Empty,
            AgentA,
            Task("fits") with { Owner = new string('o', 128) },
            Task("too-long") with { Owner = new string('o', 129) });

        Assert.Equal(["fits"], outcome.Accepted);
        Assert.Equal("task 'too-long' has an owner longer than 128 characters", Reason(outcome, "too-long"));
    }

    [Fact]
    public void Declare_TaskDeclaredTwice_RefusesBothCopies()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("extract"), Task("load"), Task("extract", "load"));

        Assert.Equal(["load"], outcome.Accepted);
        Assert.Equal(2, outcome.Refused.Count);
        Assert.All(outcome.Refused, r =>
        {
            Assert.Equal("extract", r.Task);
            Assert.Equal("task 'extract' is declared more than once in this declaration", r.Reason);
        });
        Assert.False(outcome.Graph.TryGet("extract", out _));
    }

    [Fact]
    public void Declare_TaskOwnedByAnotherAgent_RefusesIt_AndTheOtherAgentKeepsIt()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("extract")).Graph;

        var outcome = Declare(graph, AgentA, Task("extract") with { Owner = "thieves" }, Task("load", "extract"));

        Assert.Equal(["load"], outcome.Accepted);
        Assert.Equal("task 'extract' is already declared by agent 'agent-b'", Reason(outcome, "extract"));
        var kept = State(outcome.Graph, "extract");
        Assert.Equal(AgentB, kept.Definition.Agent);
        Assert.Equal(Owner, kept.Definition.Owner);
        Assert.Equal(TaskStatus.Runnable, State(outcome.Graph, "load").Status);
    }

    [Fact]
    public void Declare_TaskOwnedBySameAgent_ReplacesIt()
    {
        var graph = Graph(Task("extract"));

        var outcome = Declare(graph, AgentA, Task("extract") with { Description = "v2" });

        Assert.Equal(["extract"], outcome.Accepted);
        Assert.Equal("v2", State(outcome.Graph, "extract").Definition.Description);
    }

    [Fact]
    public void Declare_UpstreamListedTwice_RefusesIt()
    {
        var outcome = Declare(
            TaskGraph.Empty,
            AgentA,
            Task("extract"),
            TaskOn("load", RunFirst("extract"), Fresh("extract", TimeSpan.FromHours(1))));

        Assert.Equal(["extract"], outcome.Accepted);
        Assert.Equal("task 'load' lists upstream 'extract' more than once", Reason(outcome, "load"));
    }

    [Fact]
    public void Declare_UpstreamListedTwiceInALongList_RefusesIt()
    {
        var upstreams = Enumerable.Range(0, 20).Select(i => $"u{i}").Append("u7").ToArray();

        var outcome = Declare(TaskGraph.Empty, AgentA, Task("load", upstreams));

        Assert.Equal("task 'load' lists upstream 'u7' more than once", Reason(outcome, "load"));
    }

    [Fact]
    public void Declare_SelfDependency_RefusesIt()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, TaskOn("poll", Fresh("poll", TimeSpan.FromMinutes(5))));

        Assert.Empty(outcome.Accepted);
        Assert.Equal("task 'poll' depends on itself", Reason(outcome, "poll"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Extract")]
    public void Declare_InvalidUpstreamName_RefusesIt(string upstream)
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("load", upstream));

        Assert.StartsWith($"task 'load' has an invalid upstream name '{upstream}'", Reason(outcome, "load"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Declare_FreshWithinNotPositive_RefusesIt(int seconds)
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("extract"), TaskOn("load", Fresh("extract", TimeSpan.FromSeconds(seconds))));

        Assert.Equal(["extract"], outcome.Accepted);
        Assert.StartsWith("task 'load' has upstream 'extract' with freshWithin", Reason(outcome, "load"), StringComparison.Ordinal);
        Assert.EndsWith("it must be greater than zero", Reason(outcome, "load"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ack")]
    [InlineData("start")]
    [InlineData("complete")]
    public void Declare_TimeoutNotPositive_RefusesIt(string which)
    {
        var fine = TimeSpan.FromSeconds(5);
        var timeouts = which switch
        {
            "ack" => new TaskTimeoutOverrides(TimeSpan.Zero, fine, fine),
            "start" => new TaskTimeoutOverrides(fine, TimeSpan.FromSeconds(-1), fine),
            _ => new TaskTimeoutOverrides(null, null, TimeSpan.Zero),
        };

        var outcome = Declare(TaskGraph.Empty, AgentA, Task("extract") with { Timeouts = timeouts });

        Assert.StartsWith($"task 'extract' has a {which} timeout of", Reason(outcome, "extract"), StringComparison.Ordinal);
    }

    [Fact]
    public void Declare_PositiveOrAbsentTimeouts_AcceptsThem()
    {
        var timeouts = new TaskTimeoutOverrides(TimeSpan.FromSeconds(1), null, TimeSpan.FromHours(2));

        var outcome = Declare(TaskGraph.Empty, AgentA, Task("extract") with { Timeouts = timeouts });

        Assert.Equal(["extract"], outcome.Accepted);
        Assert.Equal(timeouts, State(outcome.Graph, "extract").Definition.Timeouts);
    }

    [Theory]
    [InlineData("*/5 * * * *")]
    [InlineData("0 3 * * 1-5")]
    [InlineData("*/30 * * * * *")]
    [InlineData("0 0 12 * * 0")]
    public void Declare_ValidCron_AcceptsIt(string cron)
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("extract") with { Cron = cron });

        Assert.Equal(["extract"], outcome.Accepted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("every day")]
    [InlineData("* * * *")]
    [InlineData("61 * * * *")]
    [InlineData("* * * * * * *")]
    public void Declare_InvalidCron_RefusesIt(string cron)
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("extract") with { Cron = cron }, Task("load"));

        Assert.Equal(["load"], outcome.Accepted);
        Assert.StartsWith($"task 'extract' has an invalid cron '{cron}'", Reason(outcome, "extract"), StringComparison.Ordinal);
    }

    [Fact]
    public void Declare_SeveralProblems_RefusesEachFailingTaskAndAcceptsTheRest()
    {
        var outcome = Declare(
            TaskGraph.Empty,
            AgentA,
            Task("a"),
            Task("b", "b"),
            Task("c", "a"),
            Task("D"),
            Task("e") with { Cron = "nope" });

        Assert.Equal(["a", "c"], outcome.Accepted);
        Assert.Equal(["b", "D", "e"], outcome.Refused.Select(r => r.Task));
    }

    [Fact]
    public void Declare_TwoTaskCycle_RefusesBothNamingThePathFromEach()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("a", "b"), Task("b", "a"), Task("c"));

        Assert.Equal(["c"], outcome.Accepted);
        Assert.Equal("cycle: a -> b -> a", Reason(outcome, "a"));
        Assert.Equal("cycle: b -> a -> b", Reason(outcome, "b"));
        Assert.False(outcome.Graph.TryGet("a", out _));
        Assert.False(outcome.Graph.TryGet("b", out _));
    }

    [Fact]
    public void Declare_ThreeTaskCycle_NamesThePathInUpstreamDirection()
    {
        // a depends on b, b on c, c on a.
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("a", "b"), Task("b", "c"), Task("c", "a"));

        Assert.Empty(outcome.Accepted);
        Assert.Equal("cycle: a -> b -> c -> a", Reason(outcome, "a"));
        Assert.Equal("cycle: b -> c -> a -> b", Reason(outcome, "b"));
        Assert.Equal("cycle: c -> a -> b -> c", Reason(outcome, "c"));
    }

    [Fact]
    public void Declare_CycleThroughFreshnessEdge_RefusesIt()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, TaskOn("a", Fresh("b", TimeSpan.FromHours(1))), Task("b", "a"));

        Assert.Empty(outcome.Accepted);
        Assert.Equal("cycle: a -> b -> a", Reason(outcome, "a"));
    }

    [Fact]
    public void Declare_CycleThroughAnotherAgentsTask_RefusesOnlyTheNewTask()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("report", "load")).Graph;

        var outcome = Declare(graph, AgentA, Task("load", "report"), Task("extract"));

        Assert.Equal(["extract"], outcome.Accepted);
        Assert.Equal("cycle: load -> report -> load", Reason(outcome, "load"));
        var report = State(outcome.Graph, "report");
        Assert.Equal(TaskStatus.Unresolved, report.Status);
        Assert.Equal("upstream 'load' is not declared by any agent", report.Reason);
    }

    [Fact]
    public void Declare_TwoCyclesSharingATask_RefusesEveryTaskOnACycle()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("a", "b"), Task("b", "a", "c"), Task("c", "b"));

        Assert.Empty(outcome.Accepted);
        Assert.Equal("cycle: a -> b -> a", Reason(outcome, "a"));
        Assert.Equal("cycle: b -> a -> b", Reason(outcome, "b"));
        Assert.Equal("cycle: c -> b -> c", Reason(outcome, "c"));
    }

    [Fact]
    public void Declare_TaskDownstreamOfACycle_AcceptsItAsUnresolved()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("report", "a"), Task("a", "b"), Task("b", "a"));

        Assert.Equal(["report"], outcome.Accepted);
        Assert.Equal(["a", "b"], outcome.Refused.Select(r => r.Task));
        var unresolved = Assert.Single(outcome.Unresolved);
        Assert.Equal(new TaskRefusal("report", "upstream 'a' is not declared by any agent"), unresolved);
    }

    [Fact]
    public void Declare_CycleAmongTasksThatReachIt_LeavesTheGraphAcyclic()
    {
        // Two separate cycles and a shared downstream; after the refusals the graph must plan.
        var outcome = Declare(
            TaskGraph.Empty,
            AgentA,
            Task("x1", "x2"),
            Task("x2", "x1"),
            Task("y1", "y2"),
            Task("y2", "y3"),
            Task("y3", "y1"),
            Task("ok1"),
            Task("ok2", "ok1"));

        Assert.Equal(["ok1", "ok2"], outcome.Accepted);
        Assert.Equal(5, outcome.Refused.Count);
        Assert.Equal("cycle: y2 -> y3 -> y1 -> y2", Reason(outcome, "y2"));
        Assert.True(RunPlanner.Plan(outcome.Graph, "ok2", _ => null, DateTimeOffset.UnixEpoch).Succeeded);
    }

    [Fact]
    public void Declare_LongCycle_ShortensThePathInTheReason()
    {
        var ring = Enumerable.Range(0, 1000).Select(i => Task($"t{i:D4}", $"t{(i + 1) % 1000:D4}")).ToArray();

        var outcome = Declare(TaskGraph.Empty, AgentA, ring);

        Assert.Empty(outcome.Accepted);
        Assert.Equal(1000, outcome.Refused.Count);
        Assert.Equal(
            "cycle: t0000 -> t0001 -> t0002 -> t0003 -> t0004 -> t0005 -> t0006 -> t0007 -> ... (989 more) -> t0997 -> t0998 -> t0999 -> t0000",
            Reason(outcome, "t0000"));
        Assert.StartsWith("cycle: t0500 -> t0501 -> ", Reason(outcome, "t0500"), StringComparison.Ordinal);
        Assert.EndsWith(" -> t0499 -> t0500", Reason(outcome, "t0500"), StringComparison.Ordinal);
    }

    [Fact]
    public void Declare_UpstreamNotDeclared_AcceptsTaskAsUnresolved()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("load", "extract"));

        Assert.Equal(["load"], outcome.Accepted);
        Assert.Equal([new TaskRefusal("load", "upstream 'extract' is not declared by any agent")], outcome.Unresolved);
        var load = State(outcome.Graph, "load");
        Assert.Equal(TaskStatus.Unresolved, load.Status);
        Assert.Equal("upstream 'extract' is not declared by any agent", load.Reason);
    }

    [Fact]
    public void Declare_UpstreamUnresolved_MakesDownstreamUnresolvedTransitively()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("report", "load"), Task("load", "extract"), Task("audit", "report"));

        Assert.Equal("upstream 'load' is unresolved", State(outcome.Graph, "report").Reason);
        Assert.Equal("upstream 'report' is unresolved", State(outcome.Graph, "audit").Reason);
        Assert.Equal(["report", "load", "audit"], outcome.Unresolved.Select(u => u.Task));
    }

    [Fact]
    public void Declare_UpstreamMissingAndAnotherUnresolved_NamesTheMissingOne()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("load", "nowhere"), Task("report", "load", "extract"));

        Assert.Equal("upstream 'extract' is not declared by any agent", State(outcome.Graph, "report").Reason);
    }

    [Fact]
    public void Declare_AnotherAgentDeclaresTheMissingUpstream_MakesTasksRunnable()
    {
        var graph = Declare(TaskGraph.Empty, AgentA, Task("load", "extract"), Task("report", "load")).Graph;

        var outcome = Declare(graph, AgentB, Task("extract"));

        Assert.Empty(outcome.Unresolved);
        Assert.All(outcome.Graph.Tasks, s => Assert.Equal(TaskStatus.Runnable, s.Status));
        Assert.All(outcome.Graph.Tasks, s => Assert.Null(s.Reason));
    }

    [Fact]
    public void Declare_AgentStopsDeclaringAnUpstream_MakesOtherAgentsTasksUnresolved()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("extract"), Task("clean", "extract")).Graph;
        graph = Declare(graph, AgentA, TaskOn("load", Fresh("clean", TimeSpan.FromHours(1))), Task("report", "load")).Graph;

        var outcome = Declare(graph, AgentB, Task("extract"));

        Assert.Empty(outcome.Unresolved);
        Assert.Equal("upstream 'clean' is not declared by any agent", State(outcome.Graph, "load").Reason);
        Assert.Equal("upstream 'load' is unresolved", State(outcome.Graph, "report").Reason);
        Assert.Equal(TaskStatus.Runnable, State(outcome.Graph, "extract").Status);
    }

    [Fact]
    public void Declare_UnresolvedOutcome_ListsOnlyTheDeclaringAgentsTasks()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("other", "missing")).Graph;

        var outcome = Declare(graph, AgentA, Task("mine", "missing-too"));

        Assert.Equal(["mine"], outcome.Unresolved.Select(u => u.Task));
        Assert.Equal(TaskStatus.Unresolved, State(outcome.Graph, "other").Status);
    }

    [Fact]
    public void Declare_SameDeclarationTwice_GivesTheSameGraph()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("extract"), Task("audit", "report")).Graph;
        TaskDefinition[] declaration =
        [
            Task("load", "extract"),
            Task("report", "load", "missing"),
            Task("a", "b"),
            Task("b", "a"),
            Task("bad", "bad"),
        ];

        var first = GraphBuilder.Declare(graph, AgentA, declaration);
        var second = GraphBuilder.Declare(first.Graph, AgentA, declaration);

        Assert.Equal(Snapshot(first.Graph), Snapshot(second.Graph));
        Assert.Equal(first.Accepted, second.Accepted);
        Assert.Equal(first.Refused, second.Refused);
        Assert.Equal(first.Unresolved, second.Unresolved);
        Assert.Equal(first.Graph.TasksOf(AgentA), second.Graph.TasksOf(AgentA));
    }

    [Fact]
    public void Declare_UnchangedDeclaration_ReturnsTheCurrentGraph()
    {
        var first = Declare(TaskGraph.Empty, AgentA, Task("extract"), Task("load", "extract", "missing"), Task("bad", "bad"));

        // Equal but not the same instances: what a restarted agent sends.
        var second = Declare(first.Graph, AgentA, Task("extract"), Task("load", "extract", "missing"), Task("bad", "bad"));

        Assert.Same(first.Graph, second.Graph);
        Assert.Equal(first.Accepted, second.Accepted);
        Assert.Equal(first.Refused, second.Refused);
        Assert.Equal(first.Unresolved, second.Unresolved);
    }

    [Fact]
    public void Declare_TasksTheChangeDoesNotAffect_KeepTheirStateInstances()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("extract"), Task("audit"), Task("report", "load")).Graph;
        graph = Declare(graph, AgentA, Task("load", "extract"), Task("index", "extract")).Graph;

        var outcome = Declare(graph, AgentA, Task("load", "extract", "audit"), Task("index", "extract"));

        foreach (var unchanged in new[] { "extract", "audit", "report", "index" })
        {
            Assert.Same(State(graph, unchanged), State(outcome.Graph, unchanged));
        }

        Assert.NotSame(State(graph, "load"), State(outcome.Graph, "load"));
    }

    [Fact]
    public void Declare_OnlyDetailsChanged_UpdatesTheDefinitionAndKeepsTheStatus()
    {
        var graph = Graph(Task("extract"), Task("load", "extract", "missing"));

        var outcome = Declare(
            graph,
            AgentA,
            Task("extract") with { Description = "v2", Cron = "0 * * * *" },
            Task("load", "extract", "missing") with { Owner = "team-new" });

        Assert.Equal("v2", State(outcome.Graph, "extract").Definition.Description);
        Assert.Equal("0 * * * *", State(outcome.Graph, "extract").Definition.Cron);
        Assert.Equal("team-new", State(outcome.Graph, "load").Definition.Owner);
        Assert.Equal("upstream 'missing' is not declared by any agent", State(outcome.Graph, "load").Reason);
        Assert.Empty(outcome.Graph.DownstreamOf("load"));
        Assert.Equal(["load"], outcome.Graph.DownstreamOf("extract"));
    }

    [Fact]
    public void Declare_ReorderedDeclaration_KeepsTheGraphAndTheNewOrder()
    {
        var graph = Graph(Task("extract"), Task("load", "extract"));

        var outcome = Declare(graph, AgentA, Task("load", "extract"), Task("extract"));

        Assert.Equal(["load", "extract"], outcome.Accepted);
        Assert.Equal(["load", "extract"], outcome.Graph.TasksOf(AgentA));
        Assert.Equal(Snapshot(graph), Snapshot(outcome.Graph));
    }

    [Fact]
    public void Declare_UnchangedTaskOnANewCycle_RefusesEveryDeclaredTaskOnIt()
    {
        var graph = Graph(Task("a"), Task("b", "a"));

        // 'b' is declared exactly as before; the new upstream of 'a' closes the cycle through it.
        var outcome = Declare(graph, AgentA, Task("a", "b"), Task("b", "a"));

        Assert.Empty(outcome.Accepted);
        Assert.Equal("cycle: a -> b -> a", Reason(outcome, "a"));
        Assert.Equal("cycle: b -> a -> b", Reason(outcome, "b"));
        Assert.Equal(0, outcome.Graph.Count);
        Assert.Empty(outcome.Graph.DownstreamOf("a"));
        Assert.Empty(outcome.Graph.DownstreamOf("b"));
    }

    [Fact]
    public void Declare_EmptyDeclaration_RemovesTheAgentsTasks()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("report", "load")).Graph;
        graph = Declare(graph, AgentA, Task("load")).Graph;

        var outcome = GraphBuilder.Declare(graph, AgentA, []);

        Assert.Empty(outcome.Accepted);
        Assert.False(outcome.Graph.TryGet("load", out _));
        Assert.Empty(outcome.Graph.TasksOf(AgentA));
        Assert.DoesNotContain(AgentA, outcome.Graph.Agents);
        Assert.Equal(TaskStatus.Unresolved, State(outcome.Graph, "report").Status);
    }

    [Fact]
    public void Declare_PreviouslyAcceptedTaskNowRefused_RemovesItFromTheGraph()
    {
        var graph = Graph(Task("extract"), Task("load", "extract"));

        var outcome = Declare(graph, AgentA, Task("extract") with { Cron = "bad cron" }, Task("load", "extract"));

        Assert.False(outcome.Graph.TryGet("extract", out _));
        Assert.Equal("upstream 'extract' is not declared by any agent", State(outcome.Graph, "load").Reason);
    }

    [Fact]
    public void Declare_NameFreedByAnotherAgent_CanBeTakenOver()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("extract")).Graph;
        graph = GraphBuilder.Declare(graph, AgentB, []).Graph;

        var outcome = Declare(graph, AgentA, Task("extract"));

        Assert.Equal(["extract"], outcome.Accepted);
        Assert.Equal(AgentA, State(outcome.Graph, "extract").Definition.Agent);
    }

    [Fact]
    public void Declare_LeavesTheCurrentGraphUnchanged()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("extract"), Task("report", "load")).Graph;
        var before = Snapshot(graph);

        Declare(graph, AgentA, Task("load", "extract"));
        Declare(graph, AgentB, Task("extract", "report"), Task("report", "extract"));

        Assert.Equal(before, Snapshot(graph));
    }

    [Fact]
    public void Declare_DefinitionNamingAnotherAgent_IsStoredUnderTheDeclaringAgent()
    {
        var outcome = Declare(TaskGraph.Empty, AgentA, Task("extract") with { Agent = "someone-else" });

        Assert.Equal(AgentA, State(outcome.Graph, "extract").Definition.Agent);
        Assert.Equal(["extract"], outcome.Graph.TasksOf(AgentA));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Agent")]
    [InlineData("agent.a")]
    public void Declare_InvalidAgentName_Throws(string agent)
    {
        Assert.Throws<ArgumentException>(() => GraphBuilder.Declare(TaskGraph.Empty, agent, []));
    }

    [Fact]
    public void Declare_TasksAddedThenDropped_UpdatesDownstreamOf()
    {
        var graph = Declare(TaskGraph.Empty, AgentB, Task("report", "load"), Task("audit", "load")).Graph;
        graph = Declare(graph, AgentA, Task("load"), Task("index", "load")).Graph;

        Assert.Equal(["audit", "index", "report"], graph.DownstreamOf("load"));

        graph = Declare(graph, AgentA, Task("load")).Graph;

        Assert.Equal(["audit", "report"], graph.DownstreamOf("load"));
    }
}
