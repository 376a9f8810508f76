using System.Diagnostics;
using Cerebro.Server.Telemetry;

namespace Cerebro.UnitTests.Telemetry;

/// <summary>
/// A run's and a task run's spans are decided when they begin and emitted when they end, perhaps by another process:
/// the emitted span must carry the decided ids, or the children already exported under them hang off nothing.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class DecidedSpanTests : IDisposable
{
    private readonly SpanCollector _spans = new();

    public void Dispose() => _spans.Dispose();

    [Fact]
    public void SpanIdentity_IsSupportedByThisRuntime() => Assert.True(SpanIdentity.IsSupported);

    [Fact]
    public void Emit_WithADecidedIdentity_TheRootAndItsChildCarryTheDecidedIds()
    {
        var runId = Guid.CreateVersion7();
        var root = new ActivityContext(ActivityTraceId.CreateRandom(), TraceParents.RunRootSpanId(runId), ActivityTraceFlags.Recorded);
        var taskRun = new ActivityContext(root.TraceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var start = new DateTime(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc);

        using var outer = new Activity("consuming a message").Start(); // emits happen inside MassTransit's consume activity
        var child = Spans.Emit("task-run t: completed", ActivityKind.Internal, root, start.AddSeconds(1), start.AddSeconds(2), [], identity: taskRun);
        var emittedRoot = Spans.Emit("run t", ActivityKind.Internal, default, start, start.AddSeconds(3), [], identity: root);

        Assert.NotNull(child);
        Assert.NotNull(emittedRoot);
        Assert.Same(outer, Activity.Current);
        Assert.Equal((root.TraceId, taskRun.SpanId, root.SpanId), (child.TraceId, child.SpanId, child.ParentSpanId));
        Assert.Equal($"00-{root.TraceId.ToHexString()}-{taskRun.SpanId.ToHexString()}-01", child.Id);
        Assert.Equal((root.TraceId, root.SpanId, default(ActivitySpanId)), (emittedRoot.TraceId, emittedRoot.SpanId, emittedRoot.ParentSpanId));
        Assert.Null(emittedRoot.ParentId);
        Assert.Equal(TimeSpan.FromSeconds(3), emittedRoot.Duration);
        Assert.Contains(_spans.Trace(root.TraceId), s => s.SpanId == root.SpanId && s.ParentSpanId == default);
    }

    [Fact]
    public void RunRootSpanId_SameRunSameId_OtherRunOtherId_NeverZero()
    {
        var runId = Guid.CreateVersion7();

        Assert.Equal(TraceParents.RunRootSpanId(runId), TraceParents.RunRootSpanId(runId));
        Assert.NotEqual(TraceParents.RunRootSpanId(runId), TraceParents.RunRootSpanId(Guid.CreateVersion7()));
        Assert.NotEqual(default, TraceParents.RunRootSpanId(Guid.Empty));
        Assert.NotEqual("0000000000000000", TraceParents.RunRootSpanId(Guid.Empty).ToHexString());
    }
}
