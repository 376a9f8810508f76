using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Server.Agents;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>The task-run saga driven by an agent's events, as the HTTP API shows it.</summary>
public sealed class TaskRunLifecycleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private Coordinator _cerebro = null!;
    private FakeAgent _agent = null!;

    public async Task InitializeAsync()
    {
        _cerebro = await Coordinator.StartAsync(output);
        _agent = await _cerebro.AgentAsync("agent-a");
    }

    public async Task DisposeAsync() => await _cerebro.DisposeAsync();

    [Fact]
    public async Task InvokeQueuedStartedCompleted_ShowsEachStepAndTheResult()
    {
        await _agent.DeclareAsync(Task("extract"));
        var launchedAt = _cerebro.Clock.GetUtcNow();

        var runId = await _cerebro.StartRunAsync("extract");

        var invokeMessage = await _agent.WaitForAsync(m => m.Type == MessageTypes.InvokeTask, "the invoke");
        var invoke = invokeMessage.Read<InvokeTask>();
        Assert.Equal(("cerebro", 1), (invokeMessage.Sender, Convert.ToInt32(invokeMessage.Protocol)));
        Assert.Equal(AgentMessaging.InvokeMessageId(invoke.TaskRunId, 1), invokeMessage.MessageId);
        Assert.Equal((runId, "extract", 1, 10.0), (invoke.RunId, invoke.Task, invoke.Attempt, invoke.AckTimeoutSeconds));
        Assert.Equal(launchedAt, invoke.InvokedAt);
        var invoked = await _cerebro.WaitForTaskRunAsync(runId, "extract", "invoked");
        Assert.Equal(invoke.TaskRunId, invoked.TaskRunId);
        Assert.Equal(launchedAt.UtcDateTime, invoked.InvokedAt);
        Assert.Equal(("ack", launchedAt.AddSeconds(10).UtcDateTime), (invoked.DeadlineKind, invoked.DeadlineAt));
        Assert.Equal("running", (await _cerebro.GetRunAsync(runId)).Status);

        var queuedAt = _cerebro.Clock.Advance(TimeSpan.FromSeconds(1));
        await _agent.QueuedAsync(invoke);
        var queued = await _cerebro.WaitForTaskRunAsync(runId, "extract", "queued");
        Assert.Equal(queuedAt.UtcDateTime, queued.QueuedAt);
        Assert.Equal(("start", queuedAt.AddMinutes(10).UtcDateTime), (queued.DeadlineKind, queued.DeadlineAt));

        var startedAt = _cerebro.Clock.Advance(TimeSpan.FromSeconds(2));
        await _agent.StartedAsync(invoke);
        var started = await _cerebro.WaitForTaskRunAsync(runId, "extract", "started");
        Assert.Equal(startedAt.UtcDateTime, started.StartedAt);
        Assert.Equal(("complete", startedAt.AddMinutes(30).UtcDateTime), (started.DeadlineKind, started.DeadlineAt));

        var finishedAt = _cerebro.Clock.Advance(TimeSpan.FromSeconds(3));
        await _agent.CompletedAsync(invoke, new { rows = 42, files = new[] { "a.csv", "b.csv" } });
        var completed = await _cerebro.WaitForTaskRunAsync(runId, "extract", "completed");
        Assert.Equal((launchedAt.UtcDateTime, queuedAt.UtcDateTime, startedAt.UtcDateTime, finishedAt.UtcDateTime),
            (completed.InvokedAt!.Value, completed.QueuedAt!.Value, completed.StartedAt!.Value, completed.FinishedAt!.Value));
        Assert.Equal(42, completed.Result!.Value.GetProperty("rows").GetInt32());
        Assert.Equal(["a.csv", "b.csv"], completed.Result.Value.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Null(completed.Error);
        Assert.Null(completed.DeadlineKind);

        var run = await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Equal(finishedAt.UtcDateTime, run.FinishedAt);
        Assert.Empty(await _cerebro.GetIgnoredMessagesAsync());
    }

    [Fact]
    public async Task Downstream_IsInvokedOnlyAfterAllItsUpstreamsCompleted()
    {
        await _agent.DeclareAsync(Task("left"), Task("right"), Task("join", "left", "right"));
        var runId = await _cerebro.StartRunAsync("join");
        var left = await _agent.WaitForInvokeAsync("left", runId);
        var right = await _agent.WaitForInvokeAsync("right", runId);

        await _agent.CompletedAsync(left);
        var waiting = await _cerebro.WaitForRunAsync(runId, r => Coordinator.TaskRun(r, "left").State == "completed"
            && Coordinator.TaskRun(r, "join").WaitingFor.SequenceEqual(["right"]), "join waits for right only");

        Assert.Equal("pending", Coordinator.TaskRun(waiting, "join").State);
        Assert.Empty(_agent.Invokes(runId, "join"));

        await _agent.CompletedAsync(right);
        var join = await _agent.WaitForInvokeAsync("join", runId);
        var invoked = await _cerebro.WaitForTaskRunAsync(runId, "join", "invoked");
        Assert.Empty(invoked.WaitingFor);
        Assert.Equal(["left", "right"], invoked.Upstreams);
        await _agent.CompletedAsync(join);
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Single(_agent.Invokes(runId, "join"));
    }

    [Fact]
    public async Task TaskFailed_ErrorsWithTheAgentsText_BlocksItsDownstream_IndependentBranchStillRuns_RunFails()
    {
        await _agent.DeclareAsync(Task("doomed"), Task("source"), Task("good", "source"), Task("final", "doomed", "good"));
        var runId = await _cerebro.StartRunAsync("final");
        var doomed = await _agent.WaitForInvokeAsync("doomed", runId);
        var source = await _agent.WaitForInvokeAsync("source", runId);

        await _agent.StartedAsync(doomed);
        await _agent.FailedAsync(doomed, "disk full on /data");

        var errored = await _cerebro.WaitForTaskRunAsync(runId, "doomed", "error");
        Assert.Equal(("disk full on /data", "agent"), (errored.Error!.Message, errored.Error.Source));
        var blocked = await _cerebro.WaitForTaskRunAsync(runId, "final", "blocked");
        Assert.Equal("blocked: upstream 'doomed' ended error", blocked.Error!.Message);
        Assert.Equal("cerebro", blocked.Error.Source);
        Assert.Equal("running", (await _cerebro.GetRunAsync(runId)).Status);

        await _agent.CompletedAsync(source);
        var good = await _agent.WaitForInvokeAsync("good", runId);
        await _agent.CompletedAsync(good);

        var run = await _cerebro.WaitForRunStatusAsync(runId, "failed");
        Assert.Equal(["completed", "completed", "error", "blocked"],
            new[] { "source", "good", "doomed", "final" }.Select(t => Coordinator.TaskRun(run, t).State));
        Assert.NotNull(run.FinishedAt);
        Assert.Empty(_agent.Invokes(runId, "final"));
    }

    [Fact]
    public async Task CompletedOvertakesItsStarted_BothApplied_TheStartedOnlyAddsItsTime()
    {
        await _agent.DeclareAsync(Task("quick"));
        var runId = await _cerebro.StartRunAsync("quick");
        var invoke = await _agent.WaitForInvokeAsync("quick", runId);
        var startedAt = _cerebro.Clock.GetUtcNow();
        var completedAt = startedAt.AddMilliseconds(40);

        // The agent sent started, then completed; Cerebro gets them the other way round.
        await _agent.CompletedAsync(invoke, new { fast = true }, completedAt);
        var completed = await _cerebro.WaitForTaskRunAsync(runId, "quick", "completed");
        Assert.True(completed.Result!.Value.GetProperty("fast").GetBoolean());
        Assert.Null(completed.StartedAt);
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        var startedId = await _agent.StartedAsync(invoke, startedAt);

        var after = Coordinator.TaskRun(await _cerebro.WaitForRunAsync(runId, r => Coordinator.TaskRun(r, "quick").StartedAt is not null,
            "the overtaken task.started's time recorded"), "quick");
        Assert.Equal(("completed", startedAt.UtcDateTime, completedAt.UtcDateTime), (after.State, after.StartedAt, after.FinishedAt));
        Assert.Null(after.Error);
        Assert.DoesNotContain(await _cerebro.GetIgnoredMessagesAsync(runId), r => r.MessageId == startedId);
    }

    [Fact]
    public async Task StartedLaterThanTheCompletion_IsIgnoredAsLate()
    {
        await _agent.DeclareAsync(Task("quick"));
        var runId = await _cerebro.StartRunAsync("quick");
        var invoke = await _agent.WaitForInvokeAsync("quick", runId);
        var completedAt = _cerebro.Clock.GetUtcNow();
        await _agent.CompletedAsync(invoke, new { fast = true }, completedAt);
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");

        // Not an overtaken event: the agent says it started after it had completed (a replay, or a confused agent).
        await _agent.StartedAsync(invoke, completedAt.AddSeconds(5));

        var ignored = await _cerebro.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskStarted);
        Assert.Equal(("ignored", "task.started", "agent-a"), (ignored.Disposition, ignored.Type, ignored.Sender));
        Assert.Equal((runId, invoke.TaskRunId), (ignored.RunId, ignored.TaskRunId));
        Assert.Contains("late or duplicate", ignored.Reason);
        var after = Coordinator.TaskRun(await _cerebro.GetRunAsync(runId), "quick");
        Assert.Equal(("completed", (DateTime?)null), (after.State, after.StartedAt));
    }

    [Fact]
    public async Task SecondCompleted_IsRecordedAsIgnored_AndTheStateStays()
    {
        await _agent.DeclareAsync(Task("once"));
        var runId = await _cerebro.StartRunAsync("once");
        var invoke = await _agent.WaitForInvokeAsync("once", runId);
        await _agent.StartedAsync(invoke);
        await _agent.CompletedAsync(invoke, new { value = 1 });
        var first = await _cerebro.WaitForTaskRunAsync(runId, "once", "completed");
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");

        _cerebro.Clock.Advance(TimeSpan.FromMinutes(1));
        await _agent.CompletedAsync(invoke, new { value = 2 });

        var ignored = await _cerebro.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskCompleted);
        Assert.Equal(("ignored", "task.completed"), (ignored.Disposition, ignored.Type));
        Assert.Equal($"'TaskCompleted' does not apply to task run {invoke.TaskRunId} of 'once' in state completed (late or duplicate)", ignored.Reason);
        Assert.Equal(invoke.TaskRunId, ignored.TaskRunId);
        var after = Coordinator.TaskRun(await _cerebro.GetRunAsync(runId), "once");
        Assert.Equal(("completed", first.FinishedAt), (after.State, after.FinishedAt));
        Assert.Equal(1, after.Result!.Value.GetProperty("value").GetInt32());
        var run = await _cerebro.GetRunAsync(runId);
        Assert.Equal("succeeded", run.Status);
        Assert.Equal(1, await _cerebro.QueryAsync(db => db.Runs.Where(r => r.CorrelationId == runId).Select(r => r.FinishedTaskRuns).SingleAsync()));
        var success = await _cerebro.QueryAsync(db => db.TaskSuccesses.SingleAsync(s => s.Task == "once"));
        Assert.Equal(first.FinishedAt, success.SucceededAt);
    }

    [Fact]
    public async Task EventFromTheWrongAgent_IsIgnoredWithTheReason()
    {
        await _agent.DeclareAsync(Task("mine"));
        var intruder = await _cerebro.AgentAsync("agent-b");
        var runId = await _cerebro.StartRunAsync("mine");
        var invoke = await _agent.WaitForInvokeAsync("mine", runId);

        await intruder.CompletedAsync(invoke, new { stolen = true });

        var ignored = await _cerebro.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskCompleted);
        Assert.Equal(("ignored", "agent-b"), (ignored.Disposition, ignored.Sender));
        Assert.Equal($"sent by agent 'agent-b', but task run {invoke.TaskRunId} of 'mine' belongs to agent 'agent-a'", ignored.Reason);
        var taskRun = Coordinator.TaskRun(await _cerebro.GetRunAsync(runId), "mine");
        Assert.Equal("invoked", taskRun.State);
        Assert.Null(taskRun.Result);

        await _agent.CompletedAsync(invoke);
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
    }

    [Fact]
    public async Task EventForAnUnknownTaskRun_IsRecordedAsIgnored()
    {
        var made = new InvokeTask
        {
            TaskRunId = Guid.NewGuid(),
            RunId = Guid.NewGuid(),
            Task = "ghost",
            Attempt = 1,
            InvokedAt = _cerebro.Clock.GetUtcNow(),
            AckTimeoutSeconds = 10,
        };

        await _agent.StartedAsync(made);

        var ignored = await _cerebro.WaitForIgnoredEventAsync(made.TaskRunId, MessageTypes.TaskStarted);
        Assert.Equal(("ignored", "task.started", "agent-a"), (ignored.Disposition, ignored.Type, ignored.Sender));
        Assert.Equal((made.RunId, made.TaskRunId), (ignored.RunId, ignored.TaskRunId));
        Assert.Equal($"no task run {made.TaskRunId} is known (task 'ghost', run {made.RunId})", ignored.Reason);
        Assert.Equal(0, await _cerebro.QueryAsync(db => db.TaskRuns.CountAsync()));
    }

    /// <summary>The agent knows its message only by its message_id: the ignored-messages list must show that id, not the id of Cerebro's internal copy.</summary>
    [Fact]
    public async Task IgnoredEvent_IsListedUnderTheAgentsMessageId()
    {
        await _agent.DeclareAsync(Task("mine"));
        var intruder = await _cerebro.AgentAsync("agent-b");
        var runId = await _cerebro.StartRunAsync("mine");
        var invoke = await _agent.WaitForInvokeAsync("mine", runId);

        var sent = await intruder.StartedAsync(invoke);

        var ignored = await _cerebro.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskStarted);
        Assert.Equal(sent, ignored.MessageId);
    }

    [Fact]
    public async Task Result_IsStoredAsTheAgentSentIt()
    {
        await _agent.DeclareAsync(Task("shape"));
        var runId = await _cerebro.StartRunAsync("shape");
        var invoke = await _agent.WaitForInvokeAsync("shape", runId);
        var result = JsonDocument.Parse("""{"nested":{"n":[1,2.5,null,"x"]},"flag":false}""").RootElement;

        await _agent.CompletedAsync(invoke, result);

        var completed = await _cerebro.WaitForTaskRunAsync(runId, "shape", "completed");
        Assert.True(JsonElement.DeepEquals(result, completed.Result!.Value), completed.Result.Value.GetRawText());
        await _cerebro.WaitForRunStatusAsync(runId, "succeeded");
        var stored = await _cerebro.QueryAsync(db => db.TaskRuns.Where(t => t.CorrelationId == invoke.TaskRunId).Select(t => t.ResultJson).SingleAsync());
        Assert.True(JsonElement.DeepEquals(result, JsonDocument.Parse(stored!).RootElement), stored);
    }
}
