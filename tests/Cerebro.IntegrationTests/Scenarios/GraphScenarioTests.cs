using System.Net;
using System.Text.Json;
using Cerebro.IntegrationTests.Scenarios.Support;
using Cerebro.Server.Api;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>
/// Scenario 1, the task graph: what the two demo agents declare shows up in the API, and what a rogue agent (played by
/// the test with the plain RabbitMQ client) declares wrongly is refused with a reason while the rest is accepted.
/// </summary>
public sealed class GraphScenarioTests(ITestOutputHelper output)
{
    private static readonly TimeSpan VerdictTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DemoAgentsDeclare_TasksAndAgentsShowTheGraph()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        cluster.StartTaskServerA();
        cluster.StartTaskServerB();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerB);

        // Whichever agent declared first, the graph settles once both have.
        var tasks = await WaitForTasksAsync(cluster, ts => ts.Count(t => t.Status == "runnable") == 6, "six runnable tasks");

        Assert.Equal(["build-catalog", "build-sales", "extract-customers", "extract-orders", "extract-products", "publish-dashboard"],
            tasks.Select(t => t.Name).Order(StringComparer.Ordinal));
        AssertTask(tasks, "extract-customers", CerebroCluster.TaskServerA, "team-a", upstreams: [], downstreams: ["build-sales"]);
        AssertTask(tasks, "extract-orders", CerebroCluster.TaskServerA, "team-a", upstreams: [], downstreams: ["build-sales"]);
        AssertTask(tasks, "extract-products", CerebroCluster.TaskServerA, "team-a", upstreams: [], downstreams: ["build-catalog"]);
        AssertTask(tasks, "build-sales", CerebroCluster.TaskServerB, "team-b",
            upstreams: [new("extract-orders", "run-first", null), new("extract-customers", "run-first", null)], downstreams: ["publish-dashboard"]);
        AssertTask(tasks, "build-catalog", CerebroCluster.TaskServerB, "team-b",
            upstreams: [new("extract-products", "fresh", 3600)], downstreams: ["publish-dashboard"]);
        AssertTask(tasks, "publish-dashboard", CerebroCluster.TaskServerB, "team-b",
            upstreams: [new("build-sales", "run-first", null), new("build-catalog", "run-first", null)], downstreams: []);

        var agents = await cluster.GetAgentsAsync();
        var a = Assert.Single(agents, x => x.Name == CerebroCluster.TaskServerA);
        var b = Assert.Single(agents, x => x.Name == CerebroCluster.TaskServerB);
        Assert.Equal(("ready", "accepted"), (a.State, a.LastVerdict));
        Assert.Equal(("ready", "accepted"), (b.State, b.LastVerdict));
        Assert.Equal(["extract-customers", "extract-orders", "extract-products"], a.Tasks);
        Assert.Equal(["build-catalog", "build-sales", "publish-dashboard"], b.Tasks);
        Assert.Empty(a.Refused);
        Assert.Empty(b.Refused);
    }

    [Fact]
    public async Task RogueAgentDeclaresBadTasks_TheyAreRefusedWithReasons_TheRestAccepted()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        cluster.StartTaskServerA();
        cluster.StartTaskServerB();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerB);
        await WaitForTasksAsync(cluster, ts => ts.Count(t => t.Status == "runnable") == 6, "six runnable tasks");

        await using var rogue = await AmqpPeer.ConnectAsync(cluster.VirtualHost, "rogue");
        await rogue.ConsumeAgentQueueAsync();
        var instance = Guid.NewGuid();
        await rogue.PublishAsync("server.ready", new
        {
            agent = "rogue",
            instance,
            version = "6.6.6",
            maxConcurrency = 1,
            tasks = new object[]
            {
                new { name = "extract-orders", owner = "team-rogue", upstreams = Array.Empty<object>() },
                new { name = "rogue-x", owner = "team-rogue", upstreams = new[] { new { task = "rogue-y" } } },
                new { name = "rogue-y", owner = "team-rogue", upstreams = new[] { new { task = "rogue-x" } } },
                new { name = "rogue-ok", owner = "team-rogue", upstreams = new[] { new { task = "publish-dashboard" } } },
                new { name = "rogue-orphan", owner = "team-rogue", upstreams = new[] { new { task = "ghost-task" } } },
            },
            sentAt = DateTimeOffset.UtcNow,
        });

        var verdict = await rogue.WaitForAsync(m => m.Type is "declaration.accepted" or "declaration.rejected", VerdictTimeout, "declaration verdict");
        output.WriteLine($"verdict: {verdict}");
        Assert.Equal("declaration.rejected", verdict.Type);
        Assert.Equal("cerebro", verdict.Sender);
        Assert.Equal("application/json", verdict.ContentType);
        Assert.True(Guid.TryParse(verdict.MessageId, out _), $"message_id '{verdict.MessageId}' is not a GUID");
        Assert.Equal("rogue", verdict.Text("agent"));
        Assert.Equal(instance, Guid.Parse(verdict.Text("instance")!));
        Assert.False(string.IsNullOrEmpty(verdict.Text("reason")));

        var refused = verdict.Problems("refused");
        Assert.Equal(["extract-orders", "rogue-x", "rogue-y"], refused.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("task-server-a", refused["extract-orders"], StringComparison.Ordinal);
        AssertCycleReason(refused["rogue-x"]);
        AssertCycleReason(refused["rogue-y"]);
        Assert.Equal(["rogue-ok", "rogue-orphan"], verdict.Names("accepted").Order(StringComparer.Ordinal));
        var unresolved = Assert.Single(verdict.Problems("unresolved"));
        Assert.Equal("rogue-orphan", unresolved.Key);
        Assert.Contains("ghost-task", unresolved.Value, StringComparison.Ordinal);

        var tasks = await cluster.GetTasksAsync();
        var stolen = Assert.Single(tasks, t => t.Name == "extract-orders" && t.Agent == "rogue");
        Assert.Equal("refused", stolen.Status);
        Assert.Contains("task-server-a", stolen.Reason, StringComparison.Ordinal);
        var original = Assert.Single(tasks, t => t.Name == "extract-orders" && t.Agent == CerebroCluster.TaskServerA);
        Assert.Equal(("runnable", "team-a"), (original.Status, original.Owner));
        foreach (var name in new[] { "rogue-x", "rogue-y" })
        {
            var task = Assert.Single(tasks, t => t.Name == name);
            Assert.Equal(("refused", "rogue"), (task.Status, task.Agent));
            AssertCycleReason(task.Reason);
        }

        var ok = Assert.Single(tasks, t => t.Name == "rogue-ok");
        Assert.Equal(("runnable", "rogue", "team-rogue"), (ok.Status, ok.Agent, ok.Owner));
        Assert.Equal([new UpstreamView("publish-dashboard", "run-first", null)], ok.Upstreams);
        Assert.Contains("rogue-ok", Assert.Single(tasks, t => t.Name == "publish-dashboard").Downstreams);
        var orphan = Assert.Single(tasks, t => t.Name == "rogue-orphan");
        Assert.Equal("unresolved", orphan.Status);
        Assert.Contains("ghost-task", orphan.Reason, StringComparison.Ordinal);

        var agent = Assert.Single(await cluster.GetAgentsAsync(), a => a.Name == "rogue");
        Assert.Equal("rejected", agent.LastVerdict);
        Assert.Equal(instance, agent.Instance);
        Assert.Equal(["rogue-ok", "rogue-orphan"], agent.Tasks);
        Assert.Equal(["extract-orders", "rogue-x", "rogue-y"], agent.Refused.Select(r => r.Task).Order(StringComparer.Ordinal));

        using (var unresolvedRun = await cluster.PostRunAsync(new { task = "rogue-orphan" }))
        {
            var problem = await ProblemAsync(unresolvedRun);
            Assert.Equal(HttpStatusCode.Conflict, unresolvedRun.StatusCode);
            Assert.Contains("ghost-task", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var unknownRun = await cluster.PostRunAsync(new { task = "no-such-task" }))
        {
            var problem = await ProblemAsync(unknownRun);
            Assert.Equal(HttpStatusCode.NotFound, unknownRun.StatusCode);
            Assert.Equal("application/problem+json", unknownRun.Content.Headers.ContentType?.MediaType);
            Assert.Equal(404, problem.GetProperty("status").GetInt32());
            Assert.Contains("no-such-task", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    private static Task<IReadOnlyList<TaskView>> WaitForTasksAsync(CerebroCluster cluster, Func<IReadOnlyList<TaskView>, bool> accept, string what) =>
        Infrastructure.Poll.UntilAsync(cluster.GetTasksAsync, accept, CerebroCluster.StartupTimeout, $"GET /api/tasks to show {what}");

    private static void AssertTask(IReadOnlyList<TaskView> tasks, string name, string agent, string owner, UpstreamView[] upstreams, string[] downstreams)
    {
        var task = Assert.Single(tasks, t => t.Name == name);
        Assert.Equal(("runnable", agent, owner), (task.Status, task.Agent, task.Owner));
        Assert.Null(task.Reason);
        Assert.Equal(upstreams.OrderBy(u => u.Task, StringComparer.Ordinal), task.Upstreams.OrderBy(u => u.Task, StringComparer.Ordinal));
        Assert.Equal(downstreams.Order(StringComparer.Ordinal), task.Downstreams.Order(StringComparer.Ordinal));
    }

    private static void AssertCycleReason(string? reason)
    {
        Assert.NotNull(reason);
        Assert.Contains("cycle", reason, StringComparison.OrdinalIgnoreCase);
        Assert.True(reason.Contains("rogue-x -> rogue-y", StringComparison.Ordinal) || reason.Contains("rogue-y -> rogue-x", StringComparison.Ordinal),
            $"the reason names no path of the cycle: {reason}");
    }

    private async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine($"POST /api/runs answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
