using Cerebro.IntegrationTests.Scenarios.Support;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>
/// Scenario 3: a failing task ends in error with the agent's description, blocks its downstream and nothing else,
/// fails the run, and its owner team is told on cerebro.notifications.
/// </summary>
public sealed class FailureScenarioTests(ITestOutputHelper output)
{
    private const string BuildSalesError = "build-sales failed on request (parameter 'fail')";

    [Fact]
    public async Task BuildSalesFails_DownstreamBlocked_RunFailed_OwnerNotified()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        cluster.StartTaskServerA();
        cluster.StartTaskServerB();
        await using var teamB = await AmqpPeer.ConnectAsync(cluster.VirtualHost, "team-b-watcher");
        await teamB.SubscribeAsync(AmqpPeer.NotificationsExchange, "team-b.#");
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerB);

        var runId = await cluster.StartRunAsync("publish-dashboard", new { durationMs = 100, fail = new[] { "build-sales" } });
        var run = await cluster.WaitForRunEndAsync(runId);

        Assert.Equal("failed", run.Status);
        var byTask = run.Tasks.ToDictionary(t => t.Task, StringComparer.Ordinal);
        var buildSales = byTask["build-sales"];
        Assert.Equal("error", buildSales.State);
        Assert.Equal(BuildSalesError, buildSales.Error?.Message);
        Assert.Equal("agent", buildSales.Error?.Source);
        var dashboard = byTask["publish-dashboard"];
        Assert.Equal("blocked", dashboard.State);
        Assert.Contains("build-sales", dashboard.Error?.Message, StringComparison.Ordinal);
        Assert.Equal("cerebro", dashboard.Error?.Source);
        Assert.Null(dashboard.InvokedAt);
        foreach (var task in new[] { "extract-customers", "extract-orders", "extract-products", "build-catalog" })
            Assert.Equal((task, "completed"), (task, byTask[task].State));
        Assert.True(run.FinishedAt >= run.Tasks.Max(t => t.FinishedAt), "the run finished before its last task run");

        var notification = await teamB.WaitForAsync(m => m.Type == "task-run.errored" && m.Text("task") == "build-sales",
            TimeSpan.FromSeconds(60), "task-run.errored for build-sales");
        output.WriteLine($"notification: {notification}");
        Assert.Equal("team-b.task-run.errored", notification.RoutingKey);
        Assert.Equal("cerebro", notification.Sender);
        Assert.Equal("team-b", notification.Text("owner"));
        Assert.Equal(BuildSalesError, notification.Text("error"));
        Assert.Equal("agent", notification.Text("source"));
        Assert.Equal(CerebroCluster.TaskServerB, notification.Text("agent"));
        Assert.Equal(runId, Guid.Parse(notification.Text("runId")!));
        Assert.Equal(buildSales.TaskRunId, Guid.Parse(notification.Text("taskRunId")!));
        Assert.Equal(1, notification.Body.GetProperty("attempt").GetInt32());
        Assert.Equal(["publish-dashboard"], notification.Names("blocks"));
    }
}
