using Cerebro.Domain;
using static Cerebro.UnitTests.Domain.TestTasks;
using TaskStatus = Cerebro.Domain.TaskStatus;

namespace Cerebro.UnitTests.Domain;

public class TaskGraphTests
{
    [Fact]
    public void Empty_HasNoTasks()
    {
        Assert.Equal(0, TaskGraph.Empty.Count);
        Assert.Empty(TaskGraph.Empty.Tasks);
        Assert.False(TaskGraph.Empty.TryGet("a", out _));
        Assert.Empty(TaskGraph.Empty.DownstreamOf("a"));
    }

    [Fact]
    public void From_AcceptedTasks_ComputesStatuses()
    {
        var graph = TaskGraph.From(
        [
            Task("extract") with { Agent = AgentB },
            Task("load", "extract"),
            Task("report", "load", "missing"),
            TaskOn("audit", Fresh("report", TimeSpan.FromHours(1))),
        ]);

        Assert.Equal(4, graph.Count);
        Assert.Equal(TaskStatus.Runnable, State(graph, "extract").Status);
        Assert.Equal(TaskStatus.Runnable, State(graph, "load").Status);
        Assert.Equal("upstream 'missing' is not declared by any agent", State(graph, "report").Reason);
        Assert.Equal("upstream 'report' is unresolved", State(graph, "audit").Reason);
        Assert.Equal(["extract"], graph.TasksOf(AgentB));
        Assert.Equal(["load", "report", "audit"], graph.TasksOf(AgentA));
    }

    [Fact]
    public void From_SameTasksAsDeclare_GivesTheSameGraph()
    {
        var declared = Declare(TaskGraph.Empty, AgentB, Task("extract"), Task("clean", "extract")).Graph;
        declared = Declare(declared, AgentA, Task("load", "clean"), Task("report", "load", "missing")).Graph;

        var rebuilt = TaskGraph.From(declared.Tasks.Select(s => s.Definition));

        Assert.Equal(Snapshot(declared), Snapshot(rebuilt));
    }

    [Fact]
    public void From_DuplicateName_Throws()
    {
        Assert.Throws<ArgumentException>(() => TaskGraph.From([Task("a"), Task("a") with { Agent = AgentB }]));
    }

    [Fact]
    public void From_CyclicInput_MarksTheCycleAndItsDownstreamUnresolved()
    {
        var graph = TaskGraph.From([Task("a", "b"), Task("b", "a"), Task("c", "a"), Task("d")]);

        Assert.Equal(TaskStatus.Unresolved, State(graph, "a").Status);
        Assert.Equal(TaskStatus.Unresolved, State(graph, "b").Status);
        Assert.Equal(TaskStatus.Unresolved, State(graph, "c").Status);
        Assert.Equal(TaskStatus.Runnable, State(graph, "d").Status);
        Assert.Equal(PlanError.Unresolved, RunPlanner.Plan(graph, "c", _ => null, DateTimeOffset.UnixEpoch).Error);
    }

    [Fact]
    public void DownstreamOf_ListsDirectDownstreamOfBothEdgeKinds_SortedByName()
    {
        var graph = Graph(
            Task("extract"),
            Task("load", "extract"),
            TaskOn("audit", Fresh("extract", TimeSpan.FromHours(1))),
            Task("report", "load"));

        Assert.Equal(["audit", "load"], graph.DownstreamOf("extract"));
        Assert.Equal(["report"], graph.DownstreamOf("load"));
        Assert.Empty(graph.DownstreamOf("report"));
    }

    [Fact]
    public void DownstreamOf_UndeclaredName_ListsTheTasksWaitingForIt()
    {
        var graph = Graph(Task("load", "extract"), Task("report", "extract"));

        Assert.Equal(["load", "report"], graph.DownstreamOf("extract"));
        Assert.Empty(graph.DownstreamOf("never-mentioned"));
    }

    [Fact]
    public void DownstreamOf_ReturnedList_CannotChangeTheGraph()
    {
        var graph = Graph(Task("extract"), Task("load", "extract"));

        var list = graph.DownstreamOf("extract");

        Assert.False(list is string[]);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)list)[0] = "x");
    }

    [Fact]
    public void TryGet_AcceptedTask_ReturnsItsDefinition()
    {
        var extract = Task("extract") with { Cron = "*/5 * * * *", Description = "pulls data" };

        var graph = Graph(extract);

        Assert.True(graph.TryGet("extract", out var state));
        Assert.Equal(extract, state.Definition);
    }
}
