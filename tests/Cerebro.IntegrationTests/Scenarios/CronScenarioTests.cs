using System.Net.Http.Json;
using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.IntegrationTests.Scenarios.Support;
using Cerebro.Server.Api;
using Cerebro.Server.Scheduling;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Scenarios;

/// <summary>
/// A cron schedule fires runs from Cerebro on PostgreSQL, one per occurrence, and keeps firing after Cerebro is killed
/// and started again, from the fire time it stored.
/// </summary>
public sealed class CronScenarioTests(ITestOutputHelper output)
{
    private const string Task = "every-two-seconds";

    [Fact]
    public async Task CronTask_FiresEveryOccurrence_AndGoesOnAfterACrash_WithoutFiringAnyTwice()
    {
        await using var cluster = await CerebroCluster.StartAsync(output);
        await using var agent = await AmqpPeer.ConnectAsync(cluster.VirtualHost, "cron-agent");
        await agent.ConsumeAgentQueueAsync();
        await agent.PublishAsync("server.ready", new
        {
            agent = agent.Name,
            instance = Guid.NewGuid(),
            maxConcurrency = 4,
            tasks = new object[] { new { name = Task, owner = "team-cron", upstreams = Array.Empty<object>(), cron = "*/2 * * * * *" } },
            sentAt = DateTimeOffset.UtcNow,
        });
        await agent.WaitForAsync(m => m.Type == "declaration.accepted", CerebroCluster.StartupTimeout, "declaration.accepted");

        var before = await WaitForCronRunsAsync(cluster, 2);
        await cluster.KillCerebroAsync();
        var killedAt = DateTime.UtcNow;
        await cluster.StartCerebroAsync();
        var after = await WaitForCronRunsAsync(cluster, before.Count + 2);

        // Each run is one occurrence: its id is the occurrence's, and no occurrence ran twice.
        var occurrences = after.Select(r => Occurrence(r)).ToList();
        Assert.Equal(occurrences.Count, occurrences.Distinct().Count());
        Assert.All(occurrences, o => Assert.Equal(0, o.Second % 2));
        Assert.Contains(occurrences, o => o > killedAt);
        Assert.All(after, r => Assert.Equal("cron", r.Trigger));

        var schedule = Assert.Single(await cluster.Http.GetFromJsonAsync<List<ScheduleView>>("api/schedules") ?? []);
        Assert.Equal((Task, "*/2 * * * * *"), (schedule.Task, schedule.Cron));
        Assert.Contains(schedule.LastRunId, after.Select(r => (Guid?)r.RunId));
        Assert.True(schedule.NextRunAt > schedule.LastFiredAt, $"next {schedule.NextRunAt:o} is not after the last {schedule.LastFiredAt:o}");
    }

    private static async Task<List<RunSummaryView>> WaitForCronRunsAsync(CerebroCluster cluster, int count)
    {
        List<RunSummaryView> runs = [];
        await Poll.UntilAsync(async () =>
        {
            runs = [.. (await cluster.Http.GetFromJsonAsync<List<RunSummaryView>>($"api/runs?task={Task}&limit=100") ?? [])
                .Where(r => r.Trigger == "cron")];
            return runs.Count >= count;
        }, TimeSpan.FromSeconds(30), $"{count} cron runs of {Task}");
        return runs;
    }

    /// <summary>The occurrence a run was started for: the one whose derived run id it carries (searched around its creation).</summary>
    private static DateTime Occurrence(RunSummaryView run)
    {
        var created = DateTime.SpecifyKind(run.CreatedAt, DateTimeKind.Utc);
        var start = created.AddSeconds(-120).AddTicks(-(created.Ticks % TimeSpan.TicksPerSecond));
        for (var candidate = start; candidate <= created.AddSeconds(2); candidate = candidate.AddSeconds(1))
            if (CronExpression.RunIdFor(Task, candidate) == run.RunId)
                return candidate;
        throw new Xunit.Sdk.XunitException($"run {run.RunId} (created {created:o}) carries no occurrence's run id");
    }
}
