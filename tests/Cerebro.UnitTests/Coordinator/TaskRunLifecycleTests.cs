using System.Text.Json;
using Cerebro.Contracts;
using Cerebro.Server.Agents;
using Cerebro.Server.Api;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Cerebro.UnitTests.Coordinator.TestTasks;

namespace Cerebro.UnitTests.Coordinator;

/// <summary>The task-run saga driven by an agent's events, as the HTTP API shows it.</summary>
public sealed class TaskRunLifecycleTests(ITestOutputHelper output) : CoordinatorTest(output)
{
    [Fact]
    public async Task InvokeQueuedStartedCompleted_ShowsEachStepAndTheResult()
    {
        await AgentA.DeclareAsync(Task("extract"));
        var launchedAt = Server.Clock.GetUtcNow();

        var runId = await Server.StartRunAsync("extract");

        var invokeMessage = await AgentA.WaitForAsync(m => m.Type == MessageTypes.InvokeTask, "the invoke");
        var invoke = invokeMessage.Read<InvokeTask>();
        Assert.Equal(("cerebro", 1), (invokeMessage.Sender, Convert.ToInt32(invokeMessage.Protocol)));
        Assert.Equal(AgentMessaging.InvokeMessageId(invoke.TaskRunId, 1), invokeMessage.MessageId);
        Assert.Equal((runId, "extract", 1, 10.0), (invoke.RunId, invoke.Task, invoke.Attempt, invoke.AckTimeoutSeconds));
        Assert.Equal(launchedAt, invoke.InvokedAt);
        var invoked = await Server.WaitForTaskRunAsync(runId, "extract", "invoked");
        Assert.Equal(invoke.TaskRunId, invoked.TaskRunId);
        Assert.Equal(launchedAt.UtcDateTime, invoked.InvokedAt);
        Assert.Equal(("ack", launchedAt.AddSeconds(10).UtcDateTime), (invoked.DeadlineKind, invoked.DeadlineAt));
        Assert.Equal("running", (await Server.GetRunAsync(runId)).Status);

        var queuedAt = Server.Clock.Advance(TimeSpan.FromSeconds(1));
        await AgentA.QueuedAsync(invoke);
        var queued = await Server.WaitForTaskRunAsync(runId, "extract", "queued");
        Assert.Equal(queuedAt.UtcDateTime, queued.QueuedAt);
        Assert.Equal(("start", queuedAt.AddMinutes(10).UtcDateTime), (queued.DeadlineKind, queued.DeadlineAt));

        var startedAt = Server.Clock.Advance(TimeSpan.FromSeconds(2));
        await AgentA.StartedAsync(invoke);
        var started = await Server.WaitForTaskRunAsync(runId, "extract", "started");
        Assert.Equal(startedAt.UtcDateTime, started.StartedAt);
        Assert.Equal(("complete", startedAt.AddMinutes(30).UtcDateTime), (started.DeadlineKind, started.DeadlineAt));

        var finishedAt = Server.Clock.Advance(TimeSpan.FromSeconds(3));
        await AgentA.CompletedAsync(invoke, new { rows = 42, files = new[] { "a.csv", "b.csv" } });
        var completed = await Server.WaitForTaskRunAsync(runId, "extract", "completed");
        Assert.Equal((launchedAt.UtcDateTime, queuedAt.UtcDateTime, startedAt.UtcDateTime, finishedAt.UtcDateTime),
            (completed.InvokedAt!.Value, completed.QueuedAt!.Value, completed.StartedAt!.Value, completed.FinishedAt!.Value));
        Assert.Equal(42, completed.Result!.Value.GetProperty("rows").GetInt32());
        Assert.Equal(["a.csv", "b.csv"], completed.Result.Value.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Null(completed.Error);
        Assert.Null(completed.DeadlineKind);

        var run = await Server.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Equal(finishedAt.UtcDateTime, run.FinishedAt);
        Assert.Empty(await Server.GetIgnoredMessagesAsync());
    }

    [Fact]
    public async Task Downstream_IsInvokedOnlyAfterAllItsUpstreamsCompleted()
    {
        await AgentA.DeclareAsync(Task("left"), Task("right"), Task("join", "left", "right"));
        var runId = await Server.StartRunAsync("join");
        var left = await AgentA.WaitForInvokeAsync("left", runId);
        var right = await AgentA.WaitForInvokeAsync("right", runId);

        await AgentA.CompletedAsync(left);
        var waiting = await Server.WaitForRunAsync(runId, r => Coordinator.TaskRun(r, "left").State == "completed"
            && Coordinator.TaskRun(r, "join").WaitingFor.SequenceEqual(["right"]), "join waits for right only");

        Assert.Equal("pending", Coordinator.TaskRun(waiting, "join").State);
        Assert.Empty(AgentA.Invokes(runId, "join"));

        await AgentA.CompletedAsync(right);
        var join = await AgentA.WaitForInvokeAsync("join", runId);
        var invoked = await Server.WaitForTaskRunAsync(runId, "join", "invoked");
        Assert.Empty(invoked.WaitingFor);
        Assert.Equal(["left", "right"], invoked.Upstreams);
        await AgentA.CompletedAsync(join);
        await Server.WaitForRunStatusAsync(runId, "succeeded");
        Assert.Single(AgentA.Invokes(runId, "join"));
    }

    /// <summary>
    /// The completing upstream invokes its downstream in its own transaction, sending the invoke just before the commit,
    /// so a quick agent can answer before the task run is stored as invoked: the answer waits for that commit.
    /// </summary>
    [Fact]
    public async Task StartedBeforeTheInvokeIsStored_IsAppliedOnceItIs()
    {
        await AgentA.DeclareAsync(Task("first"), Task("second", "first"));
        var runId = await Server.StartRunAsync("second");
        var first = await AgentA.WaitForInvokeAsync("first", runId);
        var second = Coordinator.TaskRun(await Server.GetRunAsync(runId), "second");
        var secondInvoke = NotYetSentInvoke(runId, second);
        var startedAt = Server.Clock.GetUtcNow();

        var startedId = await AgentA.StartedAsync(secondInvoke, startedAt);
        await AgentA.CompletedAsync(first);

        var started = await Server.WaitForTaskRunAsync(runId, "second", "started");
        Assert.Equal(startedAt.UtcDateTime, started.StartedAt);
        Assert.Equal(second.TaskRunId, (await AgentA.WaitForInvokeAsync("second", runId)).TaskRunId);
        Assert.DoesNotContain(await Server.GetIgnoredMessagesAsync(runId), r => r.MessageId == startedId);
    }

    /// <summary>An answer for a task run that is never invoked is not applied: after the retries it is recorded, with the reason.</summary>
    [Fact]
    public async Task StartedForATaskRunNeverInvoked_IsRecordedAsOutOfOrder_AndTheTaskRunStaysPending()
    {
        await AgentA.DeclareAsync(Task("first"), Task("second", "first"));
        var runId = await Server.StartRunAsync("second");
        await AgentA.WaitForInvokeAsync("first", runId);
        var second = Coordinator.TaskRun(await Server.GetRunAsync(runId), "second");
        var secondInvoke = NotYetSentInvoke(runId, second);

        var startedId = await AgentA.StartedAsync(secondInvoke);

        var ignored = await Server.WaitForIgnoredAsync(startedId);
        Assert.Equal(("ignored", "task.started", second.TaskRunId), (ignored.Disposition, ignored.Type, ignored.TaskRunId));
        Assert.Equal($"'TaskStarted' does not apply to task run {second.TaskRunId} of 'second' in state pending (out of order)", ignored.Reason);
        var after = Coordinator.TaskRun(await Server.GetRunAsync(runId), "second");
        Assert.Equal(("pending", (DateTime?)null), (after.State, after.StartedAt));
        Assert.Empty(AgentA.Invokes(runId, "second"));
    }

    [Fact]
    public async Task TaskFailed_ErrorsWithTheAgentsText_BlocksItsDownstream_IndependentBranchStillRuns_RunFails()
    {
        await AgentA.DeclareAsync(Task("doomed"), Task("source"), Task("good", "source"), Task("final", "doomed", "good"));
        var runId = await Server.StartRunAsync("final");
        var doomed = await AgentA.WaitForInvokeAsync("doomed", runId);
        var source = await AgentA.WaitForInvokeAsync("source", runId);

        await AgentA.StartedAsync(doomed);
        await AgentA.FailedAsync(doomed, "disk full on /data");

        var errored = await Server.WaitForTaskRunAsync(runId, "doomed", "error");
        Assert.Equal(("disk full on /data", "agent"), (errored.Error!.Message, errored.Error.Source));
        var blocked = await Server.WaitForTaskRunAsync(runId, "final", "blocked");
        Assert.Equal("blocked: upstream 'doomed' ended error", blocked.Error!.Message);
        Assert.Equal("cerebro", blocked.Error.Source);
        Assert.Equal("running", (await Server.GetRunAsync(runId)).Status);

        await AgentA.CompletedAsync(source);
        var good = await AgentA.WaitForInvokeAsync("good", runId);
        await AgentA.CompletedAsync(good);

        var run = await Server.WaitForRunStatusAsync(runId, "failed");
        Assert.Equal(["completed", "completed", "error", "blocked"],
            new[] { "source", "good", "doomed", "final" }.Select(t => Coordinator.TaskRun(run, t).State));
        Assert.NotNull(run.FinishedAt);
        Assert.Empty(AgentA.Invokes(runId, "final"));
    }

    [Fact]
    public async Task CompletedOvertakesItsStarted_BothApplied_TheStartedOnlyAddsItsTime()
    {
        await AgentA.DeclareAsync(Task("quick"));
        var runId = await Server.StartRunAsync("quick");
        var invoke = await AgentA.WaitForInvokeAsync("quick", runId);
        var startedAt = Server.Clock.GetUtcNow();
        var completedAt = startedAt.AddMilliseconds(40);

        // The agent sent started, then completed; Cerebro gets them the other way round.
        await AgentA.CompletedAsync(invoke, new { fast = true }, completedAt);
        var completed = await Server.WaitForTaskRunAsync(runId, "quick", "completed");
        Assert.True(completed.Result!.Value.GetProperty("fast").GetBoolean());
        Assert.Null(completed.StartedAt);
        await Server.WaitForRunStatusAsync(runId, "succeeded");
        var startedId = await AgentA.StartedAsync(invoke, startedAt);

        var after = Coordinator.TaskRun(await Server.WaitForRunAsync(runId, r => Coordinator.TaskRun(r, "quick").StartedAt is not null,
            "the overtaken task.started's time recorded"), "quick");
        Assert.Equal(("completed", startedAt.UtcDateTime, completedAt.UtcDateTime), (after.State, after.StartedAt, after.FinishedAt));
        Assert.Null(after.Error);
        Assert.DoesNotContain(await Server.GetIgnoredMessagesAsync(runId), r => r.MessageId == startedId);
    }

    [Fact]
    public async Task StartedLaterThanTheCompletion_IsIgnoredAsLate()
    {
        await AgentA.DeclareAsync(Task("quick"));
        var runId = await Server.StartRunAsync("quick");
        var invoke = await AgentA.WaitForInvokeAsync("quick", runId);
        var completedAt = Server.Clock.GetUtcNow();
        await AgentA.CompletedAsync(invoke, new { fast = true }, completedAt);
        await Server.WaitForRunStatusAsync(runId, "succeeded");

        // Not an overtaken event: the agent says it started after it had completed (a replay, or a confused agent).
        await AgentA.StartedAsync(invoke, completedAt.AddSeconds(5));

        var ignored = await Server.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskStarted);
        Assert.Equal(("ignored", "task.started", "agent-a"), (ignored.Disposition, ignored.Type, ignored.Sender));
        Assert.Equal((runId, invoke.TaskRunId), (ignored.RunId, ignored.TaskRunId));
        Assert.Contains("late or duplicate", ignored.Reason);
        var after = Coordinator.TaskRun(await Server.GetRunAsync(runId), "quick");
        Assert.Equal(("completed", (DateTime?)null), (after.State, after.StartedAt));
    }

    [Fact]
    public async Task SecondCompleted_IsRecordedAsIgnored_AndTheStateStays()
    {
        await AgentA.DeclareAsync(Task("once"));
        var runId = await Server.StartRunAsync("once");
        var invoke = await AgentA.WaitForInvokeAsync("once", runId);
        await AgentA.StartedAsync(invoke);
        await AgentA.CompletedAsync(invoke, new { value = 1 });
        var first = await Server.WaitForTaskRunAsync(runId, "once", "completed");
        var ended = await Server.WaitForRunStatusAsync(runId, "succeeded");

        Server.Clock.Advance(TimeSpan.FromMinutes(1));
        await AgentA.CompletedAsync(invoke, new { value = 2 });

        var ignored = await Server.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskCompleted);
        Assert.Equal(("ignored", "task.completed"), (ignored.Disposition, ignored.Type));
        Assert.Equal($"'TaskCompleted' does not apply to task run {invoke.TaskRunId} of 'once' in state completed (late or duplicate)", ignored.Reason);
        Assert.Equal(invoke.TaskRunId, ignored.TaskRunId);
        var after = Coordinator.TaskRun(await Server.GetRunAsync(runId), "once");
        Assert.Equal(("completed", first.FinishedAt), (after.State, after.FinishedAt));
        Assert.Equal(1, after.Result!.Value.GetProperty("value").GetInt32());
        var run = await Server.GetRunAsync(runId);
        Assert.Equal(("succeeded", ended.FinishedAt), (run.Status, run.FinishedAt));
        var success = await Server.QueryAsync(db => db.TaskSuccesses.SingleAsync(s => s.Task == "once"));
        Assert.Equal(first.FinishedAt, success.SucceededAt);
    }

    [Fact]
    public async Task EventFromTheWrongAgent_IsIgnoredWithTheReason()
    {
        await AgentA.DeclareAsync(Task("mine"));
        var intruder = await Server.AgentAsync("agent-b");
        var runId = await Server.StartRunAsync("mine");
        var invoke = await AgentA.WaitForInvokeAsync("mine", runId);

        await intruder.CompletedAsync(invoke, new { stolen = true });

        var ignored = await Server.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskCompleted);
        Assert.Equal(("ignored", "agent-b"), (ignored.Disposition, ignored.Sender));
        Assert.Equal($"sent by agent 'agent-b', but task run {invoke.TaskRunId} of 'mine' belongs to agent 'agent-a'", ignored.Reason);
        var taskRun = Coordinator.TaskRun(await Server.GetRunAsync(runId), "mine");
        Assert.Equal("invoked", taskRun.State);
        Assert.Null(taskRun.Result);

        await AgentA.CompletedAsync(invoke);
        await Server.WaitForRunStatusAsync(runId, "succeeded");
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
            InvokedAt = Server.Clock.GetUtcNow(),
            AckTimeoutSeconds = 10,
        };

        await AgentA.StartedAsync(made);

        var ignored = await Server.WaitForIgnoredEventAsync(made.TaskRunId, MessageTypes.TaskStarted);
        Assert.Equal(("ignored", "task.started", "agent-a"), (ignored.Disposition, ignored.Type, ignored.Sender));
        Assert.Equal((made.RunId, made.TaskRunId), (ignored.RunId, ignored.TaskRunId));
        Assert.Equal($"no task run {made.TaskRunId} is known (task 'ghost', run {made.RunId})", ignored.Reason);
        Assert.Equal(0, await Server.QueryAsync(db => db.TaskRuns.CountAsync()));
    }

    /// <summary>The agent knows its message only by its message_id: the ignored-messages list must show that id, not the id of Cerebro's internal copy.</summary>
    [Fact]
    public async Task IgnoredEvent_IsListedUnderTheAgentsMessageId()
    {
        await AgentA.DeclareAsync(Task("mine"));
        var intruder = await Server.AgentAsync("agent-b");
        var runId = await Server.StartRunAsync("mine");
        var invoke = await AgentA.WaitForInvokeAsync("mine", runId);

        var sent = await intruder.StartedAsync(invoke);

        var ignored = await Server.WaitForIgnoredEventAsync(invoke.TaskRunId, MessageTypes.TaskStarted);
        Assert.Equal(sent, ignored.MessageId);
    }

    [Fact]
    public async Task Result_IsStoredAsTheAgentSentIt()
    {
        await AgentA.DeclareAsync(Task("shape"));
        var runId = await Server.StartRunAsync("shape");
        var invoke = await AgentA.WaitForInvokeAsync("shape", runId);
        var result = JsonDocument.Parse("""{"nested":{"n":[1,2.5,null,"x"]},"flag":false}""").RootElement;

        await AgentA.CompletedAsync(invoke, result);

        var completed = await Server.WaitForTaskRunAsync(runId, "shape", "completed");
        Assert.True(JsonElement.DeepEquals(result, completed.Result!.Value), completed.Result.Value.GetRawText());
        await Server.WaitForRunStatusAsync(runId, "succeeded");
        var stored = await Server.QueryAsync(db => db.TaskRuns.Where(t => t.CorrelationId == invoke.TaskRunId).Select(t => t.ResultJson).SingleAsync());
        Assert.True(JsonElement.DeepEquals(result, JsonDocument.Parse(stored!).RootElement), stored);
    }

    /// <summary>The invoke a task run will get, for an agent that answers before it has it.</summary>
    private InvokeTask NotYetSentInvoke(Guid runId, TaskRunView taskRun) => new()
    {
        TaskRunId = taskRun.TaskRunId,
        RunId = runId,
        Task = taskRun.Task,
        Attempt = taskRun.Attempt,
        InvokedAt = Server.Clock.GetUtcNow(),
        AckTimeoutSeconds = 10,
    };
}
