using System.Diagnostics;
using Cerebro.Server.Runs;
using Cerebro.Server.TaskRuns;
using Cerebro.Server.Telemetry;
using Cerebro.UnitTests.Coordinator;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Cerebro.UnitTests.Telemetry;

/// <summary>
/// A run outlives the Cerebro that launched it: the first Cerebro launches and invokes, a second one on the same
/// database ends it. No agent is there to answer, so the second Cerebro's deadline sweeper times the invokes out.
/// The spans the second Cerebro emits continue the trace the first one started, from the stored trace context alone.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class RestartTraceTests(ITestOutputHelper output) : IDisposable
{
    private static readonly Dictionary<string, string?> FastSweeps = new() { ["Cerebro:DeadlineSweepInterval"] = "00:00:00.1" };

    private readonly SpanCollector _spans = new();
    private readonly MetricCollector _metrics = new();
    private readonly string _sqlitePath = InProcessCerebro.NewSqlitePath();

    public void Dispose()
    {
        InProcessCerebro.DeleteDatabase(_sqlitePath);
        _spans.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public async Task RunEndedByAnotherCerebro_EndSpansContinueTheTraceOfTheFirst()
    {
        // The first Cerebro: the agents declare, then leave; the run is launched and its extracts are invoked.
        Guid runId;
        // Its sweeper sweeps once at start and never again, so the invokes' deadlines are left to the second Cerebro.
        var once = new Dictionary<string, string?> { ["Cerebro:AckTimeout"] = "00:00:00.5", ["Cerebro:DeadlineSweepInterval"] = "1.00:00:00" };
        await using (var first = await InProcessCerebro.StartAsync(_sqlitePath, once))
        {
            await first.AttachDemoAgentsAsync();
            await first.DisposeAgentsAsync();
            runId = await first.LaunchAsync("publish-dashboard", new { durationMs = 20 });
            await Eventually.UntilAsync(
                () => first.QueryAsync(db => db.TaskRuns.AsNoTracking().CountAsync(t => t.RunId == runId && t.CurrentState == TaskRunStates.Invoked)),
                invoked => invoked == 3, "the three extracts invoked");
        }

        // The run's and the task runs' spans are decided, not yet emitted: they end in the second Cerebro.
        var firstSpans = _spans.OfRun(runId);
        var trigger = Assert.Single(firstSpans, s => s.DisplayName == "trigger publish-dashboard");
        var invokes = firstSpans.Where(s => s.DisplayName.StartsWith("invoke ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, invokes.Count);
        Assert.DoesNotContain(firstSpans, s => s.DisplayName.StartsWith("task-run ", StringComparison.Ordinal) || s.DisplayName == "run publish-dashboard");

        // The second Cerebro: same database, nothing in memory from the first.
        await using var second = await InProcessCerebro.StartAsync(_sqlitePath, FastSweeps);
        var run = await second.WaitForRunEndAsync(runId);
        Assert.Equal(RunStates.Failed, run.CurrentState);

        var trace = await Eventually.UntilAsync(() => _spans.Trace(trigger.TraceId),
            t => t.Count(s => s.DisplayName.StartsWith("task-run ", StringComparison.Ordinal)) == 6
                && t.Any(s => s.DisplayName == "run publish-dashboard")
                && t.All(s => s.ParentSpanId == default || t.Any(p => p.SpanId == s.ParentSpanId)), // a span ends after its children
            "the run's end spans");
        TraceTree.Write(output, trace);

        // Emitted by the second Cerebro under the ids the first decided: the trigger's parent, the invokes' parents.
        var root = Assert.Single(trace, s => s.DisplayName == "run publish-dashboard");
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal(trigger.ParentSpanId, root.SpanId);
        Assert.Equal(run.CreatedAt, root.StartTimeUtc, TimeSpan.FromMilliseconds(1));
        foreach (var invoke in invokes)
        {
            var task = (string)invoke.GetTagItem(TelemetryTags.Task)!;
            var end = Assert.Single(trace, s => s.DisplayName == $"task-run {task}: error");
            Assert.Equal(invoke.ParentSpanId, end.SpanId);
            Assert.Equal(root.SpanId, end.ParentSpanId);
            Assert.Equal(ActivityStatusCode.Error, end.Status);
            Assert.Equal("ack", end.GetTagItem(TelemetryTags.Timeout));
            Assert.Contains(trace, s => s.DisplayName == $"deadline ack {task}" && s.ParentSpanId == end.SpanId);
        }

        Assert.All(trace.Where(s => s.DisplayName.EndsWith(": blocked", StringComparison.Ordinal)), s => Assert.Equal(root.SpanId, s.ParentSpanId));
        Assert.Equal(3, trace.Count(s => s.DisplayName.EndsWith(": blocked", StringComparison.Ordinal)));
        Assert.All(_spans.OfRun(runId), s => Assert.Equal(root.TraceId, s.TraceId));
        Assert.Single(trace, s => s.ParentSpanId == default);

        Assert.Equal(3, _metrics.Of("cerebro.timeouts").Count(m => m.Has(TelemetryTags.Timeout, "ack") && m.Has(TelemetryTags.Agent, "task-server-a")
            && m.Tags.GetValueOrDefault(TelemetryTags.Task) is "extract-customers" or "extract-orders" or "extract-products"));
        Assert.Contains(_metrics.Of("cerebro.deadline.lateness"), m => m.Has(TelemetryTags.Timeout, "ack"));
    }
}
