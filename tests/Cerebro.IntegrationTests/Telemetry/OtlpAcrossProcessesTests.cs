using Cerebro.IntegrationTests.Scenarios.Support;
using Cerebro.IntegrationTests.Infrastructure;
using Cerebro.Tests.Shared.Telemetry;
using Xunit.Abstractions;

namespace Cerebro.IntegrationTests.Telemetry;

/// <summary>
/// Spans really leave the processes: Cerebro and the C# agents, started with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>, export to a receiver on loopback; the spans of one run, from
/// every process, form one trace, also when Cerebro is killed and restarted in the middle of the run.
/// </summary>
public sealed class OtlpAcrossProcessesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EndpointSet_CerebroAndAgentExport_OneTraceAcrossProcesses()
    {
        await using var receiver = new OtlpReceiver();
        await using var cluster = await CerebroCluster.StartAsync(output, Otlp(receiver, "cerebro"));
        cluster.StartTaskServerA(Otlp(receiver, service: null));
        cluster.StartPythonAgent();
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerPy);

        var runId = await cluster.StartRunAsync("export-scores", new { durationMs = 50 });
        var run = await cluster.WaitForRunEndAsync(runId);
        Assert.Equal("succeeded", run.Status);

        var traces = await Poll.UntilAsync(() => Task.FromResult(receiver.Requests.Where(r => r.Path == "/v1/traces").ToList()),
            requests => requests.Any(r => r.Mentions("cerebro")) && requests.Any(r => r.Mentions(CerebroCluster.TaskServerA)),
            ExportTimeout, "spans from cerebro and task-server-a");
        Assert.All(traces, r => Assert.Equal(("POST", "application/x-protobuf"), (r.Method, r.ContentType)));
        Assert.All(traces, r => Assert.NotEmpty(r.Body));

        var spans = await WaitForSpansAsync(receiver, s => s.Any(x => x.Name == "run export-scores")
            && s.Any(x => x.Name == "execute extract-customers"));
        var root = Assert.Single(spans, s => s.Name == "run export-scores" && s.Attributes.GetValueOrDefault("cerebro.run_id") == runId.ToString());
        Assert.Equal(("cerebro", "api"), (root.ServiceName, root.Attributes.GetValueOrDefault("cerebro.trigger")));
        var trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
        Assert.All(spans.Where(s => s.Attributes.GetValueOrDefault("cerebro.run_id") == runId.ToString()), s => Assert.Equal(root.TraceId, s.TraceId));

        // The agent's span, from the agent's process, under Cerebro's span of that task run (whose context the invoke carried).
        var taskRun = Assert.Single(trace, s => s.Name == "task-run extract-customers: completed");
        Assert.Equal(root.SpanId, taskRun.ParentSpanId);
        var execute = Assert.Single(trace, s => s.Name == "execute extract-customers");
        Assert.Equal((CerebroCluster.TaskServerA, taskRun.SpanId), (execute.ServiceName, execute.ParentSpanId));
        Assert.Contains(trace, s => s.Name == "invoke extract-customers" && s.ParentSpanId == taskRun.SpanId);

        // The Python agent's task runs: it only echoes the trace context, Cerebro's spans of its events join the trace.
        var pythonTaskRun = Assert.Single(trace, s => s.Name == "task-run score-customers: completed");
        Assert.Equal(root.SpanId, pythonTaskRun.ParentSpanId);
        Assert.Contains(trace, s => s.Name == "task.completed score-customers" && s.ParentSpanId == pythonTaskRun.SpanId);
        Assert.Contains(trace, s => s.Name == "invoke score-customers" && s.ParentSpanId == pythonTaskRun.SpanId);

        await Poll.UntilAsync(() => Task.FromResult(receiver.Requests.ToList()),
            r => r.Any(x => x.Path == "/v1/metrics" && x.Mentions("cerebro.runs.ended"))
                && r.Any(x => x.Path == "/v1/metrics" && x.Mentions("cerebro.worker.task.duration"))
                && r.Any(x => x.Path == "/v1/logs" && x.Mentions(CerebroCluster.TaskServerA)),
            ExportTimeout, "metrics from cerebro and the agent, and the agent's logs");
    }

    [Fact]
    public async Task CerebroKilledMidRun_SpansOfTheNextCerebroContinueTheSameTrace()
    {
        await using var receiver = new OtlpReceiver();
        await using var cluster = await CerebroCluster.StartAsync(output, Otlp(receiver, "cerebro"));
        cluster.StartTaskServerA(new Dictionary<string, string>(Otlp(receiver, service: null)) { ["CEREBRO_MAX_CONCURRENCY"] = "3" });
        cluster.StartTaskServerB(Otlp(receiver, service: null));
        await cluster.WaitForAgentsAsync(CerebroCluster.TaskServerA, CerebroCluster.TaskServerB);

        // The extracts work until the file exists, so none completes before the first Cerebro is gone, however slow the machine.
        var release = Path.Combine(Path.GetTempPath(), $"cerebro-release-{Guid.NewGuid():N}");
        var runId = await cluster.StartRunAsync("publish-dashboard", new { durationMs = 0, holdUntilFile = release });
        await cluster.WaitForRunAsync(runId, r => r.Tasks.Count(t => t.StartedAt is not null) == 3, "the three extracts started");

        // Killed once its spans so far are out (the exporter sends every 200 ms here); what the batch still held would be lost.
        await WaitForSpansAsync(receiver, s => s.Count(x => x.Name.StartsWith("invoke extract-", StringComparison.Ordinal)) == 3);
        await cluster.KillCerebroAsync();
        await cluster.StartCerebroAsync();
        await File.WriteAllTextAsync(release, "");
        var run = await cluster.WaitForRunEndAsync(runId, TimeSpan.FromSeconds(90));
        File.Delete(release);
        Assert.Equal("succeeded", run.Status);

        // The root (trigger to end) is emitted by the second Cerebro under the id the first decided for the trigger's parent.
        var spans = await WaitForSpansAsync(receiver, s => s.Any(x => x.Name == "run publish-dashboard"));
        var root = Assert.Single(spans, s => s.Name == "run publish-dashboard" && s.Attributes.GetValueOrDefault("cerebro.run_id") == runId.ToString());
        var trigger = Assert.Single(spans, s => s.Name == "trigger publish-dashboard" && s.Attributes.GetValueOrDefault("cerebro.run_id") == runId.ToString());
        Assert.Equal((root.TraceId, root.SpanId), (trigger.TraceId, trigger.ParentSpanId));
        Assert.Equal("", root.ParentSpanId);
        Assert.NotEqual(trigger.ServiceInstanceId, root.ServiceInstanceId);

        var trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
        Assert.All(spans.Where(s => s.Attributes.GetValueOrDefault("cerebro.run_id") == runId.ToString()), s => Assert.Equal(root.TraceId, s.TraceId));
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        Assert.All(trace.Where(s => s.Scope is "Cerebro" or "Cerebro.Worker" && s != root), s => Assert.Contains(s.ParentSpanId, ids));
        foreach (var task in new[] { "extract-customers", "extract-orders", "extract-products" })
        {
            // Invoked by the first Cerebro, ended by the second: the task run's span, decided at the invoke, is emitted
            // at its end under that id, so the invoke and the agent's span are its children.
            var invoke = Assert.Single(trace, s => s.Name == $"invoke {task}");
            var taskRun = Assert.Single(trace, s => s.Name == $"task-run {task}: completed");
            Assert.Equal((root.SpanId, taskRun.SpanId), (taskRun.ParentSpanId, invoke.ParentSpanId));
            Assert.Equal(trigger.ServiceInstanceId, invoke.ServiceInstanceId);
            Assert.Equal(root.ServiceInstanceId, taskRun.ServiceInstanceId);
            Assert.Equal(taskRun.SpanId, Assert.Single(trace, s => s.Name == $"execute {task}").ParentSpanId);
        }
    }

    private static Dictionary<string, string> Otlp(OtlpReceiver receiver, string? service)
    {
        var settings = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        };
        if (service is not null)
            settings["OTEL_SERVICE_NAME"] = service;
        return settings;
    }

    private static Task<IReadOnlyList<OtlpSpan>> WaitForSpansAsync(OtlpReceiver receiver, Func<IReadOnlyList<OtlpSpan>, bool> accept) =>
        Poll.UntilAsync(() => Task.FromResult(receiver.Spans), accept, ExportTimeout, "the expected spans at the OTLP receiver");
}
