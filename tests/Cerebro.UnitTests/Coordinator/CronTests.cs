using System.Net.Http.Json;
using Cerebro.Contracts;
using Cerebro.Server.Scheduling;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Cron schedules fire runs at their time, once per occurrence, from fire times kept in the database.</summary>
public sealed class CronTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    private static readonly DateTime NextNight = new(2031, 3, 4, 2, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task CronTask_FiresOncePerOccurrence_WithTriggerCron_AndTheScheduleMovesOn()
    {
        Assert.Equal(new DateTime(2031, 3, 3, 8, 0, 0, DateTimeKind.Utc), Server.Clock.GetUtcNow().UtcDateTime);
        await AgentA.DeclareAsync(Nightly());
        await Server.TickCronAsync();

        var schedule = Assert.Single(await Server.GetSchedulesAsync());
        Assert.Equal(("nightly", "0 2 * * *", NextNight, (DateTime?)null), (schedule.Task, schedule.Cron, schedule.NextRunAt, schedule.LastFiredAt));
        Assert.Empty(await CronRunsAsync());

        Server.Clock.Advance(NextNight.AddSeconds(30) - Server.Clock.GetUtcNow().UtcDateTime);
        await Server.TickCronAsync();
        await Server.TickCronAsync();

        var runId = CronExpression.RunIdFor("nightly", NextNight);
        var invoke = await AgentA.WaitForInvokeAsync("nightly", runId);
        var run = await Server.GetRunAsync(runId);
        Assert.Equal(("cron", "cron"), (run.Trigger, run.RequestedBy));
        await AgentA.CompletedAsync(invoke);
        await Server.WaitForRunStatusAsync(runId, "succeeded");

        Assert.Equal([runId], (await CronRunsAsync()).Select(r => r.RunId));
        Assert.Single(AgentA.Invokes(runId));
        schedule = Assert.Single(await Server.GetSchedulesAsync());
        Assert.Equal((NextNight.AddDays(1), NextNight, runId, "started"), (schedule.NextRunAt, schedule.LastFiredAt, schedule.LastRunId, schedule.LastOutcome));
        var stored = await Server.QueryAsync(db => db.CronSchedules.AsNoTracking().SingleAsync());
        Assert.Equal(NextNight.AddDays(1), DateTime.SpecifyKind(stored.NextFireAt, DateTimeKind.Utc));
    }

    [Fact]
    public async Task AfterThreeMissedNights_OneCatchUpRun_ThenTheNextNight()
    {
        await AgentA.DeclareAsync(Nightly());
        await Server.TickCronAsync();

        // Nobody fired for three nights (Cerebro was down): one run now, for the first missed night.
        Server.Clock.Advance(NextNight.AddDays(2).AddHours(5) - Server.Clock.GetUtcNow().UtcDateTime);
        await Server.TickCronAsync();
        await Server.TickCronAsync();

        var runId = CronExpression.RunIdFor("nightly", NextNight);
        await AgentA.WaitForInvokeAsync("nightly", runId);
        Assert.Equal([runId], (await CronRunsAsync()).Select(r => r.RunId));
        var schedule = Assert.Single(await Server.GetSchedulesAsync());
        Assert.Equal((NextNight.AddDays(3), NextNight), (schedule.NextRunAt, schedule.LastFiredAt));
    }

    [Fact]
    public async Task ChangedOrRemovedCron_MovesOrDropsTheSchedule()
    {
        await AgentA.DeclareAsync(Nightly());
        await Server.TickCronAsync();
        Assert.Equal(NextNight, Assert.Single(await Server.GetSchedulesAsync()).NextRunAt);

        await AgentA.DeclareAsync(Nightly("30 9 * * *"));
        await Server.TickCronAsync();
        Assert.Equal(new DateTime(2031, 3, 3, 9, 30, 0, DateTimeKind.Utc), Assert.Single(await Server.GetSchedulesAsync()).NextRunAt);

        await AgentA.DeclareAsync(Nightly(cron: null));
        await Server.TickCronAsync();
        Assert.Empty(await Server.GetSchedulesAsync());
    }

    [Fact]
    public void RunIdOfAnOccurrence_IsStable_AndDiffersByTaskAndTime()
    {
        Assert.Equal(CronExpression.RunIdFor("nightly", NextNight), CronExpression.RunIdFor("nightly", NextNight));
        Assert.NotEqual(CronExpression.RunIdFor("nightly", NextNight), CronExpression.RunIdFor("nightly", NextNight.AddDays(1)));
        Assert.NotEqual(CronExpression.RunIdFor("nightly", NextNight), CronExpression.RunIdFor("hourly", NextNight));
        Assert.Equal(new DateTime(2031, 3, 4, 2, 0, 15, DateTimeKind.Utc), CronExpression.NextAfter("15 * * * * *", NextNight));
    }

    private static TaskDeclaration Nightly(string? cron = "0 2 * * *") =>
        new() { Name = "nightly", Owner = TestTasks.Owner, Cron = cron };

    private async Task<List<Cerebro.Server.Api.RunSummaryView>> CronRunsAsync() =>
        [.. (await Server.Http.GetFromJsonAsync<List<Cerebro.Server.Api.RunSummaryView>>("/api/runs"))!.Where(r => r.Task == "nightly" && r.Trigger == "cron")];
}
