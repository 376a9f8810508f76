using Cerebro.Contracts;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>server.ready as Cerebro applies it: the verdict sent back, and the graph the API shows afterwards.</summary>
public sealed class DeclarationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private Coordinator _cerebro = null!;

    public async Task InitializeAsync() => _cerebro = await Coordinator.StartAsync(output);

    public async Task DisposeAsync() => await _cerebro.DisposeAsync();

    [Fact]
    public async Task ValidDeclaration_IsAcceptedWithEveryName()
    {
        var agent = await _cerebro.AgentAsync("agent-a");

        var verdict = await agent.DeclareAsync(Task("extract"), Task("load", "extract"));

        Assert.Equal(MessageTypes.DeclarationAccepted, verdict.Type);
        Assert.Equal("cerebro", verdict.Sender);
        Assert.Equal("application/json", verdict.ContentType);
        var accepted = verdict.Read<DeclarationAccepted>();
        Assert.Equal("agent-a", accepted.Agent);
        Assert.Equal(agent.Instance, accepted.Instance);
        Assert.Equal(["extract", "load"], accepted.Accepted.Order());
        Assert.Empty(accepted.Unresolved);

        var tasks = await _cerebro.GetTasksAsync();
        Assert.Equal(["extract", "load"], tasks.Select(t => t.Name));
        Assert.All(tasks, t => Assert.Equal(("agent-a", "runnable"), (t.Agent, t.Status)));
        Assert.Equal(["load"], tasks.Single(t => t.Name == "extract").Downstreams);
        var agentView = Assert.Single(await _cerebro.GetAgentsAsync());
        Assert.Equal(("agent-a", "ready", "accepted"), (agentView.Name, agentView.State, agentView.LastVerdict));
    }

    [Fact]
    public async Task CycleWithinOneDeclaration_IsRefusedWithThePath()
    {
        var agent = await _cerebro.AgentAsync("agent-a");

        var verdict = await agent.DeclareAsync(Task("fine"), Task("x", "z"), Task("y", "x"), Task("z", "y"));

        Assert.Equal(MessageTypes.DeclarationRejected, verdict.Type);
        var rejected = verdict.Read<DeclarationRejected>();
        Assert.Equal(["fine"], rejected.Accepted);
        Assert.Equal(["x", "y", "z"], rejected.Refused.Select(r => r.Task).Order());
        var upstreamOf = new Dictionary<string, string> { ["x"] = "z", ["y"] = "x", ["z"] = "y" };
        foreach (var refusal in rejected.Refused)
            AssertCyclePath(refusal.Reason, refusal.Task, upstreamOf);
        Assert.Contains("3 task(s) refused", rejected.Reason);

        Assert.Equal(["fine"], (await _cerebro.GetTasksAsync()).Where(t => t.Status != "refused").Select(t => t.Name));
        var shown = await _cerebro.GetTaskAsync("y");
        Assert.Equal("refused", shown!.Status);
        Assert.StartsWith("cycle: ", shown.Reason);
        Assert.Equal("rejected", Assert.Single(await _cerebro.GetAgentsAsync()).LastVerdict);
    }

    [Fact]
    public async Task NameOwnedByAnotherAgent_IsRefused()
    {
        var first = await _cerebro.AgentAsync("agent-a");
        var second = await _cerebro.AgentAsync("agent-b");
        Assert.Equal(MessageTypes.DeclarationAccepted, (await first.DeclareAsync(Task("shared"))).Type);

        var verdict = await second.DeclareAsync(Task("shared"), Task("own"));

        Assert.Equal(MessageTypes.DeclarationRejected, verdict.Type);
        var rejected = verdict.Read<DeclarationRejected>();
        Assert.Equal(["own"], rejected.Accepted);
        var refusal = Assert.Single(rejected.Refused);
        Assert.Equal("shared", refusal.Task);
        Assert.Equal("task 'shared' is already declared by agent 'agent-a'", refusal.Reason);
        Assert.Equal("agent-a", (await _cerebro.GetTaskAsync("shared"))!.Agent);
        Assert.Equal("agent-b", (await _cerebro.GetTaskAsync("own"))!.Agent);
    }

    [Fact]
    public async Task UpstreamNobodyDeclares_LeavesTaskUnresolved_UntilAnotherAgentDeclaresIt()
    {
        var reporting = await _cerebro.AgentAsync("agent-a");
        var ingesting = await _cerebro.AgentAsync("agent-b");

        var verdict = await reporting.DeclareAsync(Task("report", "ingest"));

        Assert.Equal(MessageTypes.DeclarationAccepted, verdict.Type);
        var unresolved = Assert.Single(verdict.Read<DeclarationAccepted>().Unresolved);
        Assert.Equal(("report", "upstream 'ingest' is not declared by any agent"), (unresolved.Task, unresolved.Reason));
        var report = await _cerebro.GetTaskAsync("report");
        Assert.Equal(("unresolved", "upstream 'ingest' is not declared by any agent"), (report!.Status, report.Reason));

        Assert.Equal(MessageTypes.DeclarationAccepted, (await ingesting.DeclareAsync(Task("ingest"))).Type);

        report = await _cerebro.GetTaskAsync("report");
        Assert.Equal("runnable", report!.Status);
        Assert.Null(report.Reason);
        var runId = await _cerebro.StartRunAsync("report");
        await ingesting.WaitForInvokeAsync("ingest", runId);
    }

    [Fact]
    public async Task SameDeclarationTwice_IsIdempotent()
    {
        var agent = await _cerebro.AgentAsync("agent-a");
        TaskDeclaration[] tasks = [Task("a"), Task("b", "a"), FreshTask("c", "b", TimeSpan.FromHours(1))];
        await agent.DeclareAsync(tasks);
        var before = await _cerebro.GetTasksAsync();

        var verdict = await agent.DeclareAsync(tasks);

        Assert.Equal(MessageTypes.DeclarationAccepted, verdict.Type);
        Assert.Equal(["a", "b", "c"], verdict.Read<DeclarationAccepted>().Accepted.Order());
        var after = await _cerebro.GetTasksAsync();
        Assert.Equal(Shape(before), Shape(after));
        var agentView = Assert.Single(await _cerebro.GetAgentsAsync());
        Assert.Empty(agentView.Refused);
        Assert.Equal(["a", "b", "c"], agentView.Tasks);
    }

    [Fact]
    public async Task DeclarationThatDropsATask_RemovesIt()
    {
        var agent = await _cerebro.AgentAsync("agent-a");
        await agent.DeclareAsync(Task("kept"), Task("dropped", "kept"));

        var verdict = await agent.DeclareAsync(Task("kept"));

        Assert.Equal(["kept"], verdict.Read<DeclarationAccepted>().Accepted);
        Assert.Null(await _cerebro.GetTaskAsync("dropped"));
        var kept = await _cerebro.GetTaskAsync("kept");
        Assert.Empty(kept!.Downstreams);
        Assert.Equal(["kept"], (await _cerebro.GetTasksAsync()).Select(t => t.Name));
        var response = await _cerebro.PostRunAsync("dropped");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task RefusedTasks_AreListedWithTheOwnerUpstreamsAndCronTheyWereDeclaredWith()
    {
        var first = await _cerebro.AgentAsync("agent-a");
        var second = await _cerebro.AgentAsync("agent-b");
        await first.DeclareAsync(Task("shared"));

        await second.DeclareAsync(
            new TaskDeclaration { Name = "shared", Owner = "team-b", Cron = "0 3 * * *" },
            new TaskDeclaration
            {
                Name = "x",
                Owner = "team-x",
                Cron = "*/5 * * * *",
                Upstreams = [new UpstreamDeclaration { Task = "y", FreshWithinSeconds = 3600 }],
            },
            Task("y", "x"));

        var refused = (await _cerebro.GetTasksAsync()).Where(t => t.Status == "refused").ToDictionary(t => t.Name);
        Assert.Equal(["shared", "x", "y"], refused.Keys.Order());
        Assert.All(refused.Values, t => Assert.Equal("agent-b", t.Agent));

        var shared = refused["shared"];
        Assert.Equal(("team-b", "0 3 * * *"), (shared.Owner, shared.Cron));
        Assert.Empty(shared.Upstreams);
        Assert.Equal("task 'shared' is already declared by agent 'agent-a'", shared.Reason);

        var x = refused["x"];
        Assert.Equal(("team-x", "*/5 * * * *"), (x.Owner, x.Cron));
        Assert.Equal([new Server.Api.UpstreamView("y", "fresh", 3600)], x.Upstreams);
        Assert.StartsWith("cycle: ", x.Reason);

        var y = (await _cerebro.GetTaskAsync("y"))!;
        Assert.Equal((Owner, (string?)null, "refused"), (y.Owner, y.Cron, y.Status));
        Assert.Equal([new Server.Api.UpstreamView("x", "run-first", null)], y.Upstreams);
        Assert.StartsWith("cycle: ", y.Reason);
    }

    private static string Shape(IEnumerable<Server.Api.TaskView> tasks) =>
        string.Join(" | ", tasks.Select(t =>
            $"{t.Name}@{t.Agent}:{t.Status}:{t.Reason}:[{string.Join(",", t.Upstreams.Select(u => $"{u.Task}/{u.Kind}/{u.FreshWithinSeconds}"))}]:[{string.Join(",", t.Downstreams)}]"));

    /// <summary>"cycle: a -> b -> ... -> a", through <paramref name="task"/>, each arrow one declared edge, all the same way round.</summary>
    private static void AssertCyclePath(string reason, string task, Dictionary<string, string> upstreamOf)
    {
        Assert.StartsWith("cycle: ", reason);
        var path = reason["cycle: ".Length..].Split(" -> ");
        Assert.True(path.Length >= 3, $"not a path: {reason}");
        Assert.Equal(path[0], path[^1]);
        Assert.Contains(task, path);
        Assert.Equal(upstreamOf.Keys.Order(), path[..^1].Order());
        var alongUpstreams = path.Zip(path.Skip(1)).All(p => upstreamOf[p.First] == p.Second);
        var alongDownstreams = path.Zip(path.Skip(1)).All(p => upstreamOf[p.Second] == p.First);
        Assert.True(alongUpstreams || alongDownstreams, $"'{reason}' does not follow the declared edges");
    }
}
