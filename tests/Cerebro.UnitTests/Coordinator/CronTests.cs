using System.Net.Http.Json;
using Cerebro.Contracts;
using Cerebro.Server.Scheduling;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>Cron schedules fire runs at their time, once per occurrence, from fire times kept in the database.</summary>
public sealed class CronTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTime NextNight = new(2031, 3, 4, 2, 0, 0, DateTimeKind.Utc);

    private Coordinator _cerebro = null!;
    private FakeAgent _agent = null!;

    public async Task InitializeAsync()
    {
        _cerebro = await Coordinator.StartAsync(output);
        _agent = await _cerebro.AgentAsync("agent-a");
    }

    public async Task DisposeAsync() => await _cerebro.DisposeAsync();

    [Fact]
    public async Task CronTask_FiresOncePerOccurrence_WithTriggerCron_AndTheScheduleMovesOn()
    {
        Assert.Equal(new DateTime(2031, 3, 3, 8, 0, 0, DateTimeKind.Utc), _cerebro.Clock.GetUtcNow().UtcDateTime);
        await _agent.DeclareAsync(Nightly());
        await _cerebro.TickCronAsync();

        var schedule = Assert.Single(await _cerebro.GetSchedulesAsync());
        Assert.Equal(("nightly", "0 2 * * *", NextNight, (DateTime?)null), (schedule.Task, schedule.Cron, schedule.NextRunAt, schedule.LastFiredAt));
        Assert.Empty(await CronRunsAsync());

        _cerebro.Clock.Advance(NextNight.AddSeconds(30) - _cerebro.Clock.GetUtcNow().UtcDateTime);
        await _cerebro.TickCronAsync();
        await _cerebro.TickCronAsync();

        var runId = CronExpression.RunIdFor("nightly", NextNight);
        var invoke = await _agent.WaitForInvokeAsync("nightly", runId);
        var run = await _cerebro.GetRunAsync(runId);
        Assert.Equal(("cron", "cron"), (run.Trigger, run.RequestedBy));
        await _agent.CompletedAsync(invoke);
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");

        Assert.Equal([runId], (await CronRunsAsync()).Select(r => r.RunId));
        Assert.Single(_agent.Invokes(runId));
        schedule = Assert.Single(await _cerebro.GetSchedulesAsync());
        Assert.Equal((NextNight.AddDays(1), NextNight, runId, "started"), (schedule.NextRunAt, schedule.LastFiredAt, schedule.LastRunId, schedule.LastOutcome));
        var stored = await _cerebro.QueryAsync(db => db.CronSchedules.AsNoTracking().SingleAsync());
        Assert.Equal(NextNight.AddDays(1), DateTime.SpecifyKind(stored.NextFireAt, DateTimeKind.Utc));
    }

    [Fact]
    public async Task AfterThreeMissedNights_OneCatchUpRun_ThenTheNextNight()
    {
        await _agent.DeclareAsync(Nightly());
        await _cerebro.TickCronAsync();

        // Nobody fired for three nights (Cerebro was down): one run now, for the first missed night.
        _cerebro.Clock.Advance(NextNight.AddDays(2).AddHours(5) - _cerebro.Clock.GetUtcNow().UtcDateTime);
        await _cerebro.TickCronAsync();
        await _cerebro.TickCronAsync();

        var runId = CronExpression.RunIdFor("nightly", NextNight);
        await _agent.WaitForInvokeAsync("nightly", runId);
        Assert.Equal([runId], (await CronRunsAsync()).Select(r => r.RunId));
        var schedule = Assert.Single(await _cerebro.GetSchedulesAsync());
        Assert.Equal((NextNight.AddDays(3), NextNight), (schedule.NextRunAt, schedule.LastFiredAt));
    }

    [Fact]
    public async Task ChangedOrRemovedCron_MovesOrDropsTheSchedule()
    {
        await _agent.DeclareAsync(Nightly());
        await _cerebro.TickCronAsync();
        Assert.Equal(NextNight, Assert.Single(await _cerebro.GetSchedulesAsync()).NextRunAt);

        await _agent.DeclareAsync(Nightly("30 9 * * *"));
        await _cerebro.TickCronAsync();
        Assert.Equal(new DateTime(2031, 3, 3, 9, 30, 0, DateTimeKind.Utc), Assert.Single(await _cerebro.GetSchedulesAsync()).NextRunAt);

        await _agent.DeclareAsync(Nightly(cron: null));
        await _cerebro.TickCronAsync();
        Assert.Empty(await _cerebro.GetSchedulesAsync());
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

    private async Task<List<Server.Api.RunSummaryView>> CronRunsAsync() =>
        [.. (await _cerebro.Http.GetFromJsonAsync<List<Server.Api.RunSummaryView>>("/api/runs"))!.Where(r => r.Task == "nightly" && r.Trigger == "cron")];
}
