using System.Diagnostics;
using Cerebro.Contracts;
using Cerebro.Server.Runs;
using Cerebro.Server.TaskRuns;
using Cerebro.Server.Telemetry;
using Cerebro.UnitTests.Coordinator;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using Headers = Cerebro.Contracts.Headers;

namespace Cerebro.UnitTests.Telemetry;

/// <summary>
/// One run of the demo graph, Cerebro and both demo agents in this process, build-sales failing on request: one trace
/// whose shape is the one <see cref="TaskRunTelemetry"/> documents, with the error on the span of the task run that failed.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class RunTraceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Extracts = ["extract-customers", "extract-orders", "extract-products"];

    private readonly SpanCollector _spans = new();
    private readonly MetricCollector _metrics = new();
    private readonly ScopeCapturingLoggerProvider _logs = new();
    private readonly string _sqlitePath = InProcessCerebro.NewSqlitePath();
    private InProcessCerebro _cerebro = null!;

    public async Task InitializeAsync()
    {
        _cerebro = await InProcessCerebro.StartAsync(_sqlitePath, logs: _logs);
        await _cerebro.AttachDemoAgentsAsync();
    }

    public async Task DisposeAsync()
    {
        await _cerebro.DisposeAsync();
        InProcessCerebro.DeleteDatabase(_sqlitePath);
        _spans.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public async Task DemoRunWithAFailure_OneTrace_RunRootTaskRunSpansAgentSpansAndTheErrorOnTheFailedOne()
    {
        var runId = await _cerebro.LaunchAsync("publish-dashboard", new { durationMs = 20, fail = new[] { "build-sales" } });
        var run = await _cerebro.WaitForRunEndAsync(runId);
        Assert.Equal(RunStates.Failed, run.CurrentState);
        var taskRuns = await _cerebro.QueryAsync(db => db.TaskRuns.AsNoTracking().Where(t => t.RunId == runId).ToListAsync());
        Assert.Equal(6, taskRuns.Count);

        var root = Assert.Single(_spans.All, s => s.DisplayName == "run publish-dashboard" && Tag(s, TelemetryTags.RunId) == runId.ToString());
        var trace = await CompleteTraceAsync(root.TraceId, taskRuns.Count);
        var spanIds = trace.Select(s => s.SpanId).ToHashSet();
        TraceTree.Write(output, trace);

        // The root: a new trace, from the trigger to the run's end, searchable by run id, task and trigger, failed.
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal(ActivityKind.Internal, root.Kind);
        Assert.Equal(("publish-dashboard", "api", "telemetry test", "6", "failed"),
            (Tag(root, TelemetryTags.Task), Tag(root, TelemetryTags.Trigger), Tag(root, TelemetryTags.RequestedBy), Tag(root, TelemetryTags.TaskRuns),
                Tag(root, TelemetryTags.Outcome)));
        Assert.Equal(TraceParents.Format(root.Context), run.TraceParent);
        Assert.Equal(ActivityStatusCode.Error, root.Status);
        Assert.Equal(run.CreatedAt, root.StartTimeUtc, TimeSpan.FromMilliseconds(1));
        Assert.Equal(run.FinishedAt!.Value, root.StartTimeUtc + root.Duration, TimeSpan.FromMilliseconds(1));

        // One trace per run: every span naming the run, the agents' included, is in it; and it is one tree under the root.
        Assert.All(_spans.OfRun(runId), s => Assert.Equal(root.TraceId, s.TraceId));
        Assert.All(trace.Where(s => s != root), s => Assert.Contains(s.ParentSpanId, spanIds));
        Assert.Single(trace, s => s.ParentSpanId == default);

        var trigger = Assert.Single(trace, s => s.DisplayName == "trigger publish-dashboard");
        Assert.Equal(root.SpanId, trigger.ParentSpanId);
        Assert.Equal(runId.ToString(), Tag(trigger, TelemetryTags.RunId));

        foreach (var taskRun in taskRuns.Where(t => t.InvokedAt is not null))
        {
            // Cerebro's span of the task run (invoke to end), under the root, with the phases told apart: the context
            // the invoke carried.
            var span = Assert.Single(trace, s => s.DisplayName.StartsWith($"task-run {taskRun.Task}:", StringComparison.Ordinal));
            Assert.Equal(root.SpanId, span.ParentSpanId);
            Assert.Equal(TraceParents.Format(span.Context), taskRun.TraceParent);
            AssertTaskRunTags(span, taskRun);
            Assert.Equal(taskRun.InvokedAt!.Value, span.StartTimeUtc, TimeSpan.FromMilliseconds(1));
            Assert.Equal(taskRun.FinishedAt!.Value, span.StartTimeUtc + span.Duration, TimeSpan.FromMilliseconds(1));
            Assert.Contains(span.Events, e => e.Name == "started");
            Assert.NotNull(span.GetTagItem(TelemetryTags.WaitingSeconds));
            Assert.NotNull(span.GetTagItem(TelemetryTags.AckSeconds));
            Assert.NotNull(span.GetTagItem(TelemetryTags.RunningSeconds));

            // Sending the invoke, under the task run's span; MassTransit's send is its child.
            var invoke = Assert.Single(trace, s => s.DisplayName == $"invoke {taskRun.Task}");
            Assert.Equal(span.SpanId, invoke.ParentSpanId);
            AssertTaskRunTags(invoke, taskRun);
            Assert.Contains(trace, s => s.Source.Name == CerebroTelemetry.MassTransitName && s.ParentSpanId == invoke.SpanId
                && s.DisplayName == $"cerebro.agent.{taskRun.Agent} send");

            // The agent's own span, executing the handler, a child of the task run's span, under the agent's name.
            var execute = Assert.Single(trace, s => s.Source.Name == CerebroTelemetry.WorkerName && s.DisplayName == $"execute {taskRun.Task}");
            Assert.Equal(span.SpanId, execute.ParentSpanId);
            Assert.Equal(taskRun.Agent, Tag(execute, TelemetryTags.Agent));
            Assert.Equal(taskRun.CorrelationId.ToString(), Tag(execute, TelemetryTags.TaskRunId));

            // Each agent event as Cerebro received it, under the task run's span.
            Assert.Contains(trace, s => s.DisplayName == $"task.started {taskRun.Task}" && s.ParentSpanId == span.SpanId);
        }

        var failed = Assert.Single(trace, s => s.DisplayName == "task-run build-sales: error");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Contains("build-sales failed on request", failed.StatusDescription, StringComparison.Ordinal);
        Assert.Equal("agent", Tag(failed, TelemetryTags.ErrorSource));
        var failedExecution = Assert.Single(trace, s => s.DisplayName == "execute build-sales");
        Assert.Equal(ActivityStatusCode.Error, failedExecution.Status);
        Assert.All(trace.Where(s => s.DisplayName.StartsWith("task-run extract-", StringComparison.Ordinal)),
            s => Assert.Equal(ActivityStatusCode.Ok, s.Status));

        // Never invoked: blocked, straight under the root.
        var blocked = Assert.Single(trace, s => s.DisplayName == "task-run publish-dashboard: blocked");
        Assert.Equal(root.SpanId, blocked.ParentSpanId);
        Assert.DoesNotContain(trace, s => s.DisplayName == "invoke publish-dashboard");

        // In order: build-sales is invoked after both its upstreams ended.
        var buildSalesInvoke = trace.Single(s => s.DisplayName == "invoke build-sales");
        foreach (var upstream in new[] { "extract-customers", "extract-orders" })
        {
            var upstreamSpan = trace.Single(s => s.DisplayName == $"task-run {upstream}: completed");
            Assert.True(upstreamSpan.StartTimeUtc + upstreamSpan.Duration <= buildSalesInvoke.StartTimeUtc,
                $"build-sales was invoked at {buildSalesInvoke.StartTimeUtc:O}, before {upstream} ended");
        }

        // MassTransit's own spans of the run (sends, receives, saga steps) are in the same trace.
        Assert.Contains(trace, s => s.Source.Name == CerebroTelemetry.MassTransitName);
    }

    [Fact]
    public async Task DemoRunWithAFailure_MetricsAndLogScopes()
    {
        var runId = await _cerebro.LaunchAsync("publish-dashboard", new { durationMs = 20, fail = new[] { "build-sales" } });
        var run = await _cerebro.WaitForRunEndAsync(runId);
        var traceId = TraceParents.TraceIdOf(run.TraceParent);
        await Eventually.UntilAsync(() => _metrics.Of("cerebro.runs.ended"),
            m => m.Any(x => x.Has(TelemetryTags.Task, "publish-dashboard") && x.Has(TelemetryTags.Outcome, "failed")), "the run's end measured");

        Assert.Contains(_metrics.Of("cerebro.runs.started"), m => m.Has(TelemetryTags.Task, "publish-dashboard") && m.Has(TelemetryTags.Trigger, "api"));
        Assert.Contains(_metrics.Of("cerebro.run.duration"), m => m.Has(TelemetryTags.Outcome, "failed") && m.Value > 0);
        var ended = _metrics.Of("cerebro.task_runs.ended");
        Assert.Contains(ended, m => m.Has(TelemetryTags.Task, "build-sales") && m.Has(TelemetryTags.Outcome, "error") && m.Has(TelemetryTags.Agent, "task-server-b"));
        Assert.Contains(ended, m => m.Has(TelemetryTags.Task, "publish-dashboard") && m.Has(TelemetryTags.Outcome, "blocked"));
        Assert.Contains(ended, m => m.Has(TelemetryTags.Task, "extract-orders") && m.Has(TelemetryTags.Outcome, "completed"));
        var phases = _metrics.Of("cerebro.task_run.phase.duration").Where(m => m.Has(TelemetryTags.Task, "build-sales")).ToList();
        foreach (var phase in new[] { "waiting", "ack", "running" })
            Assert.Contains(phases, m => m.Has(TelemetryTags.Phase, phase));
        Assert.Contains(phases, m => m.Has(TelemetryTags.Phase, "running") && m.Value >= 0.015);
        Assert.Contains(_metrics.Of("cerebro.worker.task.duration"),
            m => m.Has(TelemetryTags.Task, "build-sales") && m.Has(TelemetryTags.Agent, "task-server-b") && m.Has("cerebro.outcome", "failed"));

        _metrics.Observe();
        Assert.Contains(_metrics.Of("cerebro.agents"), m => m.Has(TelemetryTags.AgentState, "ready") && m.Value == 2);

        // A log line written while the failed task run was handled carries the run, task, agent and trace id.
        var warning = Assert.Single(_logs.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains("ended in error", StringComparison.Ordinal)
            && l.Scope.GetValueOrDefault("RunId") == runId.ToString());
        Assert.Equal(("build-sales", "task-server-b", traceId),
            (warning.Scope.GetValueOrDefault("Task"), warning.Scope.GetValueOrDefault("Agent"), warning.Scope.GetValueOrDefault("TraceId")));
    }

    [Fact]
    public async Task RunRequestedWithATraceparent_NewTraceForTheRun_LinkedToTheRequester()
    {
        var requester = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var runId = Guid.NewGuid();
        var endpoint = await _cerebro.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{Topology.AgentEventsQueue}"));
        await endpoint.Send(new RunRequested { Task = "extract-orders", RunId = runId, RequestedBy = "nightly scheduler" }, context =>
        {
            context.Serializer = new SystemTextJsonRawMessageSerializer(RawSerializerOptions.AnyMessageType);
            context.MessageId = Guid.NewGuid();
            context.Headers.Set(Headers.Type, MessageTypes.RunRequested);
            context.Headers.Set(Headers.Sender, "scheduler");
            context.Headers.Set(Headers.ProtocolVersion, Cerebro.Contracts.Protocol.Version);
            context.Headers.Set(Headers.TraceParent, TraceParents.Format(requester));
        });

        var run = await _cerebro.WaitForRunEndAsync(runId);
        Assert.Equal(RunStates.Succeeded, run.CurrentState);
        var root = await Eventually.UntilAsync(() => _spans.OfRun(runId).SingleOrDefault(s => s.DisplayName == "run extract-orders"),
            s => s is not null, "the run's root span");
        Assert.Equal(default, root!.ParentSpanId);
        Assert.NotEqual(requester.TraceId, root.TraceId);
        Assert.Equal("event", Tag(root, TelemetryTags.Trigger));
        Assert.Equal("nightly scheduler", Tag(root, TelemetryTags.RequestedBy));
        var trigger = Assert.Single(_spans.OfRun(runId), s => s.DisplayName == "trigger extract-orders");
        Assert.Equal((root.TraceId, root.SpanId), (trigger.TraceId, trigger.ParentSpanId));
        var link = Assert.Single(trigger.Links);
        Assert.Equal((requester.TraceId, requester.SpanId), (link.Context.TraceId, link.Context.SpanId));
    }

    /// <summary>Waits until the run's trace holds every task run's end and every span's parent (spans end after their children).</summary>
    private async Task<IReadOnlyList<Activity>> CompleteTraceAsync(ActivityTraceId traceId, int taskRuns) =>
        await Eventually.UntilAsync(() => _spans.Trace(traceId), trace =>
        {
            var ids = trace.Select(s => s.SpanId).ToHashSet();
            return trace.Count(s => s.DisplayName.StartsWith("task-run ", StringComparison.Ordinal)) == taskRuns
                && trace.Any(s => s.DisplayName == "run publish-dashboard")
                && trace.All(s => s.ParentSpanId == default || ids.Contains(s.ParentSpanId));
        }, $"trace {traceId} complete", TimeSpan.FromSeconds(15));

    private static void AssertTaskRunTags(Activity span, TaskRunState taskRun) =>
        Assert.Equal(
            (taskRun.RunId.ToString(), taskRun.CorrelationId.ToString(), taskRun.Task, taskRun.Agent, taskRun.Owner, "1"),
            (Tag(span, TelemetryTags.RunId), Tag(span, TelemetryTags.TaskRunId), Tag(span, TelemetryTags.Task), Tag(span, TelemetryTags.Agent),
                Tag(span, TelemetryTags.Owner), Tag(span, TelemetryTags.Attempt)));

    private static string? Tag(Activity span, string name) => span.GetTagItem(name) switch
    {
        null => null,
        var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
