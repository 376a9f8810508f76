using Cerebro.Server.Hosting;
using Cerebro.Server.Messages;
using Cerebro.Server.Runs;
using Cerebro.Server.TaskRuns;
using Cerebro.Server.Telemetry;
using Cerebro.UnitTests.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>
/// The run saga alone: each test stores a run and its task runs as the launcher and the task-run saga would have
/// committed them, sends the run's messages to its queue as a task run (or recovery) would, and waits until the bus
/// has done with each one, so a message that must change nothing is shown to have changed nothing.
/// </summary>
public sealed class RunStateMachineTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    /// <summary>How MassTransit names the run saga as a message's consumer.</summary>
    private static readonly string RunSaga = typeof(RunState).FullName!;

    private DeliveryWatch? _deliveries;

    // Lazy: the coordinator starts in InitializeAsync, after this class is constructed.
    private DeliveryWatch Deliveries => _deliveries ??= DeliveryWatch.Connect(Server.Services);

    [Fact]
    public async Task TaskRunFinished_WhileOthersAreOpen_RunStaysRunning()
    {
        var (runId, taskRuns) = await StoreRunAsync("open", TaskRunStates.Completed, TaskRunStates.Pending, TaskRunStates.Invoked,
            TaskRunStates.Queued, TaskRunStates.Started);

        await ReportAsync(taskRuns[0]);

        var run = await LoadRunAsync(runId);
        Assert.Equal((RunStates.Running, (DateTime?)null), (run.CurrentState, run.FinishedAt));
    }

    [Fact]
    public async Task LastTaskRunCompleted_RunSucceeds_AtThatMoment()
    {
        var (runId, taskRuns) = await StoreRunAsync("pair", TaskRunStates.Started, TaskRunStates.Started);
        await EndAsync(taskRuns[0], TaskRunStates.Completed);
        Assert.Equal(RunStates.Running, (await LoadRunAsync(runId)).CurrentState);

        var lastAt = Server.Clock.Advance(TimeSpan.FromSeconds(90));
        await EndAsync(taskRuns[1], TaskRunStates.Completed);

        var run = await LoadRunAsync(runId);
        Assert.Equal((RunStates.Succeeded, lastAt.UtcDateTime), (run.CurrentState, run.FinishedAt));
    }

    /// <summary>A reused task run stands in for an earlier success: it is done from the start and never reports.</summary>
    [Fact]
    public async Task ReusedTaskRuns_CountAsDoneAndSucceeded()
    {
        var (runId, taskRuns) = await StoreRunAsync("reuse", TaskRunStates.Reused, TaskRunStates.Reused, TaskRunStates.Started);

        await EndAsync(taskRuns[2], TaskRunStates.Completed);

        var run = await LoadRunAsync(runId);
        Assert.Equal((RunStates.Succeeded, Server.Clock.GetUtcNow().UtcDateTime), (run.CurrentState, run.FinishedAt));
    }

    [Theory]
    [InlineData(TaskRunStates.Error)]
    [InlineData(TaskRunStates.Blocked)]
    public async Task LastTaskRunEndedInErrorOrBlocked_RunFails(string state)
    {
        var (runId, taskRuns) = await StoreRunAsync("fail", TaskRunStates.Completed, TaskRunStates.Reused, TaskRunStates.Started);

        await EndAsync(taskRuns[2], state);

        var run = await LoadRunAsync(runId);
        Assert.Equal((RunStates.Failed, Server.Clock.GetUtcNow().UtcDateTime), (run.CurrentState, run.FinishedAt));
    }

    /// <summary>A failure decides the outcome, not the end: the run fails only once its other task runs cannot move any more.</summary>
    [Fact]
    public async Task ErrorWhileOthersCanStillMove_RunFailsOnlyOnceTheyHaveEnded()
    {
        var (runId, taskRuns) = await StoreRunAsync("branches", TaskRunStates.Started, TaskRunStates.Started, TaskRunStates.Pending);

        await EndAsync(taskRuns[0], TaskRunStates.Error);
        Assert.Equal(RunStates.Running, (await LoadRunAsync(runId)).CurrentState);
        Server.Clock.Advance(TimeSpan.FromSeconds(5));
        await EndAsync(taskRuns[1], TaskRunStates.Completed);
        Assert.Equal(RunStates.Running, (await LoadRunAsync(runId)).CurrentState);

        var blockedAt = Server.Clock.Advance(TimeSpan.FromSeconds(5));
        await EndAsync(taskRuns[2], TaskRunStates.Blocked);

        var run = await LoadRunAsync(runId);
        Assert.Equal((RunStates.Failed, blockedAt.UtcDateTime), (run.CurrentState, run.FinishedAt));
    }

    /// <summary>
    /// Task runs that end together each report, so every report but the first finds the run ended already. The machine
    /// ignores those on purpose and records nothing: they are the normal course of a run, not a fault of anyone's.
    /// </summary>
    [Fact]
    public async Task DuplicateAndLateTaskRunFinished_AfterSucceeded_ChangeNeitherOutcomeNorFinishTime()
    {
        var (runId, taskRuns) = await StoreRunAsync("twice", TaskRunStates.Started, TaskRunStates.Started);
        await EndBehindTheSagasBackAsync(taskRuns[0], TaskRunStates.Completed);
        await EndAsync(taskRuns[1], TaskRunStates.Completed);
        var ended = await LoadRunAsync(runId);
        Assert.Equal(RunStates.Succeeded, ended.CurrentState);

        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        var late = await ReportAsync(taskRuns[0]);
        var duplicate = await ReportAsync(taskRuns[1]);
        var wrong = await SendAsync(new TaskRunFinished(runId, taskRuns[1], "twice-1", TaskRunStates.Error));

        Assert.All([late, duplicate, wrong], consumer => Assert.Equal(RunSaga, consumer));
        var run = await LoadRunAsync(runId);
        Assert.Equal((RunStates.Succeeded, ended.FinishedAt), (run.CurrentState, run.FinishedAt));
        Assert.Empty(await Server.GetIgnoredMessagesAsync(runId));
    }

    [Fact]
    public async Task LateTaskRunFinishedAndCompletionCheck_AfterFailed_ChangeNeitherOutcomeNorFinishTime()
    {
        var (runId, taskRuns) = await StoreRunAsync("late", TaskRunStates.Completed, TaskRunStates.Started);
        await EndAsync(taskRuns[1], TaskRunStates.Error);
        var ended = await LoadRunAsync(runId);
        Assert.Equal(RunStates.Failed, ended.CurrentState);

        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        var late = await ReportAsync(taskRuns[0]);
        var check = await SendAsync(new RunCompletionCheck(runId));

        Assert.All([late, check], consumer => Assert.Equal(RunSaga, consumer));
        var run = await LoadRunAsync(runId);
        Assert.Equal((RunStates.Failed, ended.FinishedAt), (run.CurrentState, run.FinishedAt));
        Assert.Empty(await Server.GetIgnoredMessagesAsync(runId));
    }

    /// <summary>Recovery's nudge for a run whose last report was lost in a crash: the stored task runs decide.</summary>
    [Theory]
    [InlineData(TaskRunStates.Completed, RunStates.Succeeded)]
    [InlineData(TaskRunStates.Blocked, RunStates.Failed)]
    public async Task CompletionCheck_EveryTaskRunEnded_EndsTheRun(string last, string outcome)
    {
        var (runId, taskRuns) = await StoreRunAsync("check", TaskRunStates.Reused, TaskRunStates.Completed, TaskRunStates.Started);
        var checkedAt = Server.Clock.Advance(TimeSpan.FromSeconds(4));
        await EndBehindTheSagasBackAsync(taskRuns[2], last);

        await SendAsync(new RunCompletionCheck(runId));

        var run = await LoadRunAsync(runId);
        Assert.Equal((outcome, checkedAt.UtcDateTime), (run.CurrentState, run.FinishedAt));
    }

    [Fact]
    public async Task CompletionCheck_WhileATaskRunIsOpen_ChangesNothing()
    {
        var (runId, _) = await StoreRunAsync("early", TaskRunStates.Error, TaskRunStates.Queued);

        await SendAsync(new RunCompletionCheck(runId));

        var run = await LoadRunAsync(runId);
        Assert.Equal((RunStates.Running, (DateTime?)null), (run.CurrentState, run.FinishedAt));
    }

    /// <summary>
    /// Neither message starts a run, and the machine sets no missing-instance behaviour: MassTransit's default
    /// consumes the message and does nothing, so nothing faults, nothing is stored, nothing is recorded.
    /// </summary>
    [Fact]
    public async Task TaskRunFinishedAndCompletionCheck_ForAnUnknownRun_AreRecordedAsIgnored_AndChangeNothing()
    {
        var unknown = Guid.NewGuid();

        var finished = await SendAsync(new TaskRunFinished(unknown, Guid.NewGuid(), "ghost", TaskRunStates.Completed));
        var check = await SendAsync(new RunCompletionCheck(unknown));

        Assert.All([finished, check], consumer => Assert.Equal(RunSaga, consumer));
        Assert.Equal(0, await Server.QueryAsync(db => db.Runs.CountAsync()));
        var ignored = await Server.GetIgnoredMessagesAsync(unknown);
        Assert.Equal(2, ignored.Count);
        Assert.All(ignored, r => Assert.Equal(("ignored", $"no run {unknown} is known"), (r.Disposition, r.Reason)));
    }

    /// <summary>The run's end is announced in its telemetry (the bus carries no run-ended message): once, however many reports follow.</summary>
    [Fact]
    public async Task RunEnd_IsCountedOnceInTheRunMetrics_WithItsOutcomeAndDuration()
    {
        using var metrics = new MetricCollector();
        var task = $"metered-{Guid.NewGuid():N}";
        var (runId, taskRuns) = await StoreRunAsync(task, TaskRunStates.Started);

        Server.Clock.Advance(TimeSpan.FromSeconds(90));
        await EndAsync(taskRuns[0], TaskRunStates.Error);
        Server.Clock.Advance(TimeSpan.FromSeconds(30));
        await ReportAsync(taskRuns[0]);
        await SendAsync(new RunCompletionCheck(runId));

        var ended = Assert.Single(metrics.Of("cerebro.runs.ended"), m => m.Has(TelemetryTags.Task, task));
        Assert.Equal(1, ended.Value);
        Assert.True(ended.Has(TelemetryTags.Outcome, "failed"), string.Join(", ", ended.Tags));
        var duration = Assert.Single(metrics.Of("cerebro.run.duration"), m => m.Has(TelemetryTags.Task, task));
        Assert.Equal(90, duration.Value);
        Assert.True(duration.Has(TelemetryTags.Outcome, "failed"), string.Join(", ", duration.Tags));
    }

    /// <summary>
    /// Stores a running run of <paramref name="task"/> with one task run per state (task <c>&lt;task&gt;-&lt;i&gt;</c>), as
    /// the launcher stores it; no message goes out, so nothing moves until the test says so.
    /// </summary>
    private async Task<(Guid RunId, Guid[] TaskRuns)> StoreRunAsync(string task, params string[] states)
    {
        var runId = Guid.CreateVersion7();
        var now = Server.Clock.GetUtcNow().UtcDateTime;
        var taskRuns = states.Select((state, i) => new TaskRunState
        {
            CorrelationId = Guid.CreateVersion7(),
            CurrentState = state,
            RunId = runId,
            Task = $"{task}-{i}",
            Agent = AgentA.Name,
            Owner = "team-a",
            Position = i,
            CreatedAt = now,
            FinishedAt = TaskRunStates.IsTerminal(state) ? now : null,
        }).ToList();
        await Server.QueryAsync(db =>
        {
            db.Runs.Add(new RunState
            {
                CorrelationId = runId,
                CurrentState = RunStates.Running,
                Task = task,
                Trigger = "api",
                CreatedAt = now,
                TotalTaskRuns = taskRuns.Count,
            });
            db.TaskRuns.AddRange(taskRuns);
            return db.SaveChangesAsync();
        });
        return (runId, [.. taskRuns.Select(t => t.CorrelationId)]);
    }

    /// <summary>A task run's end as its saga does it: committed first, then reported to the run.</summary>
    private async Task EndAsync(Guid taskRunId, string state)
    {
        await EndBehindTheSagasBackAsync(taskRunId, state);
        await ReportAsync(taskRunId);
    }

    /// <summary>The task run's end as its saga would have committed it, without the report that follows.</summary>
    private Task EndBehindTheSagasBackAsync(Guid taskRunId, string state)
    {
        var at = Server.Clock.GetUtcNow().UtcDateTime;
        return Server.QueryAsync(db => db.TaskRuns.Where(t => t.CorrelationId == taskRunId).ExecuteUpdateAsync(t => t
            .SetProperty(x => x.CurrentState, state)
            .SetProperty(x => x.FinishedAt, at)
            .SetProperty(x => x.Version, x => x.Version + 1)));
    }

    /// <summary>Reports the task run's stored state to its run, as <c>TaskRunBehaviorExtensions.AnnounceFinished</c> does.</summary>
    private async Task<string?> ReportAsync(Guid taskRunId)
    {
        var taskRun = await Server.QueryAsync(db => db.TaskRuns.AsNoTracking().SingleAsync(t => t.CorrelationId == taskRunId));
        return await SendAsync(new TaskRunFinished(taskRun.RunId, taskRun.CorrelationId, taskRun.Task, taskRun.CurrentState));
    }

    /// <summary>Sends to the run saga's queue and waits until the bus has done with the message; returns the consumer that took it.</summary>
    private async Task<string?> SendAsync<T>(T message)
        where T : class
    {
        var messageId = NewId.NextGuid();
        var endpoint = await Server.Services.GetRequiredService<IBus>().GetSendEndpoint(Endpoints.Runs);
        var deliveries = Deliveries;
        await endpoint.Send(message, context => context.MessageId = messageId);
        return await deliveries.DeliveredAsync(messageId);
    }

    private Task<RunState> LoadRunAsync(Guid runId) =>
        Server.QueryAsync(db => db.Runs.AsNoTracking().SingleAsync(r => r.CorrelationId == runId));
}
