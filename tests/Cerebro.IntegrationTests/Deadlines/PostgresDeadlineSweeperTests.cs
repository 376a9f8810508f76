using Cerebro.Server.TaskRuns;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Deadlines;

/// <summary>
/// The deadline sweeper on the real PostgreSQL server, where two Cerebro instances share one database: a due deadline
/// is claimed by one sweeper only (UPDATE ... RETURNING over FOR UPDATE SKIP LOCKED, then the claim's lease).
/// </summary>
public sealed class PostgresDeadlineSweeperTests(PostgresCerebroDatabase database, ITestOutputHelper output)
    : IClassFixture<PostgresCerebroDatabase>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SweepOnce_TwoInstancesRaceOver200DueDeadlines_EachFiredExactlyOnce()
    {
        await using var first = await SweeperInstance.StartAsync("first", database.ConnectionString);
        await using var second = await SweeperInstance.StartAsync("second", database.ConnectionString);
        // Each instance's pool and model warmed up, so neither starts the race late.
        Assert.Equal(0, await first.SweepUntilNoneDueAsync());
        Assert.Equal(0, await second.SweepUntilNoneDueAsync());
        var due = await AddDueDeadlinesAsync(200);

        int firstFired, secondFired;
        await using (var gate = await StatementGate.CloseAsync(await database.OpenConnectionAsync(), "task_runs"))
        {
            var firstSweep = Task.Run(first.SweepUntilNoneDueAsync);
            var secondSweep = Task.Run(second.SweepUntilNoneDueAsync);
            await gate.WaitForHeldAsync(2, Wait);
            await gate.OpenAsync();
            firstFired = await firstSweep.WaitAsync(Wait);
            secondFired = await secondSweep.WaitAsync(Wait);
        }

        output.WriteLine($"first fired {firstFired}, second fired {secondFired}");
        var fired = first.Fired.Concat(second.Fired).ToList();
        Assert.Equal(firstFired, first.Fired.Count);
        Assert.Equal(secondFired, second.Fired.Count);
        var twice = fired.GroupBy(d => d.TaskRunId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} deadlines fired more than once, e.g. task run {twice.FirstOrDefault()}");
        Assert.Equal(due.Keys.Order(), fired.Select(d => d.TaskRunId).Order());
        Assert.All(fired, d => Assert.Equal((DeadlineKinds.Ack, due[d.TaskRunId]), (d.Kind, d.DueMs)));

        // Within the lease, neither fires them again.
        Assert.Equal(0, await first.SweepUntilNoneDueAsync());
        Assert.Equal(0, await second.SweepUntilNoneDueAsync());
    }

    /// <summary>Invoked task runs whose ack deadlines have all passed; returns their due times by id.</summary>
    private async Task<Dictionary<Guid, long>> AddDueDeadlinesAsync(int count)
    {
        var now = DateTimeOffset.UtcNow;
        var runId = Guid.NewGuid();
        var taskRuns = Enumerable.Range(0, count).Select(i => new TaskRunState
        {
            CorrelationId = Guid.NewGuid(),
            CurrentState = TaskRunStates.Invoked,
            Version = 2,
            RunId = runId,
            Task = $"silent-{i}",
            Agent = "silent-agent",
            Owner = "team-silent",
            Position = i,
            AckTimeoutSeconds = 10,
            CreatedAt = now.AddSeconds(-20).UtcDateTime,
            InvokedAt = now.AddSeconds(-15).UtcDateTime,
            DeadlineKind = DeadlineKinds.Ack,
            // Distinct due times, so ORDER BY has one order and both sweepers walk the rows in it.
            DeadlineDueMs = now.AddSeconds(-5).ToUnixTimeMilliseconds() - i,
        }).ToList();
        await using var db = database.CreateContext();
        db.TaskRuns.AddRange(taskRuns);
        await db.SaveChangesAsync();
        return taskRuns.ToDictionary(t => t.CorrelationId, t => t.DeadlineDueMs!.Value);
    }
}
