using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.IntegrationTests.Scenarios.Support;
using Cerebro.Server.Api;
using Npgsql;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>
/// Scenario 5: Cerebro is killed (SIGKILL) in the middle of a run and a new Cerebro process takes over the same
/// database and virtual host; the run still ends, with no task run lost and none run twice, and no deadline lost
/// or fired twice.
/// </summary>
public sealed class CrashScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CerebroKilledMidRun_NewProcessFinishesTheRun_EachTaskRunExecutedOnce()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        var a = cluster.StartTaskServerA();
        var b = cluster.StartTaskServerB();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerB);

        var runId = await cluster.StartRunAsync("publish-dashboard", new { durationMs = 1500 });
        var midRun = await cluster.WaitForRunAsync(runId, r => r.Tasks.Any(t => t.StartedAt is not null), "a task run of the run to be started");
        Assert.Equal("running", midRun.Status);
        await cluster.KillCerebroAsync();
        await cluster.StartCerebroAsync();
        var run = await cluster.WaitForRunEndAsync(runId, TimeSpan.FromSeconds(90));

        Assert.Equal("succeeded", run.Status);
        Assert.Equal(DemoTasks.AgentOf.Keys.Order(StringComparer.Ordinal), run.Tasks.Select(t => t.Task).Order(StringComparer.Ordinal));
        Assert.All(run.Tasks, t => Assert.Equal((t.Task, "completed", DemoTasks.AgentOf[t.Task]), (t.Task, t.State, t.Agent)));

        // Lost would show as a task run never executed; run twice as two lines for one task run.
        var executed = ExecutedLine.Of(a).Concat(ExecutedLine.Of(b)).ToList();
        foreach (var taskRun in run.Tasks)
        {
            var lines = executed.Where(e => e.TaskRunId == taskRun.TaskRunId).ToList();
            var line = Assert.Single(lines);
            Assert.Equal((taskRun.Task, taskRun.Attempt, DemoTasks.AgentOf[taskRun.Task]), (line.Task, line.Attempt, line.Agent));
        }

        Assert.Equal(run.Tasks.Count, executed.Count);
    }

    /// <summary>
    /// The ack deadline lives in the database, not in the process: Cerebro is killed while it is pending and started
    /// again once it has passed, and the new process fires it, once.
    /// </summary>
    [Fact]
    public async Task CerebroKilledBeforeTheAckDeadline_NewProcessFiresIt_TaskRunErrorsOnce()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        await using var agent = await AmqpPeer.ConnectAsync(cluster.VirtualHost, "silent-agent");
        await agent.ConsumeAgentQueueAsync();
        await using var owner = await AmqpPeer.ConnectAsync(cluster.VirtualHost, "team-silent-watcher");
        await owner.SubscribeAsync(AmqpPeer.NotificationsExchange, "team-silent.#");
        await agent.PublishAsync("server.ready", new
        {
            agent = agent.Name,
            instance = Guid.NewGuid(),
            maxConcurrency = 1,
            tasks = new object[] { new { name = "never-answers", owner = "team-silent", upstreams = Array.Empty<object>(), timeouts = new { ackSeconds = 10 } } },
            sentAt = DateTimeOffset.UtcNow,
        });
        await agent.WaitForAsync(m => m.Type == "declaration.accepted", CerebroCluster.StartupTimeout, "declaration.accepted");

        var runId = await cluster.StartRunAsync("never-answers");
        var invoke = await agent.WaitForAsync(m => m.Type == "task.invoke", CerebroCluster.RunTimeout, "task.invoke");
        Assert.Equal(10, invoke.Body.GetProperty("ackTimeoutSeconds").GetDouble());
        var invoked = (await cluster.WaitForRunAsync(runId, r => r.Tasks.Single().DeadlineKind == "ack", "the ack deadline to be stored")).Tasks.Single();
        var dueAt = invoked.DeadlineAt!.Value;
        var first = cluster.Cerebro;
        Assert.True(DateTime.UtcNow < dueAt, $"the ack deadline ({dueAt:HH:mm:ss.fff}) passed before Cerebro could be killed; the test proves nothing");
        await cluster.KillCerebroAsync();

        // Proof that the killed process had not fired it: the deadline is pending and unclaimed in the database.
        Assert.Equal(("Invoked", "ack", (long?)null), await StoredDeadlineAsync(cluster.Database, invoked.TaskRunId));
        var firing = $"Deadline ack of task run {invoked.TaskRunId} is due";
        Assert.DoesNotContain(first.Lines, line => line.Contains(firing, StringComparison.Ordinal));
        await Poll.UntilAsync(() => Task.FromResult(DateTime.UtcNow > dueAt), TimeSpan.FromSeconds(30), $"the ack deadline ({dueAt:HH:mm:ss.fff}) to pass");
        await cluster.StartCerebroAsync();
        var run = await cluster.WaitForRunEndAsync(runId);

        Assert.Equal("failed", run.Status);
        var taskRun = Assert.Single(run.Tasks);
        Assert.Equal("error", taskRun.State);
        Assert.Equal(new ErrorView("no task.queued or task.started from agent 'silent-agent' within 10 s of the invoke", "cerebro"), taskRun.Error);
        Assert.Null(taskRun.DeadlineAt);
        Assert.True(taskRun.FinishedAt >= dueAt, $"ended at {taskRun.FinishedAt:HH:mm:ss.fff}, before its deadline {dueAt:HH:mm:ss.fff}");
        await cluster.Cerebro.WaitForLineAsync(firing, CerebroCluster.RunTimeout);
        Assert.Single(cluster.Cerebro.Lines, line => line.Contains(firing, StringComparison.Ordinal));
        await owner.WaitForAsync(m => m.Type == "task-run.errored", CerebroCluster.RunTimeout, "task-run.errored for never-answers");
        Assert.Single(owner.Received, m => m.Type == "task-run.errored");
    }

    private static async Task<(string State, string? Kind, long? ClaimedMs)> StoredDeadlineAsync(PostgresDatabase database, Guid taskRunId)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            """SELECT "CurrentState", "DeadlineKind", "DeadlineClaimedMs" FROM task_runs WHERE "CorrelationId" = $1""", connection)
        {
            Parameters = { new() { Value = taskRunId } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"task run {taskRunId} is not stored");
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2));
    }
}
